import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { invoices, payments } from '../db/tables.js';
import { AccessView } from './access.js';
import {
  CardDeclinedError,
  IdempotencyKeyConflictError,
  IdempotencyKeyInUseError,
  InvoiceNotPayableError,
  NotAuthorizedError,
  NotFoundError,
  PaymentMethodUnusableError,
  ValidationError,
  type DeclineCode,
} from './errors.js';
import { addPaymentMethod, removePaymentMethod } from './payment-methods.js';
import { idempotencyRecordIdOf, payInvoice, processorKeyFor, type PayInvoiceInput } from './payments.js';
import {
  createBillingFixture,
  rejectionOf,
  SEEDED,
  snapshot,
  type BillingFixture,
  type FixtureOptions,
  type UserName,
} from './test-support.js';

const { invoices: INV, cards: CARD, profiles: PROFILE } = SEEDED;

let fx: BillingFixture;
async function setup(options: FixtureOptions = {}): Promise<BillingFixture> {
  fx = await createBillingFixture(options);
  return fx;
}
afterEach(() => fx?.close());

let keySequence = 0;
const newKey = () => `key-${++keySequence}`;

async function pay(input: Partial<PayInvoiceInput> = {}, as: UserName = 'ada') {
  return payInvoice(fx.services, await fx.as(as), {
    invoiceId: INV.engineeringPastDue,
    paymentMethodId: CARD.engVisa,
    idempotencyKey: newKey(),
    ...input,
  });
}

const invoiceRow = async (id: number) => (await fx.store.db.query.invoices.findFirst({ where: { id } }))!;
const paymentsOf = (invoiceId: number) => fx.handle.db.select().from(payments).where(eq(payments.invoiceId, invoiceId));

/** Adds a sandbox test card to Contoso Engineering as Ada and returns its id. */
async function addCard(number: string): Promise<number> {
  const method = await addPaymentMethod(fx.services, await fx.as('ada'), {
    billingProfileId: PROFILE.engineering,
    card: { number, expMonth: 12, expYear: 2030, cvc: '123', holderName: 'Ada Lovelace' },
  });
  return method.id;
}

describe('payInvoice: the happy path', () => {
  it('pays the amount due once: invoice PAID, payment SUCCEEDED, one processor charge, audit and events', async () => {
    await setup();
    const before = await invoiceRow(INV.engineeringPastDue);
    const key = newKey();
    const result = await pay({ idempotencyKey: key });
    expect(result).toMatchObject({ invoiceId: INV.engineeringPastDue, status: 'SUCCEEDED' });

    const invoice = await invoiceRow(INV.engineeringPastDue);
    expect(invoice).toMatchObject({
      lifecycle: 'PAID',
      amountDueMinor: 0,
      paidAt: '2026-11-29T12:00:00.000Z',
      updatedAt: '2026-11-29T12:00:00.000Z',
    });
    const [payment, ...others] = await paymentsOf(INV.engineeringPastDue);
    expect(others).toEqual([]);
    expect(payment).toMatchObject({
      id: result.paymentId,
      status: 'SUCCEEDED',
      amountMinor: before.amountDueMinor,
      currency: 'USD',
      paymentMethodId: CARD.engVisa,
      initiatedBy: 'user:1',
      failureCode: null,
    });

    const [charge, ...moreCharges] = fx.processor.ledgerEntries();
    expect(moreCharges).toEqual([]);
    expect(charge).toMatchObject({
      idempotencyKey: payment!.processorIdempotencyKey,
      reference: payment!.processorReference,
      token: 'tok_sandbox_success_seed01',
      amountMinor: before.amountDueMinor,
      currency: 'USD',
      status: 'SUCCEEDED',
    });

    expect(
      fx.handle.sqlite
        .prepare(
          "SELECT actor, action, target, outcome, billing_account_id AS account FROM audit_events WHERE action = 'invoice.pay'",
        )
        .all(),
    ).toEqual([
      {
        actor: 'user:1',
        action: 'invoice.pay',
        target: `invoice:${INV.engineeringPastDue}`,
        outcome: 'succeeded',
        account: 1,
      },
    ]);
    // One event per change, each saying what that change left behind: the PROCESSING attempt still
    // sees the invoice past due. Subscribers received exactly what the event log holds.
    const { billingEvents } = fx.services.store.t;
    const logged = await fx.services.store.db.select().from(billingEvents).orderBy(billingEvents.sequence);
    expect(fx.published).toEqual(logged);
    expect(
      logged.map((e) => [
        e.type,
        e.invoiceId,
        e.data.paymentId ?? null,
        e.data.paymentStatus ?? null,
        e.data.invoiceStatus,
      ]),
    ).toEqual([
      ['PAYMENT_UPDATED', INV.engineeringPastDue, result.paymentId, 'PROCESSING', 'PAST_DUE'],
      ['PAYMENT_UPDATED', INV.engineeringPastDue, result.paymentId, 'SUCCEEDED', 'PAID'],
      ['INVOICE_UPDATED', INV.engineeringPastDue, null, null, 'PAID'],
    ]);
    expect(new Set(logged.map((e) => e.id)).size).toBe(3);
    expect(logged.map((e) => e.sequence)).toEqual([...logged.map((e) => e.sequence)].sort((a, b) => a - b));

    // A retry with the same key is answered from the record: same payment, no new charge.
    expect(await pay({ idempotencyKey: key })).toEqual(result);
    expect(fx.processor.chargeCount()).toBe(1);
    // A new key finds the invoice paid.
    expect(await rejectionOf(pay())).toEqual(new InvoiceNotPayableError('ALREADY_PAID'));
  });

  it('links the attempt to its idempotency record through the processor key', () => {
    const key = processorKeyFor(12, 345);
    expect(key).toMatch(/^pay_12_345_[0-9a-f]{16}$/);
    expect(processorKeyFor(12, 345)).not.toBe(key);
    expect(idempotencyRecordIdOf(key)).toBe(345);
    expect(idempotencyRecordIdOf('something-else')).toBeNull();
  });

  it('an API key with payments:write pays within its account', async () => {
    await setup();
    const access = await AccessView.load(fx.store, {
      kind: 'api-key',
      apiKeyId: 9,
      billingAccountId: 1,
      scopes: ['invoices:read', 'payments:write'],
    });
    const result = await payInvoice(fx.services, access, {
      invoiceId: INV.marketingPastDue,
      paymentMethodId: CARD.marketingAmex,
      idempotencyKey: 'partner-1',
    });
    expect(result.status).toBe('SUCCEEDED');
    expect((await paymentsOf(INV.marketingPastDue))[0]!.initiatedBy).toBe('api-key:9');
  });
});

