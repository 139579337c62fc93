import type {
  AgreementType,
  BillingRole,
  CardBrand,
  DeclineCode,
  DocumentKind,
  InvoiceStatus,
  MoneyFieldsFragment,
  InvoiceSummaryFragment,
  PaymentMethodFieldsFragment,
  PaymentStatus,
  PayNowUnavailableReason,
} from '@billing/sdk';

/** Money arrives as an exact decimal string; Intl formats the string without going through a float. */
export function formatMoney(money: Pick<MoneyFieldsFragment, 'amount' | 'currency'>): string {
  const format = new Intl.NumberFormat('en-US', { style: 'currency', currency: money.currency });
  return format.format(money.amount as `${number}`);
}

/** Calendar dates (`YYYY-MM-DD`, UTC) as the portal shows them, e.g. "Nov 29, 2026". */
export function formatDate(date: string): string {
  return new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(
    new Date(`${date}T00:00:00Z`),
  );
}

/** A moment (`DateTime`) as a date and time in UTC, e.g. "Nov 29, 2026, 12:00 PM UTC". */
export function formatDateTime(dateTime: string): string {
  return `${new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(dateTime))} UTC`;
}

/** A card's expiry as printed on it: MM/YYYY. */
export function formatExpiry(card: { expMonth: number; expYear: number }): string {
  return `${String(card.expMonth).padStart(2, '0')}/${card.expYear}`;
}

/** "MM/YY" or "MM/YYYY" as typed, or null when it is not a month and year. */
export function parseExpiry(value: string): { expMonth: number; expYear: number } | null {
  const match = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(value);
  if (!match) return null;
  const expMonth = Number(match[1]);
  const year = Number(match[2]);
  if (expMonth < 1 || expMonth > 12) return null;
  return { expMonth, expYear: year < 100 ? 2000 + year : year };
}

/** A card in a sentence, e.g. "Visa ending in 4242". */
export function cardName(card: Pick<PaymentMethodFieldsFragment, 'brand' | 'last4'>): string {
  return `${BRAND_LABEL[card.brand]} ending in ${card.last4}`;
}

/** How a card is listed everywhere on the page, e.g. "Visa ending in 4242, expires 12/2028". */
export function describeCard(card: PaymentMethodFieldsFragment): string {
  return `${cardName(card)}, ${card.isExpired ? 'expired' : 'expires'} ${formatExpiry(card)}`;
}

export const STATUS_LABEL: Record<InvoiceStatus, string> = {
  DUE: 'Due',
  PAST_DUE: 'Past due',
  PAID: 'Paid',
  VOID: 'Void',
};

export const BRAND_LABEL: Record<CardBrand, string> = {
  VISA: 'Visa',
  MASTERCARD: 'Mastercard',
  AMEX: 'American Express',
  DISCOVER: 'Discover',
  UNKNOWN: 'Card',
};

export const ROLE_LABEL: Record<BillingRole, string> = {
  OWNER: 'Owner (billing account admin)',
  CONTRIBUTOR: 'Contributor',
  READER: 'Reader',
  INVOICE_MANAGER: 'Invoice manager',
};

export const AGREEMENT_LABEL: Record<AgreementType, string> = {
  MICROSOFT_CUSTOMER_AGREEMENT: 'Microsoft Customer Agreement',
  ENTERPRISE_AGREEMENT: 'Enterprise Agreement',
  MICROSOFT_ONLINE_SERVICES_PROGRAM: 'Microsoft Online Services Program',
};

export const PAYMENT_STATUS_LABEL: Record<PaymentStatus, string> = {
  SUCCEEDED: 'Succeeded',
  FAILED: 'Failed',
  PROCESSING: 'Processing',
};

export const DECLINE_LABEL: Record<DeclineCode, string> = {
  GENERIC_DECLINE: 'declined',
  INSUFFICIENT_FUNDS: 'insufficient funds',
  EXPIRED_CARD: 'card expired',
  INCORRECT_CVC: 'incorrect security code',
  PROCESSING_ERROR: 'processing error',
};

export const DOCUMENT_LABEL: Record<DocumentKind, string> = {
  INVOICE: 'Invoice (PDF)',
  RECEIPT: 'Receipt (PDF)',
};

/** The card rules: whoever looks, this invoice is paid another way (wire transfer), so every view says why. */
export const CARD_RULE_REASONS: ReadonlySet<PayNowUnavailableReason> = new Set([
  'ABOVE_CARD_CEILING',
  'AGREEMENT_TYPE',
]);

/** Reasons the status badge already tells (paid, void, nothing due): repeating them would be noise. */
const SELF_EVIDENT_REASONS: ReadonlySet<PayNowUnavailableReason> = new Set(['ALREADY_PAID', 'VOID', 'NOTHING_DUE']);

/** Why "Pay now" is not offered, in the gateway's words, or null when it is offered or the status says why. */
export function payNowNotOfferedMessage(invoice: Pick<InvoiceSummaryFragment, 'payNow'>): string | null {
  const { offered, reason, message } = invoice.payNow;
  if (offered || !reason || SELF_EVIDENT_REASONS.has(reason)) return null;
  return message;
}
