CREATE TABLE "invoice_counts" (
	"billing_profile_id" integer PRIMARY KEY,
	"billing_account_id" integer NOT NULL,
	"invoices" integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX "invoice_counts_account_idx" ON "invoice_counts" ("billing_account_id");--> statement-breakpoint
ALTER TABLE "invoice_counts" ADD CONSTRAINT "invoice_counts_billing_profile_id_billing_profiles_id_fkey" FOREIGN KEY ("billing_profile_id") REFERENCES "billing_profiles"("id");--> statement-breakpoint
ALTER TABLE "invoice_counts" ADD CONSTRAINT "invoice_counts_billing_account_id_billing_accounts_id_fkey" FOREIGN KEY ("billing_account_id") REFERENCES "billing_accounts"("id");--> statement-breakpoint
-- Hand-written below (drizzle-kit knows no triggers): the counts of the invoices already there, then
-- the trigger that keeps them exact, in the statement (and so the transaction) that changes a row.
-- Concurrent inserts on one profile queue on its count row's lock until the first commits.
INSERT INTO "invoice_counts" ("billing_profile_id", "billing_account_id", "invoices")
	SELECT "billing_profile_id", "billing_account_id", count(*) FROM "invoices" GROUP BY "billing_profile_id", "billing_account_id";
--> statement-breakpoint
CREATE FUNCTION "invoice_counts_maintain"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('DELETE', 'UPDATE') THEN
		UPDATE "invoice_counts" SET "invoices" = "invoices" - 1 WHERE "billing_profile_id" = OLD."billing_profile_id";
	END IF;
	IF TG_OP IN ('INSERT', 'UPDATE') THEN
		INSERT INTO "invoice_counts" ("billing_profile_id", "billing_account_id", "invoices")
			VALUES (NEW."billing_profile_id", NEW."billing_account_id", 1)
			ON CONFLICT ("billing_profile_id") DO UPDATE SET "invoices" = "invoice_counts"."invoices" + 1;
	END IF;
	RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "invoice_counts_insert_delete" AFTER INSERT OR DELETE ON "invoices"
	FOR EACH ROW EXECUTE FUNCTION "invoice_counts_maintain"();
--> statement-breakpoint
CREATE TRIGGER "invoice_counts_move" AFTER UPDATE OF "billing_profile_id", "billing_account_id" ON "invoices"
	FOR EACH ROW WHEN (OLD."billing_profile_id" IS DISTINCT FROM NEW."billing_profile_id" OR OLD."billing_account_id" IS DISTINCT FROM NEW."billing_account_id")
	EXECUTE FUNCTION "invoice_counts_maintain"();