describe('payInvoice: declines', () => {
  it.each<[string, DeclineCode]>([
    ['4000000000000002', 'GENERIC_DECLINE'],
    ['4000000000009995', 'INSUFFICIENT_FUNDS'],
    ['4000000000000069', 'EXPIRED_CARD'],
    ['4000000000000127', 'INCORRECT_CVC'],
    ['4000000000000119', 'PROCESSING_ERROR'],
  ])(
    'card %s: CardDeclinedError %s, the invoice stays payable, the same key replays the decline',
    async (number, declineCode) => {
      await setup();
      const cardId = await addCard(number);
      const before = await invoiceRow(INV.engineeringPastDue);
      const key = newKey();

      const error = await rejectionOf(pay({ paymentMethodId: cardId, idempotencyKey: key }));
      expect(error).toBeInstanceOf(CardDeclinedError);
      expect((error as CardDeclinedError).declineCode).toBe(declineCode);

      const invoice = await invoiceRow(INV.engineeringPastDue);
      expect(invoice).toMatchObject({ lifecycle: 'OPEN', amountDueMinor: before.amountDueMinor, paidAt: null });
      expect(await paymentsOf(INV.engineeringPastDue)).toEqual([
        expect.objectContaining({ status: 'FAILED', failureCode: declineCode }),
      ]);
      expect(fx.processor.chargeCount()).toBe(1);
      expect(fx.handle.sqlite.prepare("SELECT outcome FROM audit_events WHERE action = 'invoice.pay'").all()).toEqual([
        { outcome: `failed:${declineCode}` },
      ]);

      const replayed = await rejectionOf(pay({ paymentMethodId: cardId, idempotencyKey: key }));
      expect(replayed).toBeInstanceOf(CardDeclinedError);
      expect(replayed).toMatchObject({ declineCode, message: error.message, code: 'CARD_DECLINED' });
      expect(fx.processor.chargeCount()).toBe(1);

      // Still payable: another card, under a new key, pays it.
      expect((await pay({ paymentMethodId: CARD.engVisa })).status).toBe('SUCCEEDED');
      expect(fx.processor.chargeCount({ status: 'SUCCEEDED' })).toBe(1);
    },
  );

  it('the seeded declined card declines', async () => {
    await setup();
    expect(await rejectionOf(pay({ paymentMethodId: CARD.engDeclined }))).toEqual(
      new CardDeclinedError('GENERIC_DECLINE'),
    );
  });

  it('a charge that answers after the timeout but did succeed is settled at once by asking the processor', async () => {
    await setup();
    const cardId = await addCard('4000000000003220');
    const result = await pay({ paymentMethodId: cardId });
    expect(result.status).toBe('SUCCEEDED');
    expect(await invoiceRow(INV.engineeringPastDue)).toMatchObject({ lifecycle: 'PAID', amountDueMinor: 0 });
    expect(fx.processor.chargeCount()).toBe(1);
  });
});

