import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { migrateDatabase, openDatabase, type DatabaseHandle } from './connection.js';
import { seedDemoData } from './seed.js';
import { openSqliteStore } from './store.js';
import * as t from './tables.js';

let handle: DatabaseHandle;
let invoice: typeof t.invoices.$inferSelect;

beforeEach(async () => {
  handle = openDatabase({ path: ':memory:' });
  migrateDatabase(handle);
  await seedDemoData(openSqliteStore(handle), { today: '2026-11-29' });
  invoice = (await handle.db.query.invoices.findFirst({ where: { id: 1 } }))!;
});

/** Drizzle wraps the driver's error; the constraint that fired is in its cause. */
async function expectViolation(query: PromiseLike<unknown>, constraint: RegExp): Promise<void> {
  const error = await Promise.resolve(query).then(
    () => null,
    (e: unknown) => e as Error & { cause?: Error },
  );
  expect(error, 'the statement should have been rejected').not.toBeNull();
  expect(`${error!.message} ${error!.cause?.message ?? ''}`).toMatch(constraint);
}

const rowCount = (table: string) =>
  (handle.sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

function invoiceValues(overrides: Partial<typeof t.invoices.$inferInsert> = {}): typeof t.invoices.$inferInsert {
  const { id: _id, ...rest } = invoice;
  return { ...rest, number: 'G999999999', ...overrides };
}

describe('constraints reject bad rows and change nothing', () => {
  it('a duplicate invoice number', async () => {
    const before = rowCount('invoices');
    await expectViolation(handle.db.insert(t.invoices).values(invoiceValues({ number: invoice.number })), /UNIQUE/);
    expect(rowCount('invoices')).toBe(before);
  });

  it('an orphan invoice (no such profile), and a profile from another account', async () => {
    await expectViolation(handle.db.insert(t.invoices).values(invoiceValues({ billingProfileId: 999 })), /FOREIGN KEY/);
    // Profile 4 belongs to Fabrikam (account 2): the composite key keeps account and profile consistent.
    await expectViolation(handle.db.insert(t.invoices).values(invoiceValues({ billingProfileId: 4 })), /FOREIGN KEY/);
  });

  it('negative money, a total that is not subtotal + tax, and more due than the total', async () => {
    await expectViolation(
      handle.db
        .insert(t.invoices)
        .values(invoiceValues({ subtotalMinor: -100, taxMinor: 0, totalMinor: -100, amountDueMinor: 0 })),
      /CHECK/,
    );
    await expectViolation(
      handle.db.insert(t.invoices).values(invoiceValues({ totalMinor: invoice.totalMinor + 1 })),
      /CHECK/,
    );
    await expectViolation(
      handle.db.insert(t.invoices).values(invoiceValues({ amountDueMinor: invoice.totalMinor + 1 })),
      /CHECK/,
    );
    await expectViolation(
      handle.db.insert(t.invoiceLineItems).values({
        invoiceId: 1,
        billingAccountId: 1,
        position: 99,
        description: 'x',
        serviceName: 'x',
        quantity: 1,
        unitPriceMinor: -5,
        amountMinor: -5,
      }),
      /CHECK/,
    );
  });

  it('a paid invoice without paid-at, or a malformed date', async () => {
    await expectViolation(
      handle.db.insert(t.invoices).values(invoiceValues({ lifecycle: 'PAID', paidAt: null })),
      /CHECK/,
    );
    await expectViolation(handle.db.insert(t.invoices).values(invoiceValues({ dueDate: '29/11/2026' })), /CHECK/);
  });

  it('a duplicate idempotency key for the same principal and operation (other principals may reuse it)', async () => {
    const record = {
      principal: 'user:1',
      operation: 'payInvoice',
      key: 'k-1',
      requestFingerprint: 'f',
      expiresAt: '2026-11-30T00:00:00.000Z',
    };
    await handle.db.insert(t.idempotencyRecords).values(record);
    await expectViolation(handle.db.insert(t.idempotencyRecords).values(record), /UNIQUE/);
    await handle.db.insert(t.idempotencyRecords).values({ ...record, principal: 'user:2' });
    await handle.db.insert(t.idempotencyRecords).values({ ...record, operation: 'other' });
    expect(rowCount('idempotency_records')).toBe(3);
  });

  it('two live payments for one invoice (the database-level exactly-once guard)', async () => {
    const payment = {
      billingAccountId: 1,
      invoiceId: 1,
      paymentMethodId: 1,
      amountMinor: 100,
      currency: 'USD',
      status: 'PROCESSING' as const,
      initiatedBy: 'user:1',
    };
    await handle.db.insert(t.payments).values({ ...payment, processorIdempotencyKey: 'a' });
    await expectViolation(handle.db.insert(t.payments).values({ ...payment, processorIdempotencyKey: 'b' }), /UNIQUE/);
    await handle.db.update(t.payments).set({ status: 'FAILED' }).where(eq(t.payments.processorIdempotencyKey, 'a'));
    await handle.db.insert(t.payments).values({ ...payment, processorIdempotencyKey: 'b' });
    await expectViolation(
      handle.db.insert(t.payments).values({ ...payment, processorIdempotencyKey: 'c', amountMinor: 0 }),
      /CHECK/,
    );
  });

  it('an account-level invoice-manager role, and a second account role for the same user', async () => {
    await expectViolation(
      handle.db.insert(t.billingRoleAssignments).values({ userId: 3, billingAccountId: 1, role: 'INVOICE_MANAGER' }),
      /CHECK/,
    );
    await expectViolation(
      handle.db.insert(t.billingRoleAssignments).values({ userId: 3, billingAccountId: 1, role: 'OWNER' }),
      /UNIQUE/,
    );
  });

  it('a card with an impossible expiry or a last-four that is not four digits', async () => {
    const card = { billingAccountId: 1, billingProfileId: 1, brand: 'VISA', holderName: 'A', processorToken: 'tok_x' };
    await expectViolation(
      handle.db.insert(t.paymentMethods).values({ ...card, last4: '4242', expMonth: 13, expYear: 2030 }),
      /CHECK/,
    );
    await expectViolation(
      handle.db.insert(t.paymentMethods).values({ ...card, last4: '42424', expMonth: 1, expYear: 2030 }),
      /CHECK/,
    );
  });
});
