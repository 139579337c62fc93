// BillingReads on the dialect of the vitest project (BILLING_TEST_DIALECT): batch lookups, keyset
// pages against an in-memory oracle, exact counts, and query plans that walk the (scope, date, id)
// indexes instead of sorting.
import { eq } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase, openDatabase, type DatabaseHandle } from './connection.js';
import { openPostgresStore, openSqliteStore, type BillingStore } from './store.js';
import { createTestPostgresDatabase, type TestPostgresDatabase } from './test-database.js';
import type { InvoiceKey, InvoiceListFilter, InvoiceOrder, InvoiceRow, InvoiceScope } from './reads.js';
import { seedDemoData, seedLargeInvoices } from './seed.js';

const TODAY = '2026-11-29';
const dialect = process.env.BILLING_TEST_DIALECT === 'postgresql' ? 'postgresql' : 'sqlite';
let handle: DatabaseHandle | undefined;
let database: TestPostgresDatabase | undefined;
let store: BillingStore;
const statements: { sql: string; params: unknown[] }[] = [];
const onQuery = (sql: string, params: unknown[]) => statements.push({ sql, params });

beforeAll(async () => {
  if (dialect === 'sqlite') {
    handle = openDatabase({ path: ':memory:', onQuery });
    migrateDatabase(handle);
    store = openSqliteStore(handle);
  } else {
    database = await createTestPostgresDatabase();
    store = openPostgresStore({ url: database.url, onQuery });
    await store.migrate();
  }
  await seedDemoData(store, { today: TODAY });
  await seedLargeInvoices(store, {
    billingAccountId: 1,
    billingProfileId: 2,
    currency: 'USD',
    invoices: 300,
    today: TODAY,
  });
});

afterAll(async () => {
  await store?.close();
  await database?.drop();
});

const keyOf = (row: InvoiceRow, order: InvoiceOrder): InvoiceKey => ({ value: row[order.column], id: row.id });

/** Every invoice of the scope in the order, sorted here (the oracle for paging). */
async function everything(scope: InvoiceScope, filter: InvoiceListFilter, order: InvoiceOrder) {
  const all = await store.reads.invoicePage({ scope, filter, order, limit: 1_000_000, fromEnd: false });
  const sorted = [...all].sort((a, b) => {
    const byColumn = a[order.column] < b[order.column] ? -1 : a[order.column] > b[order.column] ? 1 : a.id - b.id;
    return order.descending ? -byColumn : byColumn;
  });
  expect(all.map((r) => r.id)).toEqual(sorted.map((r) => r.id));
  return all;
}

