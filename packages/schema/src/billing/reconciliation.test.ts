import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { payments } from '../db/tables.js';
import { CardDeclinedError, IdempotencyKeyInUseError, InvoiceNotPayableError } from './errors.js';
import { addPaymentMethod } from './payment-methods.js';
import { beginIdempotent, requestFingerprint } from './idempotency.js';
import { PAY_INVOICE_OPERATION, payInvoice, processorKeyFor, type PayInvoiceInput } from './payments.js';
import { reconcilePayment, reconcileStalePayments, startReconciler } from './reconciliation.js';
import {
  createBillingFixture,
  rejectionOf,
  SEEDED,
  tempDir,
  type BillingFixture,
  type FixtureOptions,
} from './test-support.js';

const INVOICE = SEEDED.invoices.engineeringPastDue;
const PAST_THRESHOLD_MS = 61_000; // settings.reconcileAfterMs is 60 s in the fixture

const fixtures: BillingFixture[] = [];
const dirs: ReturnType<typeof tempDir>[] = [];
async function setup(options: FixtureOptions = {}): Promise<BillingFixture> {
  const fx = await createBillingFixture(options);
  fixtures.push(fx);
  return fx;
}
afterEach(() => {
  for (const fx of fixtures.splice(0)) fx.close();
  for (const dir of dirs.splice(0)) dir.remove();
});

async function pay(fx: BillingFixture, input: Partial<PayInvoiceInput> = {}) {
  return payInvoice(fx.services, await fx.as('ada'), {
    invoiceId: INVOICE,
    paymentMethodId: SEEDED.cards.engVisa,
    idempotencyKey: 'client-key',
    ...input,
  });
}

async function addCard(fx: BillingFixture, number: string): Promise<number> {
  const method = await addPaymentMethod(fx.services, await fx.as('ada'), {
    billingProfileId: SEEDED.profiles.engineering,
    card: { number, expMonth: 12, expYear: 2030, cvc: '123', holderName: 'Ada Lovelace' },
  });
  return method.id;
}

const paymentOf = async (fx: BillingFixture) =>
  (await fx.handle.db.select().from(payments).where(eq(payments.invoiceId, INVOICE)))[0]!;
const invoiceOf = async (fx: BillingFixture) =>
  (await fx.store.db.query.invoices.findFirst({ where: { id: INVOICE } }))!;
const auditOf = (fx: BillingFixture) =>
  fx.handle.sqlite
    .prepare('SELECT actor, action, outcome FROM audit_events WHERE target = ? ORDER BY id')
    .all(`invoice:${INVOICE}`);

describe('a charge that never answers (timeout card …0341)', () => {
  it('stays PROCESSING, blocks the key and the invoice, then is written off as FAILED without a charge', async () => {
    const fx = await setup();
    const cardId = await addCard(fx, '4000000000000341');
    const result = await pay(fx, { paymentMethodId: cardId });
    expect(result.status).toBe('PROCESSING');
    expect(await paymentOf(fx)).toMatchObject({ id: result.paymentId, status: 'PROCESSING' });
    expect(await invoiceOf(fx)).toMatchObject({ lifecycle: 'PAYMENT_IN_PROGRESS' });
    expect(auditOf(fx)).toEqual([{ actor: 'user:1', action: 'invoice.pay', outcome: 'unknown' }]);

    // Until it is settled: the same key is in use, and any other key finds a payment in progress.
    expect(await rejectionOf(pay(fx, { paymentMethodId: cardId }))).toBeInstanceOf(IdempotencyKeyInUseError);
    expect(await rejectionOf(pay(fx, { idempotencyKey: 'other-key' }))).toEqual(
      new InvoiceNotPayableError('PAYMENT_IN_PROGRESS'),
    );

    // Too young to write off: the processor might still be processing it.
    expect(await reconcileStalePayments(fx.services)).toEqual({
      examined: 0,
      succeeded: 0,
      failed: 0,
      stillProcessing: 0,
      releasedKeys: 0,
    });
    expect((await reconcilePayment(fx.services, result.paymentId)).status).toBe('PROCESSING');

    fx.clock.advance(PAST_THRESHOLD_MS);
    expect(await reconcileStalePayments(fx.services)).toEqual({
      examined: 1,
      succeeded: 0,
      failed: 1,
      stillProcessing: 0,
      releasedKeys: 0,
    });
    expect(await paymentOf(fx)).toMatchObject({ status: 'FAILED', failureCode: 'PROCESSING_ERROR' });
    expect(await invoiceOf(fx)).toMatchObject({ lifecycle: 'OPEN', paidAt: null });
    expect(fx.processor.chargeCount()).toBe(0);
    expect(auditOf(fx)).toEqual([
      { actor: 'user:1', action: 'invoice.pay', outcome: 'unknown' },
      { actor: 'system:reconciler', action: 'payment.reconcile', outcome: 'failed:PROCESSING_ERROR' },
    ]);

    // The key now answers with the settled outcome; the invoice is payable again.
    expect(await rejectionOf(pay(fx, { paymentMethodId: cardId }))).toEqual(new CardDeclinedError('PROCESSING_ERROR'));
    expect((await pay(fx, { idempotencyKey: 'second-try' })).status).toBe('SUCCEEDED');
    expect(fx.processor.chargeCount()).toBe(1);
  });
});

