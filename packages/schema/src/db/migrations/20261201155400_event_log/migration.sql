CREATE TABLE `billing_events` (
	`sequence` integer PRIMARY KEY AUTOINCREMENT,
	`id` text NOT NULL UNIQUE,
	`type` text NOT NULL,
	`billing_account_id` integer NOT NULL,
	`billing_profile_id` integer,
	`invoice_id` integer,
	`data` text NOT NULL,
	`occurred_at` text NOT NULL,
	CONSTRAINT `fk_billing_events_billing_account_id_billing_accounts_id_fk` FOREIGN KEY (`billing_account_id`) REFERENCES `billing_accounts`(`id`),
	CONSTRAINT `fk_billing_events_billing_profile_id_billing_profiles_id_fk` FOREIGN KEY (`billing_profile_id`) REFERENCES `billing_profiles`(`id`),
	CONSTRAINT `fk_billing_events_invoice_id_invoices_id_fk` FOREIGN KEY (`invoice_id`) REFERENCES `invoices`(`id`),
	CONSTRAINT "billing_events_type" CHECK("type" IN ('INVOICE_CREATED', 'INVOICE_UPDATED', 'PAYMENT_UPDATED', 'PAYMENT_METHOD_ADDED', 'PAYMENT_METHOD_UPDATED', 'PAYMENT_METHOD_REMOVED', 'API_KEY_CREATED', 'API_KEY_REVOKED'))
);
--> statement-breakpoint
CREATE INDEX `billing_events_account_idx` ON `billing_events` (`billing_account_id`,`sequence`);--> statement-breakpoint
CREATE INDEX `billing_events_occurred_idx` ON `billing_events` (`occurred_at`);