PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_api_keys` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`billing_account_id` integer NOT NULL,
	`name` text NOT NULL,
	`prefix` text NOT NULL UNIQUE,
	`secret_hash` text NOT NULL,
	`scopes` text NOT NULL,
	`created_by_user_id` integer,
	`created_at` text NOT NULL,
	`last_used_at` text,
	`revoked_at` text,
	CONSTRAINT `fk_api_keys_billing_account_id_billing_accounts_id_fk` FOREIGN KEY (`billing_account_id`) REFERENCES `billing_accounts`(`id`),
	CONSTRAINT `fk_api_keys_created_by_user_id_users_id_fk` FOREIGN KEY (`created_by_user_id`) REFERENCES `users`(`id`)
);
--> statement-breakpoint
INSERT INTO `__new_api_keys`(`id`, `billing_account_id`, `name`, `prefix`, `secret_hash`, `scopes`, `created_by_user_id`, `created_at`, `last_used_at`, `revoked_at`) SELECT `id`, `billing_account_id`, `name`, `prefix`, `secret_hash`, `scopes`, `created_by_user_id`, `created_at`, `last_used_at`, `revoked_at` FROM `api_keys`;--> statement-breakpoint
DROP TABLE `api_keys`;--> statement-breakpoint
ALTER TABLE `__new_api_keys` RENAME TO `api_keys`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_audit_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`target` text NOT NULL,
	`outcome` text NOT NULL,
	`billing_account_id` integer,
	`detail` text,
	`created_at` text NOT NULL,
	CONSTRAINT `fk_audit_events_billing_account_id_billing_accounts_id_fk` FOREIGN KEY (`billing_account_id`) REFERENCES `billing_accounts`(`id`)
);
--> statement-breakpoint
INSERT INTO `__new_audit_events`(`id`, `actor`, `action`, `target`, `outcome`, `billing_account_id`, `detail`, `created_at`) SELECT `id`, `actor`, `action`, `target`, `outcome`, `billing_account_id`, `detail`, `created_at` FROM `audit_events`;--> statement-breakpoint
DROP TABLE `audit_events`;--> statement-breakpoint
ALTER TABLE `__new_audit_events` RENAME TO `audit_events`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_billing_accounts` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`display_name` text NOT NULL,
	`agreement_type` text NOT NULL,
	`status` text DEFAULT 'ACTIVE' NOT NULL,
	`owner_user_id` integer NOT NULL,
	`created_at` text NOT NULL,
	CONSTRAINT `fk_billing_accounts_owner_user_id_users_id_fk` FOREIGN KEY (`owner_user_id`) REFERENCES `users`(`id`),
	CONSTRAINT "billing_accounts_agreement_type" CHECK("agreement_type" IN ('MICROSOFT_CUSTOMER_AGREEMENT', 'MICROSOFT_ONLINE_SERVICES_PROGRAM', 'ENTERPRISE_AGREEMENT')),
	CONSTRAINT "billing_accounts_status" CHECK("status" IN ('ACTIVE', 'DISABLED'))
);
--> statement-breakpoint
INSERT INTO `__new_billing_accounts`(`id`, `display_name`, `agreement_type`, `status`, `owner_user_id`, `created_at`) SELECT `id`, `display_name`, `agreement_type`, `status`, `owner_user_id`, `created_at` FROM `billing_accounts`;--> statement-breakpoint
DROP TABLE `billing_accounts`;--> statement-breakpoint
ALTER TABLE `__new_billing_accounts` RENAME TO `billing_accounts`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_billing_profiles` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`billing_account_id` integer NOT NULL,
	`display_name` text NOT NULL,
	`currency` text NOT NULL,
	`invoice_email` text,
	`default_payment_method_id` integer,
	`created_at` text NOT NULL,
	CONSTRAINT `fk_billing_profiles_billing_account_id_billing_accounts_id_fk` FOREIGN KEY (`billing_account_id`) REFERENCES `billing_accounts`(`id`),
	CONSTRAINT `fk_billing_profiles_default_payment_method_id_payment_methods_id_fk` FOREIGN KEY (`default_payment_method_id`) REFERENCES `payment_methods`(`id`),
	CONSTRAINT `billing_profiles_id_account_unique` UNIQUE(`id`,`billing_account_id`),
	CONSTRAINT "billing_profiles_currency" CHECK((length("currency") = 3 AND ltrim("currency", 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') = ''))
);
--> statement-breakpoint
INSERT INTO `__new_billing_profiles`(`id`, `billing_account_id`, `display_name`, `currency`, `invoice_email`, `default_payment_method_id`, `created_at`) SELECT `id`, `billing_account_id`, `display_name`, `currency`, `invoice_email`, `default_payment_method_id`, `created_at` FROM `billing_profiles`;--> statement-breakpoint
DROP TABLE `billing_profiles`;--> statement-breakpoint
ALTER TABLE `__new_billing_profiles` RENAME TO `billing_profiles`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_billing_role_assignments` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`user_id` integer NOT NULL,
	`billing_account_id` integer NOT NULL,
	`billing_profile_id` integer,
	`role` text NOT NULL,
	`created_at` text NOT NULL,
	CONSTRAINT `fk_billing_role_assignments_user_id_users_id_fk` FOREIGN KEY (`user_id`) REFERENCES `users`(`id`),
	CONSTRAINT `fk_billing_role_assignments_billing_account_id_billing_accounts_id_fk` FOREIGN KEY (`billing_account_id`) REFERENCES `billing_accounts`(`id`),
	CONSTRAINT `fk_billing_role_assignments_billing_profile_id_billing_profiles_id_fk` FOREIGN KEY (`billing_profile_id`) REFERENCES `billing_profiles`(`id`),
	CONSTRAINT `billing_role_assignments_profile_account_fk` FOREIGN KEY (`billing_profile_id`,`billing_account_id`) REFERENCES `billing_profiles`(`id`,`billing_account_id`),
	CONSTRAINT "billing_role_assignments_role" CHECK(("billing_profile_id" IS NULL AND "role" IN ('OWNER', 'CONTRIBUTOR', 'READER')) OR ("billing_profile_id" IS NOT NULL AND "role" IN ('OWNER', 'CONTRIBUTOR', 'READER', 'INVOICE_MANAGER')))
);
--> statement-breakpoint
INSERT INTO `__new_billing_role_assignments`(`id`, `user_id`, `billing_account_id`, `billing_profile_id`, `role`, `created_at`) SELECT `id`, `user_id`, `billing_account_id`, `billing_profile_id`, `role`, `created_at` FROM `billing_role_assignments`;--> statement-breakpoint
DROP TABLE `billing_role_assignments`;--> statement-breakpoint
ALTER TABLE `__new_billing_role_assignments` RENAME TO `billing_role_assignments`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_idempotency_records` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`principal` text NOT NULL,
	`operation` text NOT NULL,
	`key` text NOT NULL,
	`request_fingerprint` text NOT NULL,
	`response_json` text,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	CONSTRAINT `idempotency_records_principal_operation_key_unique` UNIQUE(`principal`,`operation`,`key`),
	CONSTRAINT "idempotency_records_key_length" CHECK(length("key") BETWEEN 1 AND 255)
);
--> statement-breakpoint
INSERT INTO `__new_idempotency_records`(`id`, `principal`, `operation`, `key`, `request_fingerprint`, `response_json`, `created_at`, `expires_at`) SELECT `id`, `principal`, `operation`, `key`, `request_fingerprint`, `response_json`, `created_at`, `expires_at` FROM `idempotency_records`;--> statement-breakpoint
DROP TABLE `idempotency_records`;--> statement-breakpoint
ALTER TABLE `__new_idempotency_records` RENAME TO `idempotency_records`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_invoices` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`number` text NOT NULL UNIQUE,
	`billing_account_id` integer NOT NULL,
	`billing_profile_id` integer NOT NULL,
	`period_start` text NOT NULL,
	`period_end` text NOT NULL,
	`invoice_date` text NOT NULL,
	`due_date` text NOT NULL,
	`currency` text NOT NULL,
	`subtotal_minor` integer NOT NULL,
	`tax_minor` integer NOT NULL,
	`total_minor` integer NOT NULL,
	`amount_due_minor` integer NOT NULL,
	`lifecycle` text DEFAULT 'OPEN' NOT NULL,
	`paid_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	CONSTRAINT `fk_invoices_billing_account_id_billing_accounts_id_fk` FOREIGN KEY (`billing_account_id`) REFERENCES `billing_accounts`(`id`),
	CONSTRAINT `fk_invoices_billing_profile_id_billing_profiles_id_fk` FOREIGN KEY (`billing_profile_id`) REFERENCES `billing_profiles`(`id`),
	CONSTRAINT `invoices_profile_account_fk` FOREIGN KEY (`billing_profile_id`,`billing_account_id`) REFERENCES `billing_profiles`(`id`,`billing_account_id`),
	CONSTRAINT "invoices_lifecycle" CHECK("lifecycle" IN ('OPEN', 'PAYMENT_IN_PROGRESS', 'PAID', 'VOID')),
	CONSTRAINT "invoices_currency" CHECK((length("currency") = 3 AND ltrim("currency", 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') = '')),
	CONSTRAINT "invoices_dates" CHECK((length("period_start") = 10 AND substr("period_start", 5, 1) = '-' AND substr("period_start", 8, 1) = '-' AND ltrim(replace("period_start", '-', ''), '0123456789') = '' AND substr("period_start", 6, 1) IN ('0', '1') AND substr("period_start", 9, 1) IN ('0', '1', '2', '3')) AND (length("period_end") = 10 AND substr("period_end", 5, 1) = '-' AND substr("period_end", 8, 1) = '-' AND ltrim(replace("period_end", '-', ''), '0123456789') = '' AND substr("period_end", 6, 1) IN ('0', '1') AND substr("period_end", 9, 1) IN ('0', '1', '2', '3')) AND (length("invoice_date") = 10 AND substr("invoice_date", 5, 1) = '-' AND substr("invoice_date", 8, 1) = '-' AND ltrim(replace("invoice_date", '-', ''), '0123456789') = '' AND substr("invoice_date", 6, 1) IN ('0', '1') AND substr("invoice_date", 9, 1) IN ('0', '1', '2', '3')) AND (length("due_date") = 10 AND substr("due_date", 5, 1) = '-' AND substr("due_date", 8, 1) = '-' AND ltrim(replace("due_date", '-', ''), '0123456789') = '' AND substr("due_date", 6, 1) IN ('0', '1') AND substr("due_date", 9, 1) IN ('0', '1', '2', '3'))),
	CONSTRAINT "invoices_period_order" CHECK("period_start" <= "period_end"),
	CONSTRAINT "invoices_money_non_negative" CHECK("subtotal_minor" >= 0 AND "tax_minor" >= 0 AND "total_minor" >= 0 AND "amount_due_minor" >= 0),
	CONSTRAINT "invoices_total" CHECK("total_minor" = "subtotal_minor" + "tax_minor"),
	CONSTRAINT "invoices_amount_due_le_total" CHECK("amount_due_minor" <= "total_minor"),
	CONSTRAINT "invoices_paid_at" CHECK(("lifecycle" = 'PAID') = ("paid_at" IS NOT NULL))
);
--> statement-breakpoint
INSERT INTO `__new_invoices`(`id`, `number`, `billing_account_id`, `billing_profile_id`, `period_start`, `period_end`, `invoice_date`, `due_date`, `currency`, `subtotal_minor`, `tax_minor`, `total_minor`, `amount_due_minor`, `lifecycle`, `paid_at`, `created_at`, `updated_at`) SELECT `id`, `number`, `billing_account_id`, `billing_profile_id`, `period_start`, `period_end`, `invoice_date`, `due_date`, `currency`, `subtotal_minor`, `tax_minor`, `total_minor`, `amount_due_minor`, `lifecycle`, `paid_at`, `created_at`, `updated_at` FROM `invoices`;--> statement-breakpoint
DROP TABLE `invoices`;--> statement-breakpoint
ALTER TABLE `__new_invoices` RENAME TO `invoices`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_payment_methods` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`billing_account_id` integer NOT NULL,
	`billing_profile_id` integer NOT NULL,
	`brand` text NOT NULL,
	`last4` text NOT NULL,
	`exp_month` integer NOT NULL,
	`exp_year` integer NOT NULL,
	`holder_name` text NOT NULL,
	`processor_token` text NOT NULL UNIQUE,
	`created_at` text NOT NULL,
	`removed_at` text,
	CONSTRAINT `fk_payment_methods_billing_account_id_billing_accounts_id_fk` FOREIGN KEY (`billing_account_id`) REFERENCES `billing_accounts`(`id`),
	CONSTRAINT `fk_payment_methods_billing_profile_id_billing_profiles_id_fk` FOREIGN KEY (`billing_profile_id`) REFERENCES `billing_profiles`(`id`),
	CONSTRAINT `payment_methods_profile_account_fk` FOREIGN KEY (`billing_profile_id`,`billing_account_id`) REFERENCES `billing_profiles`(`id`,`billing_account_id`),
	CONSTRAINT "payment_methods_last4" CHECK((length("last4") = 4 AND ltrim("last4", '0123456789') = '')),
	CONSTRAINT "payment_methods_exp_month" CHECK("exp_month" BETWEEN 1 AND 12),
	CONSTRAINT "payment_methods_exp_year" CHECK("exp_year" BETWEEN 2000 AND 2100)
);
--> statement-breakpoint
INSERT INTO `__new_payment_methods`(`id`, `billing_account_id`, `billing_profile_id`, `brand`, `last4`, `exp_month`, `exp_year`, `holder_name`, `processor_token`, `created_at`, `removed_at`) SELECT `id`, `billing_account_id`, `billing_profile_id`, `brand`, `last4`, `exp_month`, `exp_year`, `holder_name`, `processor_token`, `created_at`, `removed_at` FROM `payment_methods`;--> statement-breakpoint
DROP TABLE `payment_methods`;--> statement-breakpoint
ALTER TABLE `__new_payment_methods` RENAME TO `payment_methods`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_payments` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`billing_account_id` integer NOT NULL,
	`invoice_id` integer NOT NULL,
	`payment_method_id` integer NOT NULL,
	`amount_minor` integer NOT NULL,
	`currency` text NOT NULL,
	`status` text NOT NULL,
	`failure_code` text,
	`processor_reference` text,
	`processor_idempotency_key` text NOT NULL UNIQUE,
	`initiated_by` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	CONSTRAINT `fk_payments_billing_account_id_billing_accounts_id_fk` FOREIGN KEY (`billing_account_id`) REFERENCES `billing_accounts`(`id`),
	CONSTRAINT `fk_payments_invoice_id_invoices_id_fk` FOREIGN KEY (`invoice_id`) REFERENCES `invoices`(`id`),
	CONSTRAINT `fk_payments_payment_method_id_payment_methods_id_fk` FOREIGN KEY (`payment_method_id`) REFERENCES `payment_methods`(`id`),
	CONSTRAINT "payments_status" CHECK("status" IN ('PROCESSING', 'SUCCEEDED', 'FAILED')),
	CONSTRAINT "payments_amount_positive" CHECK("amount_minor" > 0),
	CONSTRAINT "payments_currency" CHECK((length("currency") = 3 AND ltrim("currency", 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') = ''))
);
--> statement-breakpoint
INSERT INTO `__new_payments`(`id`, `billing_account_id`, `invoice_id`, `payment_method_id`, `amount_minor`, `currency`, `status`, `failure_code`, `processor_reference`, `processor_idempotency_key`, `initiated_by`, `created_at`, `updated_at`) SELECT `id`, `billing_account_id`, `invoice_id`, `payment_method_id`, `amount_minor`, `currency`, `status`, `failure_code`, `processor_reference`, `processor_idempotency_key`, `initiated_by`, `created_at`, `updated_at` FROM `payments`;--> statement-breakpoint
DROP TABLE `payments`;--> statement-breakpoint
ALTER TABLE `__new_payments` RENAME TO `payments`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_users` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`email` text NOT NULL UNIQUE,
	`display_name` text NOT NULL,
	`created_at` text NOT NULL,
	CONSTRAINT "users_email_shape" CHECK("email" LIKE '%_@_%')
);
--> statement-breakpoint
INSERT INTO `__new_users`(`id`, `email`, `display_name`, `created_at`) SELECT `id`, `email`, `display_name`, `created_at` FROM `users`;--> statement-breakpoint
DROP TABLE `users`;--> statement-breakpoint
ALTER TABLE `__new_users` RENAME TO `users`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `api_keys_account_idx` ON `api_keys` (`billing_account_id`);--> statement-breakpoint
CREATE INDEX `audit_events_target_idx` ON `audit_events` (`target`);--> statement-breakpoint
CREATE INDEX `audit_events_account_idx` ON `audit_events` (`billing_account_id`,`id`);--> statement-breakpoint
CREATE INDEX `billing_accounts_owner_idx` ON `billing_accounts` (`owner_user_id`);--> statement-breakpoint
CREATE INDEX `billing_profiles_account_idx` ON `billing_profiles` (`billing_account_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `billing_role_assignments_account_unique` ON `billing_role_assignments` (`user_id`,`billing_account_id`) WHERE "billing_role_assignments"."billing_profile_id" IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `billing_role_assignments_profile_unique` ON `billing_role_assignments` (`user_id`,`billing_profile_id`) WHERE "billing_role_assignments"."billing_profile_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `billing_role_assignments_account_idx` ON `billing_role_assignments` (`billing_account_id`);--> statement-breakpoint
CREATE INDEX `billing_role_assignments_user_idx` ON `billing_role_assignments` (`user_id`);--> statement-breakpoint
CREATE INDEX `idempotency_records_expires_idx` ON `idempotency_records` (`expires_at`);--> statement-breakpoint
CREATE INDEX `invoices_profile_due_idx` ON `invoices` (`billing_profile_id`,`due_date`,`id`);--> statement-breakpoint
CREATE INDEX `invoices_profile_date_idx` ON `invoices` (`billing_profile_id`,`invoice_date`,`id`);--> statement-breakpoint
CREATE INDEX `invoices_account_due_idx` ON `invoices` (`billing_account_id`,`due_date`,`id`);--> statement-breakpoint
CREATE INDEX `invoices_account_date_idx` ON `invoices` (`billing_account_id`,`invoice_date`,`id`);--> statement-breakpoint
CREATE INDEX `invoices_account_lifecycle_due_idx` ON `invoices` (`billing_account_id`,`lifecycle`,`due_date`,`id`);--> statement-breakpoint
CREATE INDEX `payment_methods_profile_idx` ON `payment_methods` (`billing_profile_id`);--> statement-breakpoint
CREATE INDEX `payments_invoice_idx` ON `payments` (`invoice_id`,`id`);--> statement-breakpoint
CREATE INDEX `payments_status_updated_idx` ON `payments` (`status`,`updated_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `payments_one_active_per_invoice` ON `payments` (`invoice_id`) WHERE "payments"."status" IN ('PROCESSING', 'SUCCEEDED');