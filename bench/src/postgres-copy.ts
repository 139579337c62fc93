// The bench's SQLite rows, copied into a throwaway PostgreSQL database for the PostGraphile peer
// (`pnpm bench --peers`). The schema comes from the project's own PostgreSQL migrations (as scale-out.ts
// builds its PostgreSQL copy: openStore + migrate on createTestPostgresDatabase), then the rows of the
// tables the invoices page reads are copied as they are, ids included, so both sides hold the same
// rows. The 1M-invoice scale tenant is left out: the invoices page never reads it, and copying millions
// of rows would dominate the stage.
//
// Row-level security for the "JWT + RLS" variant: a login role of its own (random name, dropped with the
// database) that may only SELECT, and policies over the role assignments of `jwt.claims.sub`, written
// as IN-subqueries (correlated EXISTS was measured 12x slower, TOOLCHAIN.md).
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createTestPostgresDatabase, openStore, TEST_POSTGRES_URL } from '@billing/schema/db';

/** Parents before children, though foreign keys are not checked while copying (replica mode). */
const TABLES = [
  'users',
  'billing_accounts',
  'billing_profiles',
  'payment_methods',
  'billing_role_assignments',
  'invoices',
  'invoice_line_items',
  'payments',
] as const;
const BATCH = 5_000;

export interface PostgresCopy {
  /** Connects as postgres (superuser: row-level security does not apply). */
  url: string;
  /** Connects as the RLS role: every row it reads passes the policies. */
  rlsUrl: string;
  rows: Record<string, number>;
  seconds: number;
  drop(): Promise<void>;
}

const userSetting = `NULLIF(current_setting('jwt.claims.sub', true), '')::integer`;
/** Accounts the user holds an account-level role on; profiles the user holds a profile-level role on. */
const grantedAccounts = `SELECT billing_account_id FROM billing_role_assignments WHERE user_id = ${userSetting} AND billing_profile_id IS NULL`;
const grantedProfiles = `SELECT billing_profile_id FROM billing_role_assignments WHERE user_id = ${userSetting} AND billing_profile_id IS NOT NULL`;
const anyGrantAccounts = `SELECT billing_account_id FROM billing_role_assignments WHERE user_id = ${userSetting}`;
const invoiceVisible = `billing_account_id IN (${grantedAccounts}) OR billing_profile_id IN (${grantedProfiles})`;
const POLICIES: Record<string, string> = {
  users: `id = ${userSetting}`,
  billing_role_assignments: `user_id = ${userSetting}`,
  billing_accounts: `id IN (${anyGrantAccounts})`,
  billing_profiles: `billing_account_id IN (${grantedAccounts}) OR id IN (${grantedProfiles})`,
  invoices: invoiceVisible,
  // Line items and payments: visible when their invoice is (the invoices policy applies inside).
  invoice_line_items: `invoice_id IN (SELECT id FROM invoices)`,
  payments: `invoice_id IN (SELECT id FROM invoices)`,
};

export async function copyToPostgres(sqlitePath: string, skipAccountId: number): Promise<PostgresCopy> {
  const started = performance.now();
  const database = await createTestPostgresDatabase();
  const role = `bench_rls_${randomBytes(5).toString('hex')}`;
  const store = openStore({ url: database.url });
  const client = new pg.Client({ connectionString: database.url });
  client.on('error', () => {});
  const sqlite = new Database(sqlitePath, { readonly: true, fileMustExist: true });
  const dropRole = async () => {
    const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    admin.on('error', () => {});
    await admin.connect();
    try {
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
    } finally {
      await admin.end();
    }
  };
  const drop = async () => {
    await database.drop();
    await dropRole();
  };
  const rows: Record<string, number> = {};
  try {
    await store.migrate();
    await store.close();
    await client.connect();
    await client.query('SET session_replication_role = replica');
    for (const table of TABLES) {
      const pgColumns = new Set(
        (
          await client.query<{ column_name: string }>(
            'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
            ['public', table],
          )
        ).rows.map((r) => r.column_name),
      );
      const sqliteColumns = (
        sqlite.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]
      ).filter((c) => pgColumns.has(c));
      const where =
        table === 'users'
          ? 'id NOT IN (SELECT owner_user_id FROM billing_accounts WHERE id = ?)'
          : table === 'billing_accounts'
            ? 'id <> ?'
            : 'billing_account_id <> ?';
      const select = sqlite.prepare(`SELECT ${sqliteColumns.join(', ')} FROM ${table} WHERE ${where} ORDER BY id`);
      const list = sqliteColumns.join(', ');
      const insert = `INSERT INTO ${table} (${list}) SELECT ${list} FROM json_populate_recordset(NULL::${table}, $1)`;
      let batch: unknown[] = [];
      let count = 0;
      for (const row of select.iterate(skipAccountId)) {
        batch.push(row);
        if (batch.length === BATCH) {
          await client.query(insert, [JSON.stringify(batch)]);
          count += batch.length;
          batch = [];
        }
      }
      if (batch.length > 0) await client.query(insert, [JSON.stringify(batch)]);
      rows[table] = count + batch.length;
    }
    await client.query('SET session_replication_role = DEFAULT');
    // Line items reference their invoice by (id, account) against a unique index, which PostGraphile
    // does not follow (it needs a constraint); a plain foreign key gives it Invoice.invoiceLineItemsByInvoiceId.
    await client.query(
      'ALTER TABLE invoice_line_items ADD CONSTRAINT bench_line_items_invoice_fk FOREIGN KEY (invoice_id) REFERENCES invoices (id)',
    );
    await client.query(`CREATE ROLE ${role} LOGIN`);
    await client.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
    for (const [table, using] of Object.entries(POLICIES)) {
      await client.query(`GRANT SELECT ON ${table} TO ${role}`);
      await client.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await client.query(`CREATE POLICY bench_read ON ${table} FOR SELECT TO ${role} USING (${using})`);
    }
    await client.query('ANALYZE');
  } catch (error) {
    await client.end().catch(() => {});
    sqlite.close();
    await drop().catch(() => {});
    throw error;
  }
  await client.end();
  sqlite.close();
  const rlsUrl = new URL(database.url);
  rlsUrl.username = role;
  return { url: database.url, rlsUrl: rlsUrl.toString(), rows, seconds: (performance.now() - started) / 1000, drop };
}
