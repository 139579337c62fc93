// Autopay on a real SQLite file and the real sandbox processor: a closed period is charged once to
// the default card; a decline leaves the invoice due and retries on the dunning schedule as the clock
// moves; reruns and a crash between charge and settlement never charge twice.
import { afterEach, describe, expect, it } from 'vitest';
import { autopayProcessorKey, runAutopayPass, setAutopay } from './autopay.js';
import { NotAuthorizedError, PaymentMethodNotAllowedError } from './errors.js';
import { addPaymentMethod, setDefaultPaymentMethod } from './payment-methods.js';
import { closeBillingPeriod } from './period-close.js';
import { reconcileStalePayments } from './reconciliation.js';
import { createBillingFixture, rejectionOf, SEEDED, snapshot, tempDir, type BillingFixture } from './test-support.js';

const DAY = 24 * 60 * 60 * 1000;
const ENGINEERING = SEEDED.profiles.engineering;
const fixtures: BillingFixture[] = [];
const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(() => {
  for (const fx of fixtures.splice(0)) fx.close();
  for (const dir of dirs.splice(0)) dir.remove();
});

async function fixture(options: Parameters<typeof createBillingFixture>[0] = {}): Promise<BillingFixture> {
  const fx = await createBillingFixture(options);
  fixtures.push(fx);
  return fx;
}

const close = (fx: BillingFixture, periodEnd = '2026-11-30') =>
  closeBillingPeriod(fx.services, {
    billingProfileId: ENGINEERING,
    periodStart: `${periodEnd.slice(0, 8)}01`,
    periodEnd,
    lineItems: [{ description: 'D4s v5 hours', serviceName: 'Virtual Machines', quantity: 10, unitPriceMinor: 1_234 }],
    taxMinor: 987,
  });

async function enableAutopay(fx: BillingFixture, defaultCard: number = SEEDED.cards.engVisa): Promise<void> {
  const ada = await fx.as('ada');
  await setDefaultPaymentMethod(fx.services, ada, defaultCard);
  await setAutopay(fx.services, ada, { billingProfileId: ENGINEERING, enabled: true });
}

const invoiceRow = (fx: BillingFixture, id: number) =>
  fx.handle.sqlite
    .prepare(
      'SELECT lifecycle, amount_due_minor AS due, autopay_attempts AS attempts, next_autopay_at AS next FROM invoices WHERE id = ?',
    )
    .get(id) as { lifecycle: string; due: number; attempts: number; next: string | null };
const paymentsOf = (fx: BillingFixture, id: number) =>
  fx.handle.sqlite
    .prepare(
      'SELECT status, failure_code AS code, processor_idempotency_key AS key FROM payments WHERE invoice_id = ? ORDER BY id',
    )
    .all(id);

describe('period close on an autopay profile', () => {
  it('charges the amount due to the default card once, under the attempt key; reruns charge nothing', async () => {
    const fx = await fixture();
    await enableAutopay(fx);
    const closed = await close(fx);
    expect(closed.autopay.kind).toBe('charged');
    expect(invoiceRow(fx, closed.invoiceId)).toMatchObject({ lifecycle: 'PAID', due: 0, attempts: 1 });
    expect(paymentsOf(fx, closed.invoiceId)).toEqual([
      { status: 'SUCCEEDED', code: null, key: autopayProcessorKey(closed.invoiceId, 1) },
    ]);
    expect(fx.processor.chargeCount()).toBe(1);

    const before = snapshot(fx.handle);
    expect((await close(fx)).autopay).toEqual({ kind: 'not-due' });
    expect(await runAutopayPass(fx.services)).toMatchObject({ examined: 0, charged: 0 });
    fx.clock.advance(30 * DAY);
    expect(await runAutopayPass(fx.services)).toMatchObject({ examined: 0, charged: 0 });
    expect(snapshot(fx.handle)).toBe(before);
    expect(fx.processor.chargeCount()).toBe(1);
  });

  it('autopay off: the invoice is issued and left for Pay now, nothing is charged', async () => {
    const fx = await fixture();
    const closed = await close(fx);
    expect(closed.autopay).toEqual({ kind: 'not-due' });
    expect(invoiceRow(fx, closed.invoiceId)).toMatchObject({ lifecycle: 'OPEN', next: null });
    expect(fx.processor.chargeCount()).toBe(0);
  });
});

