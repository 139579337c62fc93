-- Hand-edited: the unique index line items reference first, and existing rows take their invoice's account.
CREATE UNIQUE INDEX `invoices_id_account_unique` ON `invoices` (`id`,`billing_account_id`);--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_invoice_line_items` (
	`id` integer PRIMARY KEY AUTOINCREMENT,
	`invoice_id` integer NOT NULL,
	`billing_account_id` integer NOT NULL,
	`position` integer NOT NULL,
	`description` text NOT NULL,
	`service_name` text NOT NULL,
	`quantity` integer NOT NULL,
	`unit_price_minor` integer NOT NULL,
	`amount_minor` integer NOT NULL,
	CONSTRAINT `invoice_line_items_invoice_account_fk` FOREIGN KEY (`invoice_id`,`billing_account_id`) REFERENCES `invoices`(`id`,`billing_account_id`) ON DELETE CASCADE,
	CONSTRAINT `invoice_line_items_position_unique` UNIQUE(`invoice_id`,`position`),
	CONSTRAINT "invoice_line_items_non_negative" CHECK("quantity" >= 0 AND "unit_price_minor" >= 0 AND "amount_minor" >= 0),
	CONSTRAINT "invoice_line_items_amount" CHECK("amount_minor" = "quantity" * "unit_price_minor")
);
--> statement-breakpoint
INSERT INTO `__new_invoice_line_items`(`id`, `invoice_id`, `billing_account_id`, `position`, `description`, `service_name`, `quantity`, `unit_price_minor`, `amount_minor`) SELECT l.`id`, l.`invoice_id`, i.`billing_account_id`, l.`position`, l.`description`, l.`service_name`, l.`quantity`, l.`unit_price_minor`, l.`amount_minor` FROM `invoice_line_items` l JOIN `invoices` i ON i.`id` = l.`invoice_id`;--> statement-breakpoint
DROP TABLE `invoice_line_items`;--> statement-breakpoint
ALTER TABLE `__new_invoice_line_items` RENAME TO `invoice_line_items`;--> statement-breakpoint
PRAGMA foreign_keys=ON;