describe('payInvoice: refusals write nothing and forget the key', () => {
  const refusals: [string, () => Promise<unknown>, Error][] = [
    ['a reader', () => pay({}, 'rita'), new NotAuthorizedError('Only the billing account admin can pay invoices.')],
    [
      'a contributor',
      () => pay({}, 'carlos'),
      new NotAuthorizedError('Only the billing account admin can pay invoices.'),
    ],
    [
      'an invoice manager',
      () => pay({}, 'ivan'),
      new NotAuthorizedError('Only the billing account admin can pay invoices.'),
    ],
    [
      'an invoice manager, outside his profile',
      () => pay({ invoiceId: INV.marketingPastDue }, 'ivan'),
      new NotFoundError('Invoice'),
    ],
    ["another tenant's invoice", () => pay({}, 'olga'), new NotFoundError('Invoice')],
    ['Contoso paying a Fabrikam invoice', () => pay({ invoiceId: INV.fabrikamPastDue }), new NotFoundError('Invoice')],
    ['a missing invoice', () => pay({ invoiceId: 9_999 }), new NotFoundError('Invoice')],
    ['a paid invoice', () => pay({ invoiceId: INV.engineeringPaid }), new InvoiceNotPayableError('ALREADY_PAID')],
    ['a void invoice', () => pay({ invoiceId: INV.engineeringVoid }), new InvoiceNotPayableError('VOID')],
    ["another tenant's card", () => pay({ paymentMethodId: CARD.fabrikamVisa }), new NotFoundError('PaymentMethod')],
    [
      "a paid invoice with another tenant's card: the invoice's refusal first",
      () => pay({ invoiceId: INV.engineeringPaid, paymentMethodId: CARD.fabrikamVisa }),
      new InvoiceNotPayableError('ALREADY_PAID'),
    ],
    [
      "another tenant's invoice with its own card",
      () => pay({ invoiceId: INV.fabrikamPastDue, paymentMethodId: CARD.fabrikamVisa }),
      new NotFoundError('Invoice'),
    ],
    ['a missing card', () => pay({ paymentMethodId: 9_999 }), new NotFoundError('PaymentMethod')],
    ['an expired card', () => pay({ paymentMethodId: CARD.engExpired }), new PaymentMethodUnusableError('EXPIRED')],
    [
      "another profile's card",
      () => pay({ paymentMethodId: CARD.marketingAmex }),
      new PaymentMethodUnusableError('OTHER_PROFILE'),
    ],
    ['an empty idempotency key', () => pay({ idempotencyKey: '' }), new ValidationError('input.idempotencyKey', 'x')],
    [
      'a 256-character idempotency key',
      () => pay({ idempotencyKey: 'k'.repeat(256) }),
      new ValidationError('input.idempotencyKey', 'x'),
    ],
  ];

  it.each(refusals)('%s', async (_label, attempt, expected) => {
    await setup();
    const before = snapshot(fx.handle);
    const error = await rejectionOf(attempt());
    expect(error).toBeInstanceOf(expected.constructor);
    expect(error).toMatchObject({
      ...expected,
      message: expected instanceof ValidationError ? expect.any(String) : expected.message,
    });
    expect(snapshot(fx.handle)).toBe(before);
    expect(fx.processor.chargeCount()).toBe(0);
    expect(fx.published).toEqual([]);
  });

  it('a removed card is unusable', async () => {
    await setup();
    await removePaymentMethod(fx.services, await fx.as('ada'), CARD.engMastercard);
    expect(await rejectionOf(pay({ paymentMethodId: CARD.engMastercard }))).toEqual(
      new PaymentMethodUnusableError('REMOVED'),
    );
  });

  it('an open invoice with nothing due, and one with a payment in progress', async () => {
    await setup();
    await fx.handle.db.update(invoices).set({ amountDueMinor: 0 }).where(eq(invoices.id, INV.engineeringPastDue));
    expect(await rejectionOf(pay())).toEqual(new InvoiceNotPayableError('NOTHING_DUE'));
    await fx.handle.db
      .update(invoices)
      .set({ lifecycle: 'PAYMENT_IN_PROGRESS' })
      .where(eq(invoices.id, INV.engineeringPastDue2));
    expect(await rejectionOf(pay({ invoiceId: INV.engineeringPastDue2 }))).toEqual(
      new InvoiceNotPayableError('PAYMENT_IN_PROGRESS'),
    );
  });

  it('a refused key can be retried: it runs again instead of replaying the refusal', async () => {
    await setup();
    const key = newKey();
    await expect(pay({ paymentMethodId: CARD.engExpired, idempotencyKey: key })).rejects.toBeInstanceOf(
      PaymentMethodUnusableError,
    );
    expect((await pay({ paymentMethodId: CARD.engVisa, idempotencyKey: key })).status).toBe('SUCCEEDED');
  });

  it('the database itself refuses a second live attempt for an invoice', async () => {
    await setup();
    // An inconsistent state the reservation alone would not catch: OPEN invoice, PROCESSING attempt.
    const amount = (await invoiceRow(INV.engineeringPastDue)).amountDueMinor;
    await fx.handle.db.insert(payments).values({
      billingAccountId: 1,
      invoiceId: INV.engineeringPastDue,
      paymentMethodId: CARD.engVisa,
      amountMinor: amount,
      currency: 'USD',
      status: 'PROCESSING',
      processorIdempotencyKey: 'pay_manual',
      initiatedBy: 'user:1',
    });
    const before = snapshot(fx.handle);
    expect(await rejectionOf(pay())).toEqual(new InvoiceNotPayableError('PAYMENT_IN_PROGRESS'));
    expect(snapshot(fx.handle)).toBe(before); // the reservation rolled back with the insert
    expect(fx.processor.chargeCount()).toBe(0);
  });
});

