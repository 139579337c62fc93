// Which payment methods an account, an amount and a kind of charge may use. Pure functions over a
// configuration table: the rules name no country or currency in code, only in `PaymentRules`.
import type { AgreementType, InvoiceLifecycle } from '../db/tables.js';
import {
  INVOICE_NOT_PAYABLE_REASONS,
  InvoiceNotPayableError,
  PaymentMethodNotAllowedError,
  type InvoiceNotPayableReason,
  type PaymentMethodRefusal,
} from './errors.js';
import { notPayableReason } from './invoice-status.js';
import type { MoneyValue } from './money.js';
import type { CardKind, TokenizedCard } from './payment-processor.js';

export interface PaymentRules {
  /** Agreements whose accounts pay by wire transfer only. */
  agreementsWithoutCardPayments: readonly AgreementType[];
  /** The largest card payment per ISO 4217 currency, in minor units. A currency not listed has no ceiling. */
  cardPaymentCeilings: Readonly<Record<string, number>>;
  /** Card kinds refused when a card is added. */
  refusedCardKinds: readonly CardKind[];
  /** Issuing countries (ISO 3166-1 alpha-2) whose cards may not be stored for recurring charges. */
  noRecurringChargeCountries: readonly string[];
}

/** The rules as the billing documents state them (the MCA's USD 50,000 card ceiling; the Indian card rule). */
export const DEFAULT_PAYMENT_RULES: PaymentRules = {
  agreementsWithoutCardPayments: ['ENTERPRISE_AGREEMENT'],
  cardPaymentCeilings: { USD: 5_000_000 },
  refusedCardKinds: ['PREPAID', 'VIRTUAL'],
  noRecurringChargeCountries: ['IN'],
};

/** The card ceiling for a currency, or null when card payments in it have none. */
export function cardPaymentCeiling(currency: string, rules: PaymentRules): MoneyValue | null {
  const minorUnits = rules.cardPaymentCeilings[currency];
  return minorUnits === undefined ? null : { minorUnits, currency };
}

/** Why paying `amount` by card is refused for an account on `agreementType`, or null when it is allowed. */
export function cardPaymentRefusal(
  payment: { agreementType: AgreementType; amount: MoneyValue },
  rules: PaymentRules,
): PaymentMethodRefusal | null {
  if (rules.agreementsWithoutCardPayments.includes(payment.agreementType)) {
    return { reason: 'AGREEMENT_TYPE', agreementType: payment.agreementType };
  }
  const ceiling = cardPaymentCeiling(payment.amount.currency, rules);
  if (ceiling && payment.amount.minorUnits > ceiling.minorUnits) return { reason: 'ABOVE_CARD_CEILING', ceiling };
  return null;
}

/** Throws PaymentMethodNotAllowedError when the card payment is refused. */
export function assertCardPaymentAllowed(
  payment: { agreementType: AgreementType; amount: MoneyValue },
  rules: PaymentRules,
): void {
  const refusal = cardPaymentRefusal(payment, rules);
  if (refusal) throw new PaymentMethodNotAllowedError(refusal);
}

/** Throws PaymentMethodNotAllowedError for a card of a refused kind (checked when the card is added). */
export function assertCardKindAccepted(card: Pick<TokenizedCard, 'kind'>, rules: PaymentRules): void {
  if (rules.refusedCardKinds.includes(card.kind)) {
    throw new PaymentMethodNotAllowedError({ reason: 'CARD_KIND', cardKind: card.kind });
  }
}

/** Whether a card may be kept on file and charged without the customer present (autopay). */
export function mayChargeRecurring(card: Pick<TokenizedCard, 'issuingCountry'>, rules: PaymentRules): boolean {
  return !rules.noRecurringChargeCountries.includes(card.issuingCountry.toUpperCase());
}

/** Throws PaymentMethodNotAllowedError when the card may not pay recurring charges. */
export function assertRecurringChargeAllowed(card: Pick<TokenizedCard, 'issuingCountry'>, rules: PaymentRules): void {
  if (!mayChargeRecurring(card, rules)) {
    throw new PaymentMethodNotAllowedError({ reason: 'NOT_FOR_RECURRING', issuingCountry: card.issuingCountry });
  }
}

export type PayNowUnavailableReason =
  | InvoiceNotPayableReason
  | 'NOT_AUTHORIZED'
  | Extract<PaymentMethodRefusal['reason'], 'AGREEMENT_TYPE' | 'ABOVE_CARD_CEILING'>;

/** Every PayNowUnavailableReason, for the API's enum. */
export const PAY_NOW_UNAVAILABLE_REASONS = [
  ...INVOICE_NOT_PAYABLE_REASONS,
  'NOT_AUTHORIZED',
  'AGREEMENT_TYPE',
  'ABOVE_CARD_CEILING',
] as const satisfies readonly PayNowUnavailableReason[];

/** Whether the portal offers "Pay now" (a card payment) for an invoice, and if not, why. */
export interface PayNowDecision {
  offered: boolean;
  /** Null when offered. */
  reason: PayNowUnavailableReason | null;
  /** For people: why Pay now is not offered, and what to do instead. Null when offered. */
  message: string | null;
  /** The card ceiling in the invoice's currency (null: none), shown whether or not it applies. */
  cardCeiling: MoneyValue | null;
}

// The same words payInvoice answers with (billing/payments.ts).
const ONLY_THE_ADMIN_PAYS = 'Only the billing account admin can pay invoices.';

/**
 * The "Pay now" decision for one viewer and invoice. The invoice's own state comes first (a paid
 * invoice reads as paid to everyone), then the viewer's permission, then the card rules.
 */
export function payNowDecision(
  input: {
    invoice: { lifecycle: InvoiceLifecycle; amountDueMinor: number; currency: string };
    agreementType: AgreementType;
    viewerMayPay: boolean;
  },
  rules: PaymentRules,
): PayNowDecision {
  const { invoice } = input;
  const cardCeiling = cardPaymentCeiling(invoice.currency, rules);
  const notOffered = (reason: PayNowUnavailableReason, message: string): PayNowDecision => ({
    offered: false,
    reason,
    message,
    cardCeiling,
  });

  const invoiceReason = notPayableReason(invoice);
  if (invoiceReason) return notOffered(invoiceReason, new InvoiceNotPayableError(invoiceReason).message);
  if (!input.viewerMayPay) return notOffered('NOT_AUTHORIZED', ONLY_THE_ADMIN_PAYS);
  const refusal = cardPaymentRefusal(
    { agreementType: input.agreementType, amount: { minorUnits: invoice.amountDueMinor, currency: invoice.currency } },
    rules,
  );
  if (refusal?.reason === 'AGREEMENT_TYPE' || refusal?.reason === 'ABOVE_CARD_CEILING') {
    return notOffered(refusal.reason, new PaymentMethodNotAllowedError(refusal).message);
  }
  return { offered: true, reason: null, message: null, cardCeiling };
}
