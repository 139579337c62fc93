import { describe, expect, it } from 'vitest';
import { migrateDatabase, openDatabase, type DatabaseHandle } from './connection.js';
import { seedDemoData, seedLargeInvoices } from './seed.js';
import { openSqliteStore } from './store.js';

const TABLES = [
  'users',
  'billing_accounts',
  'billing_profiles',
  'billing_role_assignments',
  'payment_methods',
  'invoices',
  'invoice_line_items',
];

function dump(handle: DatabaseHandle): string {
  return JSON.stringify(TABLES.map((table) => handle.sqlite.prepare(`SELECT * FROM ${table} ORDER BY id`).all()));
}

async function seeded(today: string): Promise<DatabaseHandle> {
  const handle = openDatabase({ path: ':memory:' });
  migrateDatabase(handle);
  await seedDemoData(openSqliteStore(handle), { today });
  return handle;
}

describe('demo seed', () => {
  it('is deterministic: the same day gives byte-identical rows', async () => {
    expect(dump(await seeded('2026-11-29'))).toBe(dump(await seeded('2026-11-29')));
    expect(dump(await seeded('2026-11-29'))).not.toBe(dump(await seeded('2026-11-30')));
  });

  it('tells the portal story: two tenants, every role, every invoice state, an expired card', async () => {
    const handle = await seeded('2026-11-29');
    const q = <T>(sql: string) => handle.sqlite.prepare(sql).all() as T[];
    expect(
      q<{ n: number }>('SELECT count(DISTINCT owner_user_id) AS n FROM billing_accounts')[0]!.n,
    ).toBeGreaterThanOrEqual(2);
    const roles = q<{ role: string }>(
      'SELECT DISTINCT role FROM billing_role_assignments WHERE billing_account_id = 1',
    ).map((r) => r.role);
    expect(roles.sort()).toEqual(['CONTRIBUTOR', 'INVOICE_MANAGER', 'OWNER', 'READER']);
    const lifecycles = q<{ lifecycle: string }>('SELECT DISTINCT lifecycle FROM invoices').map((r) => r.lifecycle);
    expect(lifecycles.sort()).toEqual(['OPEN', 'PAID', 'VOID']);
    expect(q(`SELECT 1 FROM invoices WHERE lifecycle = 'OPEN' AND due_date < '2026-11-29'`).length).toBeGreaterThan(0);
    expect(q(`SELECT 1 FROM invoices WHERE lifecycle = 'OPEN' AND due_date >= '2026-11-29'`).length).toBeGreaterThan(0);
    expect(q(`SELECT 1 FROM payment_methods WHERE exp_year < 2026`).length).toBeGreaterThan(0);
    expect(
      q<{ n: number }>('SELECT count(*) AS n FROM billing_profiles WHERE billing_account_id = 1')[0]!.n,
    ).toBeGreaterThanOrEqual(3);
  });

  it('large generator adds the requested invoices with line items, reporting progress', async () => {
    const handle = await seeded('2026-11-29');
    const progress: number[] = [];
    await seedLargeInvoices(openSqliteStore(handle), {
      billingAccountId: 1,
      billingProfileId: 1,
      currency: 'USD',
      invoices: 1_234,
      today: '2026-11-29',
      batchSize: 500,
      onProgress: (done) => progress.push(done),
    });
    expect(progress).toEqual([500, 1000, 1234]);
    const n = handle.sqlite.prepare(`SELECT count(*) AS n FROM invoices WHERE number LIKE 'L%'`).get() as { n: number };
    expect(n.n).toBe(1_234);
    const orphans = handle.sqlite
      .prepare(
        'SELECT count(*) AS n FROM invoices i WHERE NOT EXISTS (SELECT 1 FROM invoice_line_items l WHERE l.invoice_id = i.id)',
      )
      .get() as { n: number };
    expect(orphans.n).toBe(0);
  });
});
