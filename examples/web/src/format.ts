import type { AgreementType, BillingRole, CardBrand, InvoiceStatus, MoneyFieldsFragment } from '@billing/sdk';

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
