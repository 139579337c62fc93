import { describe, expect, it } from 'vitest';
import { deserializeBillingError, PaymentMethodNotAllowedError, serializeBillingError } from './errors.js';
import type { AgreementType, InvoiceLifecycle } from '../db/tables.js';
import {
  assertCardKindAccepted,
  assertCardPaymentAllowed,
  assertRecurringChargeAllowed,
  cardPaymentCeiling,
  DEFAULT_PAYMENT_RULES,
  mayChargeRecurring,
  payNowDecision,
  type PaymentRules,
} from './payment-rules.js';

const rules = DEFAULT_PAYMENT_RULES;
const usd = (minorUnits: number) => ({ minorUnits, currency: 'USD' });
const MCA = 'MICROSOFT_CUSTOMER_AGREEMENT' as const;
const EA = 'ENTERPRISE_AGREEMENT' as const;

function refusalOf(run: () => void): PaymentMethodNotAllowedError {
  try {
    run();
  } catch (error) {
    if (error instanceof PaymentMethodNotAllowedError) return error;
    throw error;
  }
  throw new Error('expected PaymentMethodNotAllowedError');
}

describe('card payments by agreement and amount', () => {
  it('refuses any card payment on an Enterprise Agreement, with the reason', () => {
    const error = refusalOf(() => assertCardPaymentAllowed({ agreementType: EA, amount: usd(100) }, rules));
    expect(error).toMatchObject({ code: 'PAYMENT_METHOD_NOT_ALLOWED', reason: 'AGREEMENT_TYPE', ceiling: null });
    expect(error.message).toBe('Accounts on an Enterprise Agreement cannot pay by card. Pay by wire transfer.');
  });

  it('allows a card payment up to the ceiling and refuses one minor unit above it, naming the ceiling', () => {
    expect(() => assertCardPaymentAllowed({ agreementType: MCA, amount: usd(5_000_000) }, rules)).not.toThrow();
    const error = refusalOf(() => assertCardPaymentAllowed({ agreementType: MCA, amount: usd(5_000_001) }, rules));
    expect(error.reason).toBe('ABOVE_CARD_CEILING');
    expect(error.ceiling).toEqual({ minorUnits: 5_000_000, currency: 'USD' });
    expect(error.message).toBe('Card payments are limited to USD 50000.00. Pay by wire transfer.');
  });

  it('reads the ceiling from the configured table, per currency; an unlisted currency has none', () => {
    const custom: PaymentRules = { ...rules, cardPaymentCeilings: { EUR: 100_000, JPY: 1_000_000 } };
    expect(cardPaymentCeiling('USD', custom)).toBeNull();
    expect(() => assertCardPaymentAllowed({ agreementType: MCA, amount: usd(999_999_999) }, custom)).not.toThrow();
    const error = refusalOf(() =>
      assertCardPaymentAllowed({ agreementType: MCA, amount: { minorUnits: 1_000_001, currency: 'JPY' } }, custom),
    );
    expect(error.message).toBe('Card payments are limited to JPY 1000000. Pay by wire transfer.');
  });

  it('survives the idempotency record: serialized and rebuilt with the same reason, ceiling and message', () => {
    const error = refusalOf(() => assertCardPaymentAllowed({ agreementType: MCA, amount: usd(9_000_000) }, rules));
    const stored = JSON.parse(JSON.stringify(serializeBillingError(error)));
    const rebuilt = deserializeBillingError(stored);
    expect(rebuilt).toBeInstanceOf(PaymentMethodNotAllowedError);
    expect(rebuilt).toMatchObject({ reason: 'ABOVE_CARD_CEILING', ceiling: usd(5_000_000), message: error.message });
  });
});

describe('cards refused when added, and cards not for recurring charges', () => {
  it('refuses prepaid and virtual cards and accepts credit and debit cards', () => {
    expect(refusalOf(() => assertCardKindAccepted({ kind: 'PREPAID' }, rules))).toMatchObject({
      reason: 'CARD_KIND',
      message: 'Prepaid cards are not accepted. Use a credit or debit card.',
    });
    expect(refusalOf(() => assertCardKindAccepted({ kind: 'VIRTUAL' }, rules)).message).toBe(
      'Virtual cards are not accepted. Use a credit or debit card.',
    );
    expect(() => assertCardKindAccepted({ kind: 'CREDIT' }, rules)).not.toThrow();
    expect(() => assertCardKindAccepted({ kind: 'DEBIT' }, rules)).not.toThrow();
    expect(() => assertCardKindAccepted({ kind: 'PREPAID' }, { ...rules, refusedCardKinds: [] })).not.toThrow();
  });

  it('takes the no-recurring-charges countries from configuration, not from code', () => {
    expect(mayChargeRecurring({ issuingCountry: 'IN' }, rules)).toBe(false);
    expect(mayChargeRecurring({ issuingCountry: 'in' }, rules)).toBe(false);
    expect(mayChargeRecurring({ issuingCountry: 'US' }, rules)).toBe(true);
    const elsewhere: PaymentRules = { ...rules, noRecurringChargeCountries: ['BR'] };
    expect(mayChargeRecurring({ issuingCountry: 'IN' }, elsewhere)).toBe(true);
    expect(refusalOf(() => assertRecurringChargeAllowed({ issuingCountry: 'BR' }, elsewhere))).toMatchObject({
      reason: 'NOT_FOR_RECURRING',
      refusal: { reason: 'NOT_FOR_RECURRING', issuingCountry: 'BR' },
    });
  });
});

describe('payNowDecision', () => {
  const open = (amountDueMinor: number, currency = 'USD') => ({
    lifecycle: 'OPEN' as InvoiceLifecycle,
    amountDueMinor,
    currency,
  });
  const decide = (invoice: ReturnType<typeof open>, agreementType: AgreementType = MCA, viewerMayPay = true) =>
    payNowDecision({ invoice, agreementType, viewerMayPay }, rules);

  it('offers Pay now to the admin of an MCA account for a due amount within the ceiling, showing the ceiling', () => {
    expect(decide(open(4_999_999))).toEqual({
      offered: true,
      reason: null,
      message: null,
      cardCeiling: usd(5_000_000),
    });
    expect(decide(open(100, 'EUR'))).toMatchObject({ offered: true, cardCeiling: null });
  });

  it('says why it is not offered: above the ceiling, an EA account, or a viewer who may not pay', () => {
    expect(decide(open(5_000_001))).toEqual({
      offered: false,
      reason: 'ABOVE_CARD_CEILING',
      message: 'Card payments are limited to USD 50000.00. Pay by wire transfer.',
      cardCeiling: usd(5_000_000),
    });
    expect(decide(open(100), EA)).toMatchObject({ offered: false, reason: 'AGREEMENT_TYPE' });
    expect(decide(open(100), MCA, false)).toMatchObject({
      offered: false,
      reason: 'NOT_AUTHORIZED',
      message: 'Only the billing account admin can pay invoices.',
    });
  });

  it("puts the invoice's own state first: paid, void, in progress or nothing due read the same to everyone", () => {
    expect(decide({ ...open(0), lifecycle: 'PAID' }, EA, false)).toMatchObject({
      offered: false,
      reason: 'ALREADY_PAID',
      message: 'This invoice is already paid.',
    });
    expect(decide({ ...open(100), lifecycle: 'VOID' })).toMatchObject({ reason: 'VOID' });
    expect(decide({ ...open(100), lifecycle: 'PAYMENT_IN_PROGRESS' })).toMatchObject({ reason: 'PAYMENT_IN_PROGRESS' });
    expect(decide(open(0))).toMatchObject({ reason: 'NOTHING_DUE' });
  });
});
