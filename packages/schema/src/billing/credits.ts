// Credit balances (for example Azure credits) applied to an invoice when its billing period closes,
// before anything is charged. Pure: the caller loads the balances and stores what comes back.
// Integer minor units throughout: a credit covers whole minor units or nothing, so no rounding
// can create or lose money.
import { isValidIsoDate } from './clock.js';

export interface CreditBalance<Id = number> {
  id: Id;
  currency: string;
  /** What is left of the credit, in minor units of its currency. */
  remainingMinor: number;
  /** The last day (UTC, `YYYY-MM-DD`) the credit can be used; null: it does not expire. */
  expiresOn: string | null;
}

export interface CreditApplication<Id = number> {
  creditId: Id;
  amountMinor: number;
  /** What the credit has left afterwards. */
  remainingAfterMinor: number;
}

export interface CreditsAppliedToInvoice<Id = number> {
  /** In the order they were used: the soonest-expiring credit first. */
  applications: CreditApplication<Id>[];
  creditAppliedMinor: number;
  /** What is still to be charged: the total less the credits. */
  amountDueMinor: number;
  /** Every credit passed in, with its balance after this invoice (unused ones unchanged), in input order. */
  balancesAfter: CreditBalance<Id>[];
}

export interface InvoiceToCredit {
  totalMinor: number;
  currency: string;
  /** The day the period closes (UTC, `YYYY-MM-DD`): a credit expiring that day still applies. */
  closesOn: string;
}

function assertMinorUnits(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative integer number of minor units, got ${value}`);
  }
}

/** Whether a credit can pay towards an invoice in `currency` closing on `closesOn`. */
export function isCreditUsable(credit: CreditBalance<unknown>, currency: string, closesOn: string): boolean {
  return (
    credit.currency === currency &&
    credit.remainingMinor > 0 &&
    (credit.expiresOn === null || credit.expiresOn >= closesOn)
  );
}

/**
 * Uses the credits against the invoice total, soonest-expiring first (a credit that never expires
 * last; equal expiry in input order), so no credit expires while a later one is spent. Credits in
 * another currency, expired or empty are skipped; a partly covered invoice leaves the rest due.
 */
export function applyCredits<Id>(
  invoice: InvoiceToCredit,
  credits: readonly CreditBalance<Id>[],
): CreditsAppliedToInvoice<Id> {
  assertMinorUnits(invoice.totalMinor, 'The invoice total');
  if (!isValidIsoDate(invoice.closesOn)) throw new RangeError(`not a date: ${invoice.closesOn}`);
  for (const credit of credits) {
    assertMinorUnits(credit.remainingMinor, 'A credit balance');
    if (credit.expiresOn !== null && !isValidIsoDate(credit.expiresOn)) {
      throw new RangeError(`not a date: ${credit.expiresOn}`);
    }
  }

  const order = credits
    .map((credit, index) => ({ credit, index }))
    .filter(({ credit }) => isCreditUsable(credit, invoice.currency, invoice.closesOn))
    .sort((a, b) => {
      const ae = a.credit.expiresOn;
      const be = b.credit.expiresOn;
      if (ae !== be) {
        if (ae === null) return 1;
        if (be === null) return -1;
        return ae < be ? -1 : 1;
      }
      return a.index - b.index;
    });

  const remaining = credits.map((c) => c.remainingMinor);
  const applications: CreditApplication<Id>[] = [];
  let due = invoice.totalMinor;
  for (const { credit, index } of order) {
    if (due === 0) break;
    const amountMinor = Math.min(due, credit.remainingMinor);
    due -= amountMinor;
    remaining[index] = credit.remainingMinor - amountMinor;
    applications.push({ creditId: credit.id, amountMinor, remainingAfterMinor: remaining[index]! });
  }

  return {
    applications,
    creditAppliedMinor: invoice.totalMinor - due,
    amountDueMinor: due,
    balancesAfter: credits.map((credit, index) => ({ ...credit, remainingMinor: remaining[index]! })),
  };
}
