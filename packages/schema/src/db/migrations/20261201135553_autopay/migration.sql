ALTER TABLE `billing_profiles` ADD `autopay` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `invoices` ADD `autopay_attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `invoices` ADD `next_autopay_at` text;--> statement-breakpoint
ALTER TABLE `payment_methods` ADD `not_for_recurring` integer DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX `invoices_next_autopay_idx` ON `invoices` (`next_autopay_at`);