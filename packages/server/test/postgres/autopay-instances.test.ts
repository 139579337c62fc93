// Two gateway instances on one PostgreSQL database, sharing one payment processor, run autopay at
// the same moment: one charge per invoice, whichever instance wins. Once through the scheduler's pass
// (the advisory lock lets one instance run it), and once by charging the same invoice directly from
// both at once (the conditional reservation lets one attempt through).
import {
  AccessView,
  chargeInvoiceAutomatically,
  closeBillingPeriod,
  fixedClock,
  runAutopayPass,
  setAutopay,
  setDefaultPaymentMethod,
  type BillingServices,
} from '@billing/schema/billing';
import { createTestPostgresDatabase, seedDemoData, type TestPostgresDatabase } from '@billing/schema/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createResources, type GatewayResources } from '../../src/services.js';

const DAY = 24 * 60 * 60 * 1000;
const clock = fixedClock('2026-12-01T06:00:00.000Z');
let database: TestPostgresDatabase;
const instances: GatewayResources[] = [];
let one: BillingServices;
let two: BillingServices;

beforeAll(async () => {
  database = await createTestPostgresDatabase();
  const config = loadConfig({
    DATABASE_URL: database.url,
    SANDBOX_LEDGER_PATH: ':memory:',
    JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256',
    LOG_LEVEL: 'silent',
  });
  instances.push(await createResources(config, { clock }), await createResources(config, { clock }));
  await seedDemoData(instances[0]!.store, { today: '2026-12-01' });
  one = instances[0]!.services;
  // One processor for both, as in production: its ledger is what "charged once" is counted on.
  two = { ...instances[1]!.services, processor: one.processor };
});
afterAll(async () => {
  for (const instance of instances) await instance.close();
  await database?.drop();
});

const ledger = () => instances[0]!.sandbox;
const close = (periodEnd: string) =>
  closeBillingPeriod(one, {
    billingProfileId: 1,
    periodStart: `${periodEnd.slice(0, 8)}01`,
    periodEnd,
    lineItems: [{ description: 'D4s v5 hours', serviceName: 'Virtual Machines', quantity: 3, unitPriceMinor: 4_321 }],
    taxMinor: 0,
  });
const succeededFor = async (invoiceId: number) =>
  Number(
    (
      await one.store.rawQuery<{ n: number }>(
        "SELECT CAST(count(*) AS INTEGER) AS n FROM payments WHERE invoice_id = ? AND status = 'SUCCEEDED'",
        [invoiceId],
      )
    )[0]!.n,
  );

describe('autopay across two instances on one PostgreSQL database', () => {
  it('both run the pass at once: one runs it, the invoice is charged once', async () => {
    const ada = await AccessView.load(one.store, { kind: 'user', userId: 1 });
    await setAutopay(one, ada, { billingProfileId: 1, enabled: true });
    // The first try declines, so the invoice waits for its retry: the moment both instances race for.
    await setDefaultPaymentMethod(one, ada, 3);
    const closed = await close('2026-11-30');
    expect(closed.autopay.kind).toBe('declined');
    await setDefaultPaymentMethod(one, ada, 1);
    clock.advance(DAY);

    const before = ledger().chargeCount({ status: 'SUCCEEDED' });
    const passes = await Promise.all([runAutopayPass(one), runAutopayPass(two), runAutopayPass(one)]);
    const charged = passes.reduce((sum, pass) => sum + (pass?.charged ?? 0), 0);
    expect(charged).toBe(1);
    expect(ledger().chargeCount({ status: 'SUCCEEDED' }) - before).toBe(1);
    expect(await succeededFor(closed.invoiceId)).toBe(1);
  });

  it('both close the same period at the same moment: one invoice, charged once', async () => {
    const ada = await AccessView.load(one.store, { kind: 'user', userId: 1 });
    await setDefaultPaymentMethod(one, ada, 1);
    const before = ledger().chargeCount({ status: 'SUCCEEDED' });
    const input = {
      billingProfileId: 1,
      periodStart: '2027-01-01',
      periodEnd: '2027-01-31',
      lineItems: [{ description: 'Log ingestion, GB', serviceName: 'Azure Monitor', quantity: 9, unitPriceMinor: 275 }],
      taxMinor: 0,
    };
    const closes = await Promise.all([closeBillingPeriod(one, input), closeBillingPeriod(two, input)]);
    expect(new Set(closes.map((c) => c.invoiceId)).size).toBe(1);
    expect(closes.map((c) => c.created).sort()).toEqual([false, true]);
    expect(closes.filter((c) => c.autopay.kind === 'charged')).toHaveLength(1);
    expect(ledger().chargeCount({ status: 'SUCCEEDED' }) - before).toBe(1);
    expect(await succeededFor(closes[0]!.invoiceId)).toBe(1);
  });

  it('both charge the same due invoice directly, bypassing the lock: one attempt, one charge', async () => {
    const ada = await AccessView.load(one.store, { kind: 'user', userId: 1 });
    await setDefaultPaymentMethod(one, ada, 3);
    const closed = await close('2026-12-31');
    expect(closed.autopay.kind).toBe('declined');
    await setDefaultPaymentMethod(one, ada, 1);
    clock.advance(DAY);

    const before = ledger().chargeCount({ status: 'SUCCEEDED' });
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, (_, i) => chargeInvoiceAutomatically(i % 2 ? two : one, closed.invoiceId)),
    );
    expect(outcomes.filter((o) => o.kind === 'charged')).toHaveLength(1);
    expect(outcomes.filter((o) => o.kind === 'not-due')).toHaveLength(5);
    expect(ledger().chargeCount({ status: 'SUCCEEDED' }) - before).toBe(1);
    expect(await succeededFor(closed.invoiceId)).toBe(1);
  });
});
