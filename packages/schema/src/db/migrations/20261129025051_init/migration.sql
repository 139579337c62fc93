CREATE TABLE `api_keys` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`billing_account_id` integer NOT NULL,
	`name` text NOT NULL,
	`prefix` text NOT NULL UNIQUE,
	`secret_hash` text NOT NULL,
	`scopes` text NOT NULL,
	`created_by_user_id` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`last_used_at` text,
	`revoked_at` text,
	CONSTRAINT `fk_api_keys_billing_account_id_billing_accounts_id_fk` FOREIGN KEY (`billing_account_id`) REFERENCES `billing_accounts`(`id`),
	CONSTRAINT `fk_api_keys_created_by_user_id_users_id_fk` FOREIGN KEY (`created_by_user_id`) REFERENCES `users`(`id`)
);
--> statement-breakpoint
CREATE TABLE `audit_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`target` text NOT NULL,
	`outcome` text NOT NULL,
	`billing_account_id` integer,
	`detail` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	CONSTRAINT `fk_audit_events_billing_account_id_billing_accounts_id_fk` FOREIGN KEY (`billing_account_id`) REFERENCES `billing_accounts`(`id`)
);
--> statement-breakpoint
CREATE TABLE `billing_accounts` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`display_name` text NOT NULL,
	`agreement_type` text NOT NULL,
	`status` text DEFAULT 'ACTIVE' NOT NULL,
	`owner_user_id` integer NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	CONSTRAINT `fk_billing_accounts_owner_user_id_users_id_fk` FOREIGN KEY (`owner_user_id`) REFERENCES `users`(`id`),
	CONSTRAINT "billing_accounts_agreement_type" CHECK("agreement_type" IN ('MICROSOFT_CUSTOMER_AGREEMENT', 'MICROSOFT_ONLINE_SERVICES_PROGRAM', 'ENTERPRISE_AGREEMENT')),
	CONSTRAINT "billing_accounts_status" CHECK("status" IN ('ACTIVE', 'DISABLED'))
);
--> statement-breakpoint
CREATE TABLE `billing_profiles` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`billing_account_id` integer NOT NULL,
	`display_name` text NOT NULL,
	`currency` text NOT NULL,
	`invoice_email` text,
	`default_payment_method_id` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	CONSTRAINT `fk_billing_profiles_billing_account_id_billing_accounts_id_fk` FOREIGN KEY (`billing_account_id`) REFERENCES `billing_accounts`(`id`),
	CONSTRAINT `fk_billing_profiles_default_payment_method_id_payment_methods_id_fk` FOREIGN KEY (`default_payment_method_id`) REFERENCES `payment_methods`(`id`),
	CONSTRAINT `billing_profiles_id_account_unique` UNIQUE(`id`,`billing_account_id`),
	CONSTRAINT "billing_profiles_currency" CHECK("currency" GLOB '[A-Z][A-Z][A-Z]')
);
--> statement-breakpoint
CREATE TABLE `billing_role_assignments` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`user_id` integer NOT NULL,
	`billing_account_id` integer NOT NULL,
	`billing_profile_id` integer,
	`role` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	CONSTRAINT `fk_billing_role_assignments_user_id_users_id_fk` FOREIGN KEY (`user_id`) REFERENCES `users`(`id`),
	CONSTRAINT `fk_billing_role_assignments_billing_account_id_billing_accounts_id_fk` FOREIGN KEY (`billing_account_id`) REFERENCES `billing_accounts`(`id`),
	CONSTRAINT `fk_billing_role_assignments_billing_profile_id_billing_profiles_id_fk` FOREIGN KEY (`billing_profile_id`) REFERENCES `billing_profiles`(`id`),
	CONSTRAINT `billing_role_assignments_profile_account_fk` FOREIGN KEY (`billing_profile_id`,`billing_account_id`) REFERENCES `billing_profiles`(`id`,`billing_account_id`),
	CONSTRAINT "billing_role_assignments_role" CHECK(("billing_profile_id" IS NULL AND "role" IN ('OWNER', 'CONTRIBUTOR', 'READER')) OR ("billing_profile_id" IS NOT NULL AND "role" IN ('OWNER', 'CONTRIBUTOR', 'READER', 'INVOICE_MANAGER')))
);
--> statement-breakpoint
CREATE TABLE `idempotency_records` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`principal` text NOT NULL,
	`operation` text NOT NULL,
	`key` text NOT NULL,
	`request_fingerprint` text NOT NULL,
	`response_json` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`expires_at` text NOT NULL,
	CONSTRAINT `idempotency_records_principal_operation_key_unique` UNIQUE(`principal`,`operation`,`key`),
	CONSTRAINT "idempotency_records_key_length" CHECK(length("key") BETWEEN 1 AND 255)
);
--> statement-breakpoint
CREATE TABLE `invoice_line_items` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`invoice_id` integer NOT NULL,
	`position` integer NOT NULL,
	`description` text NOT NULL,
	`service_name` text NOT NULL,
	`quantity` integer NOT NULL,
	`unit_price_minor` integer NOT NULL,
	`amount_minor` integer NOT NULL,
	CONSTRAINT `fk_invoice_line_items_invoice_id_invoices_id_fk` FOREIGN KEY (`invoice_id`) REFERENCES `invoices`(`id`) ON DELETE CASCADE,
	CONSTRAINT `invoice_line_items_position_unique` UNIQUE(`invoice_id`,`position`),
	CONSTRAINT "invoice_line_items_non_negative" CHECK("quantity" >= 0 AND "unit_price_minor" >= 0 AND "amount_minor" >= 0),
	CONSTRAINT "invoice_line_items_amount" CHECK("amount_minor" = "quantity" * "unit_price_minor")
);
--> statement-breakpoint
CREATE TABLE `invoices` (
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
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	CONSTRAINT `fk_invoices_billing_account_id_billing_accounts_id_fk` FOREIGN KEY (`billing_account_id`) REFERENCES `billing_accounts`(`id`),
	CONSTRAINT `fk_invoices_billing_profile_id_billing_profiles_id_fk` FOREIGN KEY (`billing_profile_id`) REFERENCES `billing_profiles`(`id`),
	CONSTRAINT `invoices_profile_account_fk` FOREIGN KEY (`billing_profile_id`,`billing_account_id`) REFERENCES `billing_profiles`(`id`,`billing_account_id`),
	CONSTRAINT "invoices_lifecycle" CHECK("lifecycle" IN ('OPEN', 'PAYMENT_IN_PROGRESS', 'PAID', 'VOID')),
	CONSTRAINT "invoices_currency" CHECK("currency" GLOB '[A-Z][A-Z][A-Z]'),
	CONSTRAINT "invoices_dates" CHECK("period_start" GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]' AND "period_end" GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]' AND "invoice_date" GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]' AND "due_date" GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
	CONSTRAINT "invoices_period_order" CHECK("period_start" <= "period_end"),
	CONSTRAINT "invoices_money_non_negative" CHECK("subtotal_minor" >= 0 AND "tax_minor" >= 0 AND "total_minor" >= 0 AND "amount_due_minor" >= 0),
	CONSTRAINT "invoices_total" CHECK("total_minor" = "subtotal_minor" + "tax_minor"),
	CONSTRAINT "invoices_amount_due_le_total" CHECK("amount_due_minor" <= "total_minor"),
	CONSTRAINT "invoices_paid_at" CHECK(("lifecycle" = 'PAID') = ("paid_at" IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE `payment_methods` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`billing_account_id` integer NOT NULL,
	`billing_profile_id` integer NOT NULL,
	`brand` text NOT NULL,
	`last4` text NOT NULL,
	`exp_month` integer NOT NULL,
	`exp_year` integer NOT NULL,
	`holder_name` text NOT NULL,
	`processor_token` text NOT NULL UNIQUE,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`removed_at` text,
	CONSTRAINT `fk_payment_methods_billing_account_id_billing_accounts_id_fk` FOREIGN KEY (`billing_account_id`) REFERENCES `billing_accounts`(`id`),
	CONSTRAINT `fk_payment_methods_billing_profile_id_billing_profiles_id_fk` FOREIGN KEY (`billing_profile_id`) REFERENCES `billing_profiles`(`id`),
	CONSTRAINT `payment_methods_profile_account_fk` FOREIGN KEY (`billing_profile_id`,`billing_account_id`) REFERENCES `billing_profiles`(`id`,`billing_account_id`),
	CONSTRAINT "payment_methods_last4" CHECK("last4" GLOB '[0-9][0-9][0-9][0-9]'),
	CONSTRAINT "payment_methods_exp_month" CHECK("exp_month" BETWEEN 1 AND 12),
	CONSTRAINT "payment_methods_exp_year" CHECK("exp_year" BETWEEN 2000 AND 2100)
);
--> statement-breakpoint
CREATE TABLE `payments` (
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
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	CONSTRAINT `fk_payments_billing_account_id_billing_accounts_id_fk` FOREIGN KEY (`billing_account_id`) REFERENCES `billing_accounts`(`id`),
	CONSTRAINT `fk_payments_invoice_id_invoices_id_fk` FOREIGN KEY (`invoice_id`) REFERENCES `invoices`(`id`),
	CONSTRAINT `fk_payments_payment_method_id_payment_methods_id_fk` FOREIGN KEY (`payment_method_id`) REFERENCES `payment_methods`(`id`),
	CONSTRAINT "payments_status" CHECK("status" IN ('PROCESSING', 'SUCCEEDED', 'FAILED')),
	CONSTRAINT "payments_amount_positive" CHECK("amount_minor" > 0),
	CONSTRAINT "payments_currency" CHECK("currency" GLOB '[A-Z][A-Z][A-Z]')
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`email` text NOT NULL UNIQUE,
	`display_name` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	CONSTRAINT "users_email_shape" CHECK("email" LIKE '%_@_%')
);
--> statement-breakpoint
CREATE INDEX `api_keys_account_idx` ON `api_keys` (`billing_account_id`);--> statement-breakpoint
CREATE INDEX `audit_events_target_idx` ON `audit_events` (`target`);--> statement-breakpoint
CREATE INDEX `audit_events_account_idx` ON `audit_events` (`billing_account_id`,`id`);--> statement-breakpoint
CREATE INDEX `billing_accounts_owner_idx` ON `billing_accounts` (`owner_user_id`);--> statement-breakpoint
CREATE INDEX `billing_profiles_account_idx` ON `billing_profiles` (`billing_account_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `billing_role_assignments_account_unique` ON `billing_role_assignments` (`user_id`,`billing_account_id`) WHERE "billing_role_assignments"."billing_profile_id" IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `billing_role_assignments_profile_unique` ON `billing_role_assignments` (`user_id`,`billing_profile_id`) WHERE "billing_role_assignments"."billing_profile_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `billing_role_assignments_account_idx` ON `billing_role_assignments` (`billing_account_id`);--> statement-breakpoint
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