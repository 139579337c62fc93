CREATE TABLE `invoice_counts` (
	`billing_profile_id` integer PRIMARY KEY NOT NULL,
	`billing_account_id` integer NOT NULL,
	`invoices` integer NOT NULL,
	CONSTRAINT `fk_invoice_counts_billing_profile_id_billing_profiles_id_fk` FOREIGN KEY (`billing_profile_id`) REFERENCES `billing_profiles`(`id`),
	CONSTRAINT `fk_invoice_counts_billing_account_id_billing_accounts_id_fk` FOREIGN KEY (`billing_account_id`) REFERENCES `billing_accounts`(`id`)
);
--> statement-breakpoint
CREATE INDEX `invoice_counts_account_idx` ON `invoice_counts` (`billing_account_id`);--> statement-breakpoint
-- Hand-written below (drizzle-kit knows no triggers): the counts of the invoices already there, then
-- the triggers that keep them exact, in the statement (and so the transaction) that changes a row.
INSERT INTO `invoice_counts` (`billing_profile_id`, `billing_account_id`, `invoices`)
	SELECT `billing_profile_id`, `billing_account_id`, count(*) FROM `invoices` GROUP BY `billing_profile_id`, `billing_account_id`;
--> statement-breakpoint
CREATE TRIGGER `invoice_counts_insert` AFTER INSERT ON `invoices` BEGIN
	INSERT INTO `invoice_counts` (`billing_profile_id`, `billing_account_id`, `invoices`)
		VALUES (NEW.`billing_profile_id`, NEW.`billing_account_id`, 1)
		ON CONFLICT (`billing_profile_id`) DO UPDATE SET `invoices` = `invoices` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `invoice_counts_delete` AFTER DELETE ON `invoices` BEGIN
	UPDATE `invoice_counts` SET `invoices` = `invoices` - 1 WHERE `billing_profile_id` = OLD.`billing_profile_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `invoice_counts_move` AFTER UPDATE OF `billing_profile_id`, `billing_account_id` ON `invoices`
	WHEN OLD.`billing_profile_id` IS NOT NEW.`billing_profile_id` OR OLD.`billing_account_id` IS NOT NEW.`billing_account_id`
BEGIN
	UPDATE `invoice_counts` SET `invoices` = `invoices` - 1 WHERE `billing_profile_id` = OLD.`billing_profile_id`;
	INSERT INTO `invoice_counts` (`billing_profile_id`, `billing_account_id`, `invoices`)
		VALUES (NEW.`billing_profile_id`, NEW.`billing_account_id`, 1)
		ON CONFLICT (`billing_profile_id`) DO UPDATE SET `invoices` = `invoices` + 1;
END;