describe('payInvoice: idempotency keys', () => {
  it('the same key with a different request is a conflict, and charges nothing more', async () => {
    await setup();
    const key = newKey();
    await pay({ idempotencyKey: key });
    expect(await rejectionOf(pay({ idempotencyKey: key, invoiceId: INV.engineeringPastDue2 }))).toBeInstanceOf(
      IdempotencyKeyConflictError,
    );
    expect(await rejectionOf(pay({ idempotencyKey: key, paymentMethodId: CARD.engMastercard }))).toBeInstanceOf(
      IdempotencyKeyConflictError,
    );
    expect(fx.processor.chargeCount()).toBe(1);
  });

  it('keys belong to their principal: the same key from another caller is a separate request', async () => {
    await setup();
    await pay({ idempotencyKey: 'shared' });
    expect(await rejectionOf(pay({ idempotencyKey: 'shared' }, 'rita'))).toBeInstanceOf(NotAuthorizedError);
  });
});

describe('payInvoice: concurrency', () => {
  it('50 concurrent payers with different keys: exactly one charge, the rest not payable', async () => {
    await setup({ latencyMs: 5 });
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => pay()));
    const succeeded = results.filter((r) => r.status === 'fulfilled');
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(succeeded).toHaveLength(1);
    expect(refused).toHaveLength(49);
    for (const error of refused) expect(error).toBeInstanceOf(InvoiceNotPayableError);
    expect(fx.processor.chargeCount()).toBe(1);
    expect(await paymentsOf(INV.engineeringPastDue)).toHaveLength(1);
    expect(await invoiceRow(INV.engineeringPastDue)).toMatchObject({ lifecycle: 'PAID', amountDueMinor: 0 });
    // The refused requests forgot their keys; only the winner's answer is kept.
    expect(fx.count('idempotency_records')).toBe(1);
  });

  it('the same key sent 10 times at once: one charge, the others told it is in progress, then the answer replays', async () => {
    await setup({ latencyMs: 5 });
    const key = newKey();
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => pay({ idempotencyKey: key })));
    const succeeded = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(succeeded).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(IdempotencyKeyInUseError);
    expect(fx.processor.chargeCount()).toBe(1);
    expect(await pay({ idempotencyKey: key })).toEqual(succeeded[0]);
  });

  it('the same key sent 10 times at once for a paid invoice: all refused, none told it is in progress', async () => {
    await setup({ latencyMs: 5 });
    const key = newKey();
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => pay({ invoiceId: INV.engineeringPaid, idempotencyKey: key })),
    );
    // The claim commits only with the reservation, so a refused request's claim is never seen.
    for (const r of results) expect(r).toMatchObject({ status: 'rejected', reason: { reason: 'ALREADY_PAID' } });
    expect(fx.count('idempotency_records')).toBe(0);
  });
});
