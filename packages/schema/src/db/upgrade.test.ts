// A database made by the previous release upgrades in place: rows written before the last migration
// survive it, and line items take their invoice's billing_account_id. Runs on the dialect of the
// vitest project (BILLING_TEST_DIALECT).
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate as migrateSqlite } from 'drizzle-orm/better-sqlite3/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER, openDatabase } from './connection.js';
import { type BillingStore, openPostgresStore, openSqliteStore, PG_MIGRATIONS_FOLDER } from './store.js';
import { createTestPostgresDatabase } from './test-database.js';

const dialect = process.env.BILLING_TEST_DIALECT === 'postgresql' ? 'postgresql' : 'sqlite';
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** The release before line items carried their account: the migration that added it, and every later one. */
const FIRST_NEW = 'line_items_billing_account';
const newerCount = (folder: string) => {
  const migrations = readdirSync(folder).sort();
  return migrations.length - migrations.findIndex((name) => name.endsWith(FIRST_NEW));
};

/** A copy of `folder` with only the migrations before FIRST_NEW. */
function previousMigrations(folder: string): string {
  const copy = mkdtempSync(join(tmpdir(), 'billing-migrations-'));
  cleanups.push(() => rmSync(copy, { recursive: true, force: true }));
  const migrations = readdirSync(folder).sort();
  const first = migrations.findIndex((name) => name.endsWith(FIRST_NEW));
  for (const name of migrations.slice(0, first)) cpSync(join(folder, name), join(copy, name), { recursive: true });
  return copy;
}

/** A store whose database has the previous release's migrations. */
async function previousRelease(): Promise<BillingStore> {
  if (dialect === 'sqlite') {
    const handle = openDatabase({ path: ':memory:' });
    migrateSqlite(handle.db, { migrationsFolder: previousMigrations(MIGRATIONS_FOLDER) });
    return openSqliteStore(handle);
  }
  const database = await createTestPostgresDatabase();
  cleanups.push(() => database.drop());
  const pool = new pg.Pool({ connectionString: database.url });
  pool.on('error', () => {});
  await migratePg(drizzlePg({ client: pool }), { migrationsFolder: previousMigrations(PG_MIGRATIONS_FOLDER) });
  await pool.end();
  return openPostgresStore({ url: database.url });
}

describe(`upgrading a ${dialect} database`, () => {
  it('gives existing line items their invoice account and keeps every row', async () => {
    const store = await previousRelease();
    cleanups.push(() => store.close());
    expect(await store.pendingMigrations()).toBe(
      newerCount(dialect === 'sqlite' ? MIGRATIONS_FOLDER : PG_MIGRATIONS_FOLDER),
    );
    const at = '2026-01-01T00:00:00.000Z';
    await store.rawQuery(
      `INSERT INTO users (id, email, display_name, created_at) VALUES (1, 'a@example.com', 'A', '${at}'), (2, 'b@example.com', 'B', '${at}')`,
    );
    await store.rawQuery(
      `INSERT INTO billing_accounts (id, display_name, agreement_type, status, owner_user_id, created_at)
       VALUES (10, 'A', 'ENTERPRISE_AGREEMENT', 'ACTIVE', 1, '${at}'), (20, 'B', 'ENTERPRISE_AGREEMENT', 'ACTIVE', 2, '${at}')`,
    );
    await store.rawQuery(
      `INSERT INTO billing_profiles (id, billing_account_id, display_name, currency, created_at)
       VALUES (11, 10, 'A', 'USD', '${at}'), (21, 20, 'B', 'EUR', '${at}')`,
    );
    await store.rawQuery(
      `INSERT INTO invoices (id, number, billing_account_id, billing_profile_id, period_start, period_end, invoice_date,
         due_date, currency, subtotal_minor, tax_minor, total_minor, amount_due_minor, lifecycle, created_at, updated_at)
       VALUES (100, 'A-1', 10, 11, '2026-01-01', '2026-01-31', '2026-02-01', '2026-03-01', 'USD', 500, 0, 500, 500, 'OPEN', '${at}', '${at}'),
              (200, 'B-1', 20, 21, '2026-01-01', '2026-01-31', '2026-02-01', '2026-03-01', 'EUR', 700, 0, 700, 700, 'OPEN', '${at}', '${at}')`,
    );
    await store.rawQuery(
      `INSERT INTO invoice_line_items (id, invoice_id, position, description, service_name, quantity, unit_price_minor, amount_minor)
       VALUES (1, 100, 1, 'a', 'Compute', 1, 500, 500), (2, 200, 1, 'b', 'Storage', 7, 100, 700)`,
    );

    await store.migrate();
    expect(await store.pendingMigrations()).toBe(0);
    const lines = await store.rawQuery<{ id: number; billing_account_id: number; amount_minor: unknown }>(
      'SELECT id, billing_account_id, amount_minor FROM invoice_line_items ORDER BY id',
    );
    expect(lines.map((l) => [l.id, l.billing_account_id, Number(l.amount_minor)])).toEqual([
      [1, 10, 500],
      [2, 20, 700],
    ]);
    // The pair is now a foreign key: a line item cannot claim another tenant's invoice.
    await expect(
      store.rawQuery(
        `INSERT INTO invoice_line_items (id, invoice_id, billing_account_id, position, description, service_name, quantity, unit_price_minor, amount_minor)
         VALUES (3, 100, 20, 2, 'c', 'Compute', 1, 1, 1)`,
      ),
    ).rejects.toThrow(/FOREIGN KEY|foreign key/);
  });
});

// PostgreSQL support began after that release: there is no older PostgreSQL database to upgrade.
if (dialect === 'sqlite')
  describe('upgrading a SQLite database of the 2026-11 release', () => {
    it('rebuilds its tables with rows referencing them and keeps every row (foreign keys off while migrating)', async () => {
      const copy = mkdtempSync(join(tmpdir(), 'billing-migrations-'));
      cleanups.push(() => rmSync(copy, { recursive: true, force: true }));
      const migrations = readdirSync(MIGRATIONS_FOLDER).sort();
      const first = migrations.findIndex((name) => name.endsWith('portable_checks_app_defaults'));
      for (const name of migrations.slice(0, first))
        cpSync(join(MIGRATIONS_FOLDER, name), join(copy, name), { recursive: true });
      const handle = openDatabase({ path: ':memory:' });
      migrateSqlite(handle.db, { migrationsFolder: copy });
      const at = '2026-01-01T00:00:00.000Z';
      handle.sqlite.exec(
        `INSERT INTO users (id, email, display_name, created_at) VALUES (1, 'a@example.com', 'A', '${at}')`,
      );
      handle.sqlite.exec(
        `INSERT INTO billing_accounts (id, display_name, agreement_type, status, owner_user_id, created_at)
       VALUES (10, 'A', 'ENTERPRISE_AGREEMENT', 'ACTIVE', 1, '${at}')`,
      );
      const store = openSqliteStore(handle);
      cleanups.push(() => store.close());
      await store.migrate();
      expect(await store.pendingMigrations()).toBe(0);
      expect(await store.rawQuery('SELECT id, owner_user_id FROM billing_accounts')).toEqual([
        { id: 10, owner_user_id: 1 },
      ]);
      // Foreign keys are enforced again afterwards.
      await expect(
        store.rawQuery(
          `INSERT INTO billing_accounts (id, display_name, agreement_type, status, owner_user_id, created_at)
         VALUES (11, 'B', 'ENTERPRISE_AGREEMENT', 'ACTIVE', 999, '${at}')`,
        ),
      ).rejects.toThrow(/FOREIGN KEY/);
    });
  });