describe('a charge that succeeded but answered too late (…3220)', () => {
  it('is found at the processor and settled as paid', async () => {
    // The process dies right after the timeout, before it can ask the processor itself.
    const fx = await setup({
      faults: {
        afterChargeBeforeFinalize: () => {
          throw new Error('simulated crash');
        },
      },
    });
    const cardId = await addCard(fx, '4000000000003220');
    await expect(pay(fx, { paymentMethodId: cardId })).rejects.toThrow('simulated crash');
    expect(await paymentOf(fx)).toMatchObject({ status: 'PROCESSING' });

    fx.clock.advance(PAST_THRESHOLD_MS);
    expect(await reconcileStalePayments(fx.services)).toEqual({
      examined: 1,
      succeeded: 1,
      failed: 0,
      stillProcessing: 0,
      releasedKeys: 0,
    });
    const payment = await paymentOf(fx);
    expect(payment).toMatchObject({
      status: 'SUCCEEDED',
      processorReference: fx.processor.ledgerEntries()[0]!.reference,
    });
    expect(await invoiceOf(fx)).toMatchObject({
      lifecycle: 'PAID',
      amountDueMinor: 0,
      paidAt: new Date(Date.parse('2026-11-29T12:00:00Z') + PAST_THRESHOLD_MS).toISOString(),
    });
    expect(await pay(fx, { paymentMethodId: cardId })).toEqual({
      paymentId: payment.id,
      invoiceId: INVOICE,
      status: 'SUCCEEDED',
    });
    expect(fx.processor.chargeCount()).toBe(1);
  });
});

describe('a crash between charging and writing the outcome', () => {
  async function crashingFixture(paths: { databasePath: string; ledgerPath: string }) {
    return setup({
      ...paths,
      latencyMs: 2,
      faults: {
        afterChargeBeforeFinalize: () => {
          throw new Error('simulated crash');
        },
      },
    });
  }

  it('after a restart, reconciliation settles the charge as paid: still exactly one charge', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const paths = { databasePath: dir.path('billing.db'), ledgerPath: dir.path('ledger.db') };

    const crashed = await crashingFixture(paths);
    await expect(pay(crashed)).rejects.toThrow('simulated crash');
    expect(await paymentOf(crashed)).toMatchObject({ status: 'PROCESSING' });
    expect(await invoiceOf(crashed)).toMatchObject({ lifecycle: 'PAYMENT_IN_PROGRESS' });
    expect(crashed.processor.chargeCount()).toBe(1);
    crashed.close();

    const restarted = await setup({ ...paths, seed: false });
    expect(await rejectionOf(pay(restarted))).toBeInstanceOf(IdempotencyKeyInUseError);
    restarted.clock.advance(PAST_THRESHOLD_MS);
    expect(await reconcileStalePayments(restarted.services)).toEqual({
      examined: 1,
      succeeded: 1,
      failed: 0,
      stillProcessing: 0,
      releasedKeys: 0,
    });

    const payment = await paymentOf(restarted);
    expect(payment).toMatchObject({ status: 'SUCCEEDED' });
    expect(await invoiceOf(restarted)).toMatchObject({ lifecycle: 'PAID', amountDueMinor: 0 });
    expect(restarted.processor.chargeCount()).toBe(1);
    expect(restarted.published).toEqual([
      expect.objectContaining({
        type: 'PAYMENT_UPDATED',
        data: expect.objectContaining({ paymentId: payment.id, paymentStatus: 'SUCCEEDED' }),
      }),
      expect.objectContaining({ type: 'INVOICE_UPDATED', invoiceId: INVOICE }),
    ]);
    // The client's retry now gets the settled answer, and nothing is charged again.
    expect(await pay(restarted)).toEqual({ paymentId: payment.id, invoiceId: INVOICE, status: 'SUCCEEDED' });
    expect(await reconcileStalePayments(restarted.services, { olderThanMs: 0 })).toMatchObject({ examined: 0 });
    expect(restarted.processor.chargeCount()).toBe(1);
  });

  it('a declined charge is settled as FAILED: the invoice reopens and the decline replays', async () => {
    const fx = await crashingFixture({ databasePath: ':memory:', ledgerPath: ':memory:' });
    await expect(pay(fx, { paymentMethodId: SEEDED.cards.engDeclined })).rejects.toThrow('simulated crash');
    fx.clock.advance(PAST_THRESHOLD_MS);
    expect(await reconcileStalePayments(fx.services)).toMatchObject({ examined: 1, failed: 1 });
    expect(await paymentOf(fx)).toMatchObject({ status: 'FAILED', failureCode: 'GENERIC_DECLINE' });
    expect(await invoiceOf(fx)).toMatchObject({ lifecycle: 'OPEN' });
    expect(await rejectionOf(pay(fx, { paymentMethodId: SEEDED.cards.engDeclined }))).toEqual(
      new CardDeclinedError('GENERIC_DECLINE'),
    );
  });
});