describe('decline and dunning', () => {
  it('a decline leaves the invoice due with the failed payment; retries follow 1, 3, 7 days; then a good card pays', async () => {
    const fx = await fixture();
    await enableAutopay(fx, SEEDED.cards.engDeclined);
    const closed = await close(fx);
    const t0 = fx.clock.now().getTime();
    expect(closed.autopay).toMatchObject({ kind: 'declined', nextAttemptAt: new Date(t0 + DAY).toISOString() });
    expect(invoiceRow(fx, closed.invoiceId)).toMatchObject({ lifecycle: 'OPEN', attempts: 1 });
    expect(paymentsOf(fx, closed.invoiceId)).toEqual([
      { status: 'FAILED', code: 'GENERIC_DECLINE', key: autopayProcessorKey(closed.invoiceId, 1) },
    ]);

    // Not yet due: one minute short of a day, nothing happens.
    fx.clock.advance(DAY - 60_000);
    expect(await runAutopayPass(fx.services)).toMatchObject({ examined: 0 });
    fx.clock.advance(60_000);
    expect(await runAutopayPass(fx.services)).toMatchObject({ examined: 1, declined: 1 });
    expect(invoiceRow(fx, closed.invoiceId)).toMatchObject({
      attempts: 2,
      next: new Date(t0 + 4 * DAY).toISOString(),
    });
    fx.clock.advance(3 * DAY);
    expect(await runAutopayPass(fx.services)).toMatchObject({ declined: 1 });
    expect(invoiceRow(fx, closed.invoiceId)).toMatchObject({
      attempts: 3,
      next: new Date(t0 + 11 * DAY).toISOString(),
    });

    // The owner fixes the card before the last retry; that retry pays.
    await setDefaultPaymentMethod(fx.services, await fx.as('ada'), SEEDED.cards.engVisa);
    fx.clock.advance(7 * DAY);
    expect(await runAutopayPass(fx.services)).toMatchObject({ charged: 1 });
    expect(invoiceRow(fx, closed.invoiceId)).toMatchObject({ lifecycle: 'PAID', attempts: 4 });
    expect(paymentsOf(fx, closed.invoiceId).map((p) => (p as { status: string }).status)).toEqual([
      'FAILED',
      'FAILED',
      'FAILED',
      'SUCCEEDED',
    ]);
    expect(fx.processor.chargeCount({ status: 'SUCCEEDED' })).toBe(1);
  });

  it('the schedule runs out: after the last retry the invoice stays due and nothing more is tried', async () => {
    const fx = await fixture({ settings: { autopay: { retryDelaysDays: [2] } } });
    await enableAutopay(fx, SEEDED.cards.engDeclined);
    const closed = await close(fx);
    fx.clock.advance(2 * DAY);
    expect(await runAutopayPass(fx.services)).toMatchObject({ declined: 1 });
    expect(invoiceRow(fx, closed.invoiceId)).toMatchObject({ lifecycle: 'OPEN', attempts: 2, next: null });
    fx.clock.advance(60 * DAY);
    expect(await runAutopayPass(fx.services)).toMatchObject({ examined: 0 });
    expect(paymentsOf(fx, closed.invoiceId)).toHaveLength(2);
  });
});

