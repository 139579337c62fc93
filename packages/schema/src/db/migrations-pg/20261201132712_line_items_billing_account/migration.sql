ALTER TABLE "invoice_line_items" DROP CONSTRAINT "invoice_line_items_invoice_id_invoices_id_fkey";--> statement-breakpoint
-- Hand-edited: existing rows take their invoice's account before the column becomes NOT NULL.
ALTER TABLE "invoice_line_items" ADD COLUMN "billing_account_id" integer;--> statement-breakpoint
UPDATE "invoice_line_items" l SET "billing_account_id" = i."billing_account_id" FROM "invoices" i WHERE i."id" = l."invoice_id";--> statement-breakpoint
ALTER TABLE "invoice_line_items" ALTER COLUMN "billing_account_id" SET NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_id_account_unique" ON "invoices" ("id","billing_account_id");--> statement-breakpoint
ALTER TABLE "invoice_line_items" ADD CONSTRAINT "invoice_line_items_invoice_account_fk" FOREIGN KEY ("invoice_id","billing_account_id") REFERENCES "invoices"("id","billing_account_id") ON DELETE CASCADE;