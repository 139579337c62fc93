CREATE TABLE `webhook_deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`billing_account_id` integer NOT NULL,
	`endpoint_id` integer NOT NULL,
	`event_sequence` integer NOT NULL,
	`status` text NOT NULL,
	`attempt_count` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` text NOT NULL,
	`claimed_until` text,
	`ordering_key` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	CONSTRAINT `fk_webhook_deliveries_billing_account_id_billing_accounts_id_fk` FOREIGN KEY (`billing_account_id`) REFERENCES `billing_accounts`(`id`),
	CONSTRAINT `fk_webhook_deliveries_endpoint_id_webhook_endpoints_id_fk` FOREIGN KEY (`endpoint_id`) REFERENCES `webhook_endpoints`(`id`),
	CONSTRAINT `fk_webhook_deliveries_event_sequence_billing_events_sequence_fk` FOREIGN KEY (`event_sequence`) REFERENCES `billing_events`(`sequence`),
	CONSTRAINT "webhook_deliveries_status" CHECK("status" IN ('PENDING', 'SUCCEEDED', 'FAILED')),
	CONSTRAINT "webhook_deliveries_attempt_count" CHECK("attempt_count" >= 0)
);
--> statement-breakpoint
CREATE TABLE `webhook_delivery_attempts` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`billing_account_id` integer NOT NULL,
	`delivery_id` integer NOT NULL,
	`started_at` text NOT NULL,
	`status_code` integer,
	`duration_ms` integer NOT NULL,
	`response_body` text,
	`error_kind` text,
	CONSTRAINT `fk_webhook_delivery_attempts_billing_account_id_billing_accounts_id_fk` FOREIGN KEY (`billing_account_id`) REFERENCES `billing_accounts`(`id`),
	CONSTRAINT `fk_webhook_delivery_attempts_delivery_id_webhook_deliveries_id_fk` FOREIGN KEY (`delivery_id`) REFERENCES `webhook_deliveries`(`id`),
	CONSTRAINT "webhook_delivery_attempts_error_kind" CHECK("error_kind" IS NULL OR "error_kind" IN ('HTTP_STATUS', 'REDIRECT', 'TIMEOUT', 'CONNECTION', 'ADDRESS_NOT_ALLOWED'))
);
--> statement-breakpoint
CREATE TABLE `webhook_endpoints` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`billing_account_id` integer NOT NULL,
	`url` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`event_types` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`secret_encrypted` text NOT NULL,
	`previous_secret_encrypted` text,
	`previous_secret_expires_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	CONSTRAINT `fk_webhook_endpoints_billing_account_id_billing_accounts_id_fk` FOREIGN KEY (`billing_account_id`) REFERENCES `billing_accounts`(`id`)
);
--> statement-breakpoint
CREATE INDEX `webhook_deliveries_due_idx` ON `webhook_deliveries` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_endpoint_idx` ON `webhook_deliveries` (`endpoint_id`,`id`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_order_idx` ON `webhook_deliveries` (`endpoint_id`,`ordering_key`,`event_sequence`);--> statement-breakpoint
CREATE INDEX `webhook_delivery_attempts_delivery_idx` ON `webhook_delivery_attempts` (`delivery_id`,`id`);--> statement-breakpoint
CREATE INDEX `webhook_endpoints_account_idx` ON `webhook_endpoints` (`billing_account_id`,`id`);