ALTER TABLE "billing_profiles" ADD COLUMN "autopay" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "autopay_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "next_autopay_at" text;--> statement-breakpoint
ALTER TABLE "payment_methods" ADD COLUMN "not_for_recurring" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "invoices_next_autopay_idx" ON "invoices" ("next_autopay_at");