describe('cards not for recurring charges', () => {
  it('a card saved under the no-recurring rule (issued in India) is never charged by autopay', async () => {
    const fx = await fixture();
    const ada = await fx.as('ada');
    await setAutopay(fx.services, ada, { billingProfileId: ENGINEERING, enabled: true });
    const indian = await addPaymentMethod(fx.services, ada, {
      billingProfileId: ENGINEERING,
      makeDefault: true,
      card: { number: '4000003560000008', expMonth: 12, expYear: 2030, cvc: '123', holderName: 'Ada Lovelace' },
    });
    expect(indian.notForRecurring).toBe(true);
    const closed = await close(fx);
    expect(closed.autopay).toEqual({ kind: 'skipped', reason: 'NOT_FOR_RECURRING' });
    expect(invoiceRow(fx, closed.invoiceId)).toMatchObject({ lifecycle: 'OPEN', next: null, attempts: 0 });
    expect(fx.processor.chargeCount()).toBe(0);
  });

  it('turning autopay on with such a default card is refused and changes nothing; only the admin may change it', async () => {
    const fx = await fixture();
    const ada = await fx.as('ada');
    await addPaymentMethod(fx.services, ada, {
      billingProfileId: ENGINEERING,
      makeDefault: true,
      card: { number: '4000003560000008', expMonth: 12, expYear: 2030, cvc: '123', holderName: 'Ada Lovelace' },
    });
    const before = snapshot(fx.handle);
    const refused = await rejectionOf(setAutopay(fx.services, ada, { billingProfileId: ENGINEERING, enabled: true }));
    expect(refused).toBeInstanceOf(PaymentMethodNotAllowedError);
    expect((refused as PaymentMethodNotAllowedError).reason).toBe('NOT_FOR_RECURRING');
    const carlos = await rejectionOf(
      setAutopay(fx.services, await fx.as('carlos'), { billingProfileId: ENGINEERING, enabled: false }),
    );
    expect(carlos).toBeInstanceOf(NotAuthorizedError);
    expect(snapshot(fx.handle)).toBe(before);
  });
});

describe('amounts a card may not pay', () => {
  it('above the card ceiling: the automatic charge is skipped with the reason, nothing is charged', async () => {
    const fx = await fixture();
    await enableAutopay(fx);
    const closed = await closeBillingPeriod(fx.services, {
      billingProfileId: ENGINEERING,
      periodStart: '2026-11-01',
      periodEnd: '2026-11-30',
      lineItems: [{ description: 'Reservation', serviceName: 'Reservations', quantity: 1, unitPriceMinor: 5_000_001 }],
      taxMinor: 0,
    });
    expect(closed.autopay).toEqual({ kind: 'skipped', reason: 'ABOVE_CARD_CEILING' });
    expect(invoiceRow(fx, closed.invoiceId)).toMatchObject({ lifecycle: 'OPEN', next: null, attempts: 0 });
    expect(fx.processor.chargeCount()).toBe(0);
    expect(fx.handle.sqlite.prepare("SELECT outcome FROM audit_events WHERE action = 'autopay.skip'").all()).toEqual([
      { outcome: 'ABOVE_CARD_CEILING' },
    ]);
  });
});

describe('a crash between the charge and its settlement', () => {
  it('the rerun and the pass charge nothing; reconciliation settles the one charge by its key', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const files = { databasePath: dir.path('gateway.db'), ledgerPath: dir.path('ledger.db') };
    const crashing = await fixture({
      ...files,
      faults: {
        afterChargeBeforeFinalize: () => {
          throw new Error('simulated crash');
        },
      },
    });
    await enableAutopay(crashing);
    expect((await rejectionOf(close(crashing))).message).toBe('simulated crash');
    crashing.close();
    fixtures.splice(fixtures.indexOf(crashing), 1);

    // The restarted process: same database and processor ledger, no fault.
    const fx = await fixture({ ...files, seed: false });
    const [invoice] = fx.handle.sqlite.prepare("SELECT id FROM invoices WHERE number LIKE 'A%'").all() as {
      id: number;
    }[];
    expect(invoiceRow(fx, invoice!.id)).toMatchObject({ lifecycle: 'PAYMENT_IN_PROGRESS', attempts: 1 });
    expect((await close(fx)).autopay).toEqual({ kind: 'not-due' });
    fx.clock.advance(2 * DAY);
    expect(await runAutopayPass(fx.services)).toMatchObject({ examined: 0 });
    expect(fx.processor.chargeCount()).toBe(1);

    expect(await reconcileStalePayments(fx.services)).toMatchObject({ succeeded: 1 });
    expect(invoiceRow(fx, invoice!.id)).toMatchObject({ lifecycle: 'PAID', due: 0 });
    expect(paymentsOf(fx, invoice!.id)).toEqual([
      { status: 'SUCCEEDED', code: null, key: autopayProcessorKey(invoice!.id, 1) },
    ]);
    expect(await runAutopayPass(fx.services)).toMatchObject({ examined: 0 });
    expect(fx.processor.chargeCount()).toBe(1);
  });
});