describe('a request that died after claiming its key but before reserving the invoice', () => {
  it('has its key released, so the retry runs; a key with an attempt behind it is kept', async () => {
    const fx = await setup();
    const fingerprint = requestFingerprint({ invoiceId: INVOICE, paymentMethodId: SEEDED.cards.engVisa });
    const claim = (key: string) =>
      beginIdempotent(fx.services, { principal: 'user:1', operation: PAY_INVOICE_OPERATION, key, fingerprint });
    expect((await claim('client-key')).kind).toBe('new');
    const withAttempt = await claim('slow-key');
    if (withAttempt.kind !== 'new') throw new Error('expected a new record');
    expect(await rejectionOf(pay(fx))).toBeInstanceOf(IdempotencyKeyInUseError);

    fx.clock.advance(PAST_THRESHOLD_MS);
    // The other request did reserve (its attempt is young, so the sweep leaves it alone).
    await fx.handle.db.insert(payments).values({
      billingAccountId: 1,
      invoiceId: SEEDED.invoices.engineeringPastDue2,
      paymentMethodId: SEEDED.cards.engVisa,
      amountMinor: 100,
      currency: 'USD',
      status: 'PROCESSING',
      processorIdempotencyKey: processorKeyFor(SEEDED.invoices.engineeringPastDue2, withAttempt.recordId),
      initiatedBy: 'user:1',
      createdAt: fx.clock.now().toISOString(),
      updatedAt: fx.clock.now().toISOString(),
    });
    expect(await reconcileStalePayments(fx.services)).toEqual({
      examined: 0,
      succeeded: 0,
      failed: 0,
      stillProcessing: 0,
      releasedKeys: 1,
    });
    expect(fx.handle.sqlite.prepare('SELECT key FROM idempotency_records').all()).toEqual([{ key: 'slow-key' }]);
    expect((await pay(fx)).status).toBe('SUCCEEDED');
    expect(fx.processor.chargeCount()).toBe(1);
  });
});

describe('request and reconciler racing', () => {
  it('whichever settles first wins; the other changes nothing', async () => {
    let fx!: BillingFixture;
    fx = await setup({
      faults: {
        // The reconciler settles the attempt while the request is between charge and finalize.
        afterChargeBeforeFinalize: async () => {
          expect(await reconcileStalePayments(fx.services, { olderThanMs: 0 })).toMatchObject({
            examined: 1,
            succeeded: 1,
          });
        },
      },
    });
    const result = await pay(fx);
    expect(result.status).toBe('SUCCEEDED');
    expect(auditOf(fx)).toEqual([{ actor: 'system:reconciler', action: 'payment.reconcile', outcome: 'succeeded' }]);
    expect(fx.published.flatMap((e) => (e.type === 'PAYMENT_UPDATED' ? [e.data.paymentStatus] : []))).toEqual([
      'PROCESSING',
      'SUCCEEDED',
    ]);
    expect(fx.processor.chargeCount()).toBe(1);
  });

  it('reconciling a settled payment changes nothing', async () => {
    const fx = await setup();
    const { paymentId } = await pay(fx);
    const before = await paymentOf(fx);
    fx.clock.advance(PAST_THRESHOLD_MS);
    expect(await reconcilePayment(fx.services, paymentId)).toEqual(before);
  });
});

describe('startReconciler', () => {
  it('settles stale attempts on its interval until stopped', async () => {
    const fx = await setup();
    const cardId = await addCard(fx, '4000000000000341');
    await pay(fx, { paymentMethodId: cardId });
    fx.clock.advance(PAST_THRESHOLD_MS);
    const errors: unknown[] = [];
    const stop = startReconciler(fx.services, 5, { onError: (e) => errors.push(e) });
    try {
      for (let i = 0; i < 200 && (await paymentOf(fx)).status === 'PROCESSING'; i++)
        await new Promise((r) => setTimeout(r, 5));
    } finally {
      stop();
    }
    expect(errors).toEqual([]);
    expect(await paymentOf(fx)).toMatchObject({ status: 'FAILED', failureCode: 'PROCESSING_ERROR' });
  });
});
