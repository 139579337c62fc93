CREATE TABLE `credit_applications` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`billing_account_id` integer NOT NULL,
	`credit_id` integer NOT NULL,
	`invoice_id` integer NOT NULL,
	`amount_minor` integer NOT NULL,
	`created_at` text NOT NULL,
	CONSTRAINT `fk_credit_applications_billing_account_id_billing_accounts_id_fk` FOREIGN KEY (`billing_account_id`) REFERENCES `billing_accounts`(`id`),
	CONSTRAINT `fk_credit_applications_credit_id_credits_id_fk` FOREIGN KEY (`credit_id`) REFERENCES `credits`(`id`),
	CONSTRAINT `fk_credit_applications_invoice_id_invoices_id_fk` FOREIGN KEY (`invoice_id`) REFERENCES `invoices`(`id`),
	CONSTRAINT `credit_applications_credit_invoice_unique` UNIQUE(`credit_id`,`invoice_id`),
	CONSTRAINT "credit_applications_amount_positive" CHECK("amount_minor" > 0)
);
--> statement-breakpoint
CREATE TABLE `credits` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`billing_account_id` integer NOT NULL,
	`description` text NOT NULL,
	`currency` text NOT NULL,
	`amount_minor` integer NOT NULL,
	`remaining_minor` integer NOT NULL,
	`expires_on` text,
	`created_at` text NOT NULL,
	CONSTRAINT `fk_credits_billing_account_id_billing_accounts_id_fk` FOREIGN KEY (`billing_account_id`) REFERENCES `billing_accounts`(`id`),
	CONSTRAINT "credits_currency" CHECK((length("currency") = 3 AND ltrim("currency", 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') = '')),
	CONSTRAINT "credits_amounts" CHECK("amount_minor" > 0 AND "remaining_minor" >= 0 AND "remaining_minor" <= "amount_minor"),
	CONSTRAINT "credits_expires_on" CHECK("expires_on" IS NULL OR (length("expires_on") = 10 AND substr("expires_on", 5, 1) = '-' AND substr("expires_on", 8, 1) = '-' AND ltrim(replace("expires_on", '-', ''), '0123456789') = '' AND substr("expires_on", 6, 1) IN ('0', '1') AND substr("expires_on", 9, 1) IN ('0', '1', '2', '3')))
);
--> statement-breakpoint
-- Hand-written instead of drizzle-kit's table rebuild, whose DROP TABLE `invoices` fails on a database with
-- payments (and would cascade-delete line items): a column CHECK added in place (SQLite checks existing rows).
ALTER TABLE `invoices` ADD `credit_applied_minor` integer DEFAULT 0 NOT NULL CONSTRAINT "invoices_credit_applied" CHECK("credit_applied_minor" >= 0 AND "amount_due_minor" + "credit_applied_minor" <= "total_minor");--> statement-breakpoint
CREATE INDEX `credit_applications_invoice_idx` ON `credit_applications` (`invoice_id`);--> statement-breakpoint
CREATE INDEX `credits_account_idx` ON `credits` (`billing_account_id`);