describe(`BillingReads (${dialect})`, () => {
  it('looks rows up by id in one statement per batch, whatever the batch size', async () => {
    statements.length = 0;
    const invoices = await store.reads.invoicesByIds([1, 2, 3, 999_999]);
    expect(invoices.map((i) => i.id).sort()).toEqual([1, 2, 3]);
    const lines = await store.reads.lineItemsByInvoiceIds([1, 2]);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.currency === invoices.find((i) => i.id === l.invoiceId)!.currency)).toBe(true);
    for (let i = 1; i < lines.length; i++) {
      const [a, b] = [lines[i - 1]!, lines[i]!];
      expect(a.invoiceId < b.invoiceId || (a.invoiceId === b.invoiceId && a.position < b.position)).toBe(true);
    }
    expect(statements.length).toBe(2);
    expect(await store.reads.invoicesByIds([])).toEqual([]);
    expect(statements.length).toBe(2);
  });

  it('reads cards without their processor token, with the default flag, and API keys without the hash', async () => {
    const cards = await store.reads.activePaymentMethodsByProfileIds([1]);
    expect(cards.length).toBeGreaterThan(1);
    expect(cards.filter((c) => c.isDefault)).toHaveLength(1);
    expect(cards[0]!.isDefault).toBe(true);
    expect(cards.slice(1).map((c) => c.id)).toEqual(
      cards
        .slice(1)
        .map((c) => c.id)
        .sort((a, b) => a - b),
    );
    for (const card of cards) {
      expect(Object.keys(card)).not.toContain('processorToken');
      expect(card.removedAt).toBeNull();
    }
    const profile = (await store.reads.profilesByIds([1]))[0]!;
    expect(cards.find((c) => c.isDefault)!.id).toBe(profile.defaultPaymentMethodId);
    const payments = await store.reads.paymentsByInvoiceIds([5]);
    expect(payments.every((p) => p.billingProfileId === 1)).toBe(true);
  });

  it('pages forward and backward by keyset exactly as the whole ordered list, for each order and scope', async () => {
    const scopes: InvoiceScope[] = [
      { billingAccountId: 1, billingProfileIds: null },
      { billingAccountId: 1, billingProfileIds: [2] },
      { billingAccountId: 1, billingProfileIds: [1, 3] },
    ];
    const filters: InvoiceListFilter[] = [
      {},
      {
        statusConditions: [{ lifecycles: ['OPEN', 'PAYMENT_IN_PROGRESS'], dueBefore: TODAY }, { lifecycles: ['PAID'] }],
      },
      { dueOnOrAfter: '2026-01-01', dueOnOrBefore: '2026-06-30' },
    ];
    for (const scope of scopes) {
      for (const filter of filters) {
        for (const order of [
          { column: 'invoiceDate', descending: true },
          { column: 'dueDate', descending: false },
        ] as const) {
          const all = await everything(scope, filter, order);
          expect(await store.reads.invoiceCount(scope, filter)).toBe(all.length);
          const walked: number[] = [];
          let after: InvoiceKey | undefined;
          for (;;) {
            const page = await store.reads.invoicePage({
              scope,
              filter,
              order,
              limit: 7,
              fromEnd: false,
              ...(after ? { after } : {}),
            });
            walked.push(...page.map((r) => r.id));
            if (page.length < 7) break;
            after = keyOf(page[page.length - 1]!, order);
          }
          expect(walked).toEqual(all.map((r) => r.id));
          if (all.length < 12) continue;
          // The 5 rows before the 12th, taken from the end: returned nearest-first.
          const before = keyOf(all[11]!, order);
          const back = await store.reads.invoicePage({ scope, filter, order, before, limit: 5, fromEnd: true });
          expect(back.map((r) => r.id).reverse()).toEqual(all.slice(6, 11).map((r) => r.id));
          const between = await store.reads.invoicePage({
            scope,
            filter,
            order,
            after: keyOf(all[2]!, order),
            before,
            limit: 100,
            fromEnd: false,
          });
          expect(between.map((r) => r.id)).toEqual(all.slice(3, 11).map((r) => r.id));
        }
      }
    }
  });

  it('matches nothing for an empty profile list, and finds by number', async () => {
    const none = { billingAccountId: 1, billingProfileIds: [] };
    expect(
      await store.reads.invoicePage({
        scope: none,
        filter: {},
        order: { column: 'dueDate', descending: true },
        limit: 10,
        fromEnd: false,
      }),
    ).toEqual([]);
    expect(await store.reads.invoiceCount(none, {})).toBe(0);
    const [byNumber] = await store.reads.invoicesByNumbers(['L000000042']);
    expect(byNumber?.billingProfileId).toBe(2);
    const scoped = await store.reads.invoiceCount(
      { billingAccountId: 1, billingProfileIds: [2] },
      { number: 'L000000042' },
    );
    expect(scoped).toBe(1);
  });

  it('walks the (scope, column, id) index for pages and counts: no sort, no table scan', async () => {
    /** The plan of the statement that `run` executes. */
    const planOf = async (run: () => Promise<unknown>) => {
      statements.length = 0;
      await run();
      const [{ sql, params }] = statements as [{ sql: string; params: unknown[] }];
      if (handle) {
        return (handle.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[])
          .map((r) => r.detail)
          .join('; ');
      }
      // A few hundred rows fit in a page or two, where PostgreSQL rightly prefers a scan; with scans
      // priced out, the plan shows whether the index fits the statement's shape at all.
      const client = new pg.Client({ connectionString: database!.url });
      await client.connect();
      try {
        await client.query('SET enable_seqscan = off');
        const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params);
        return rows.map((r) => r['QUERY PLAN']).join('; ');
      } finally {
        await client.end();
      }
    };
    const deep = { value: '2026-01-01', id: 10 };
    const account = { billingAccountId: 1, billingProfileIds: null };
    const profile = { billingAccountId: 1, billingProfileIds: [2] };
    const cases: [() => Promise<unknown>, RegExp][] = [
      [
        () =>
          store.reads.invoicePage({
            scope: account,
            filter: {},
            order: { column: 'invoiceDate', descending: true },
            after: deep,
            limit: 51,
            fromEnd: false,
          }),
        dialect === 'sqlite'
          ? /USING INDEX invoices_account_date_idx \(billing_account_id=\? AND \(?invoice_date/
          : /Index Scan( Backward)? using invoices_account_date_idx on invoices i {2}\(cost[^;]*; +Index Cond: \(\(billing_account_id = \d+\) AND \(ROW\(invoice_date, id\) < ROW/,
      ],
      [
        () =>
          store.reads.invoicePage({
            scope: profile,
            filter: {},
            order: { column: 'dueDate', descending: false },
            after: deep,
            limit: 51,
            fromEnd: false,
          }),
        dialect === 'sqlite'
          ? /USING INDEX invoices_profile_due_idx \(billing_profile_id=\? AND \(?due_date/
          : /Index Scan using invoices_profile_due_idx on invoices i {2}\(cost[^;]*; +Index Cond: \(\(billing_profile_id = \d+\) AND \(ROW\(due_date, id\) > ROW/,
      ],
      // Unfiltered counts read the per-profile counts (invoice_counts), not the invoices.
      [
        () => store.reads.invoiceCount(account, {}),
        dialect === 'sqlite'
          ? /^SEARCH invoice_counts USING INDEX invoice_counts_account_idx \(billing_account_id=\?\)$/
          : /Index Scan (using|on) invoice_counts_account_idx/,
      ],
      [
        () => store.reads.invoiceCount(profile, {}),
        dialect === 'sqlite'
          ? /^SEARCH invoice_counts USING INTEGER PRIMARY KEY \(rowid=\?\)$/
          : /Index Scan using invoice_counts_pkey on invoice_counts/,
      ],
      // A filtered count counts the range of an index.
      [
        () => store.reads.invoiceCount(account, { dueOnOrAfter: '2026-01-01' }),
        dialect === 'sqlite'
          ? /USING COVERING INDEX invoices_account_due_idx \(billing_account_id=\? AND due_date>\?\)/
          : /Index Only Scan using invoices_account_\w*due_idx on invoices i/,
      ],
    ];
    for (const [run, expected] of cases) {
      const detail = await planOf(run);
      expect(detail).toMatch(expected);
      // A range on the index, not a scan of the scope: a deep page costs what the first one does.
      expect(detail).not.toMatch(
        dialect === 'sqlite' ? /TEMP B-TREE|SCAN/ : /Sort|Seq Scan|Bitmap Heap Scan on invoices\b/,
      );
    }
  });
  // Last: it changes rows the tests above read.
  it('counts an unfiltered list from the counts the triggers keep: exact after inserts, moves and deletes', async () => {
    const order = { column: 'invoiceDate', descending: true } as const;
    const scopes: InvoiceScope[] = [
      { billingAccountId: 1, billingProfileIds: null },
      { billingAccountId: 1, billingProfileIds: [1] },
      { billingAccountId: 1, billingProfileIds: [2] },
      { billingAccountId: 1, billingProfileIds: [1, 2, 3] },
      { billingAccountId: 2, billingProfileIds: null },
    ];
    const expectExact = async () => {
      for (const scope of scopes)
        expect(await store.reads.invoiceCount(scope, {})).toBe((await everything(scope, {}, order)).length);
    };
    // The seeds' inserts went through the insert trigger.
    await expectExact();
    const [moved] = await store.rawQuery<{ id: number }>(
      'SELECT max(id) AS id FROM invoices WHERE billing_profile_id = 2',
    );
    await store.rawQuery('UPDATE invoices SET billing_profile_id = 1 WHERE id = ?', [moved!.id]);
    await expectExact();
    for (const table of ['invoice_line_items', 'payments', 'credit_applications', 'wire_transfers', 'billing_events'])
      await store.rawQuery(`DELETE FROM ${table} WHERE invoice_id = ?`, [moved!.id]);
    await store.rawQuery('DELETE FROM invoices WHERE id = ?', [moved!.id]);
    await expectExact();
    // Counted inside the inserting transaction, and rolled back with it, like the row.
    const countOfProfile2 = async (db: Pick<typeof store.db, 'select'>) =>
      (
        await db
          .select({ n: store.t.invoiceCounts.invoices })
          .from(store.t.invoiceCounts)
          .where(eq(store.t.invoiceCounts.billingProfileId, 2))
      )[0]!.n;
    const before = await countOfProfile2(store.db);
    await expect(
      store.transaction(async (tx) => {
        await tx.insert(store.t.invoices).values({
          number: 'ROLLED-BACK-1',
          billingAccountId: 1,
          billingProfileId: 2,
          periodStart: '2026-01-01',
          periodEnd: '2026-01-31',
          invoiceDate: '2026-02-01',
          dueDate: '2026-03-01',
          currency: 'USD',
          subtotalMinor: 100,
          taxMinor: 0,
          totalMinor: 100,
          amountDueMinor: 100,
        });
        expect(await countOfProfile2(tx)).toBe(before + 1);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await expectExact();
  });
});
