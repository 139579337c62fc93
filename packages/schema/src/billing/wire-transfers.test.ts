// Wire transfers: a profile that pays by wire is never charged automatically; a received transfer is
// applied only on an exact match (reference, currency, whole amount due); anything else is held for
// review and changes no invoice; the same bank transfer recorded twice is one record.
import { afterEach, describe, expect, it } from 'vitest';
import { setAutopay } from './autopay.js';
import { NotAuthorizedError, NotFoundError, ValidationError } from './errors.js';
import { closeBillingPeriod } from './period-close.js';
import { createBillingFixture, rejectionOf, SEEDED, snapshot, type BillingFixture } from './test-support.js';
import { paysByWireTransfer, recordWireTransfer, setDefaultPaymentType } from './wire-transfers.js';
import { DEFAULT_PAYMENT_RULES } from './payment-rules.js';

let fx: BillingFixture;
afterEach(() => fx?.close());

const ENGINEERING = SEEDED.profiles.engineering;
const OPERATOR = 'operator:test';
const invoice = (id: number) =>
  fx.handle.sqlite
    .prepare('SELECT number, lifecycle, amount_due_minor AS due, currency FROM invoices WHERE id = ?')
    .get(id) as {
    number: string;
    lifecycle: string;
    due: number;
    currency: string;
  };
const transfer = (over: Partial<Parameters<typeof recordWireTransfer>[1]> & { reference: string }) =>
  recordWireTransfer(
    fx.services,
    { amountMinor: 100, currency: 'USD', receivedOn: '2026-11-28', bankReference: `bank-${Math.random()}`, ...over },
    OPERATOR,
  );

describe('which invoices are paid by wire transfer', () => {
  it("the profile's choice, an Enterprise Agreement, or an amount above the card ceiling", () => {
    const usd = (minorUnits: number) => ({ minorUnits, currency: 'USD' });
    const mca = 'MICROSOFT_CUSTOMER_AGREEMENT' as const;
    const rules = DEFAULT_PAYMENT_RULES;
    expect(paysByWireTransfer({ defaultPaymentType: 'CARD', agreementType: mca, amount: usd(100) }, rules)).toBe(false);
    expect(
      paysByWireTransfer({ defaultPaymentType: 'WIRE_TRANSFER', agreementType: mca, amount: usd(100) }, rules),
    ).toBe(true);
    expect(
      paysByWireTransfer(
        { defaultPaymentType: 'CARD', agreementType: 'ENTERPRISE_AGREEMENT', amount: usd(100) },
        rules,
      ),
    ).toBe(true);
    expect(paysByWireTransfer({ defaultPaymentType: 'CARD', agreementType: mca, amount: usd(5_000_001) }, rules)).toBe(
      true,
    );
  });

  it('a wire-transfer profile with autopay on: the closed period is not charged', async () => {
    fx = await createBillingFixture();
    const ada = await fx.as('ada');
    await setAutopay(fx.services, ada, { billingProfileId: ENGINEERING, enabled: true });
    await setDefaultPaymentType(fx.services, ada, { billingProfileId: ENGINEERING, type: 'WIRE_TRANSFER' });
    const closed = await closeBillingPeriod(fx.services, {
      billingProfileId: ENGINEERING,
      periodStart: '2026-11-01',
      periodEnd: '2026-11-30',
      lineItems: [{ description: 'Hours', serviceName: 'Compute', quantity: 1, unitPriceMinor: 5_000 }],
      taxMinor: 0,
    });
    expect(closed.autopay).toEqual({ kind: 'not-due' });
    expect(invoice(closed.invoiceId)).toMatchObject({ lifecycle: 'OPEN', due: 5_000 });
    expect(fx.processor.chargeCount()).toBe(0);
  });

  it('only owners and contributors choose it', async () => {
    fx = await createBillingFixture();
    const before = snapshot(fx.handle);
    expect(
      await rejectionOf(
        setDefaultPaymentType(fx.services, await fx.as('rita'), {
          billingProfileId: ENGINEERING,
          type: 'WIRE_TRANSFER',
        }),
      ),
    ).toBeInstanceOf(NotAuthorizedError);
    expect(
      await rejectionOf(
        setDefaultPaymentType(fx.services, await fx.as('olga'), {
          billingProfileId: ENGINEERING,
          type: 'WIRE_TRANSFER',
        }),
      ),
    ).toEqual(new NotFoundError('BillingProfile'));
    expect(snapshot(fx.handle)).toBe(before);
  });
});

describe('recording a received transfer', () => {
  it('an exact match pays the invoice; recording the same bank transfer again changes nothing', async () => {
    fx = await createBillingFixture();
    const due = invoice(SEEDED.invoices.engineeringPastDue);
    const first = await transfer({ reference: due.number, amountMinor: due.due, bankReference: 'BANK-1' });
    expect(first).toMatchObject({ status: 'APPLIED', holdReason: null, invoiceId: SEEDED.invoices.engineeringPastDue });
    expect(invoice(SEEDED.invoices.engineeringPastDue)).toMatchObject({ lifecycle: 'PAID', due: 0 });
    const before = snapshot(fx.handle);
    expect(await transfer({ reference: due.number, amountMinor: due.due, bankReference: 'BANK-1' })).toEqual(first);
    expect(snapshot(fx.handle)).toBe(before);
    // Another transfer for the now-paid invoice is held, not applied.
    expect(await transfer({ reference: due.number, amountMinor: due.due, bankReference: 'BANK-2' })).toMatchObject({
      status: 'HELD_FOR_REVIEW',
      holdReason: 'NOT_PAYABLE',
    });
  });

  it.each([
    ['short', -1, 'USD', 'SHORT_PAYMENT'],
    ['over', 1, 'USD', 'OVERPAYMENT'],
    ['in another currency', 0, 'EUR', 'CURRENCY'],
  ] as const)(
    'a %s payment is held for review and the invoice is unchanged',
    async (_name, delta, currency, reason) => {
      fx = await createBillingFixture();
      const due = invoice(SEEDED.invoices.engineeringPastDue);
      const held = await transfer({ reference: due.number, amountMinor: due.due + delta, currency });
      expect(held).toMatchObject({ status: 'HELD_FOR_REVIEW', holdReason: reason });
      expect(invoice(SEEDED.invoices.engineeringPastDue)).toEqual(due);
    },
  );

  it('an unknown reference or bad input is refused and writes nothing', async () => {
    fx = await createBillingFixture();
    const before = snapshot(fx.handle);
    expect(await rejectionOf(transfer({ reference: 'NO-SUCH-INVOICE' }))).toBeInstanceOf(NotFoundError);
    expect(await rejectionOf(transfer({ reference: 'x', amountMinor: 0 }))).toBeInstanceOf(ValidationError);
    expect(await rejectionOf(transfer({ reference: 'x', amountMinor: 1.5 }))).toBeInstanceOf(ValidationError);
    expect(await rejectionOf(transfer({ reference: 'x', receivedOn: '2026-02-30' }))).toBeInstanceOf(ValidationError);
    expect(snapshot(fx.handle)).toBe(before);
  });
});
