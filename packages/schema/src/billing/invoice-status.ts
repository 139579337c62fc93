import type { InvoiceLifecycle } from '../db/tables.js';
import { isoDate, type Clock } from './clock.js';
import type { InvoiceNotPayableReason } from './errors.js';

/** What the portal shows. DUE and PAST_DUE are the same stored state seen from different days. */
export type InvoiceStatus = 'DUE' | 'PAST_DUE' | 'PAID' | 'VOID';
export const INVOICE_STATUSES: readonly InvoiceStatus[] = ['DUE', 'PAST_DUE', 'PAID', 'VOID'];

export interface InvoiceStatusInput {
  lifecycle: InvoiceLifecycle;
  dueDate: string;
}

/**
 * An unpaid invoice is due through the end of its due date (UTC) and past due from the next day.
 * A payment in progress does not change what the customer owes, so it still reads as due/past due.
 */
export function invoiceStatus(invoice: InvoiceStatusInput, clock: Clock): InvoiceStatus {
  if (invoice.lifecycle === 'PAID') return 'PAID';
  if (invoice.lifecycle === 'VOID') return 'VOID';
  return invoice.dueDate < isoDate(clock.now()) ? 'PAST_DUE' : 'DUE';
}

/** Stored conditions equivalent to each status, for filtering in SQL. */
export function statusCondition(
  status: InvoiceStatus,
  clock: Clock,
): {
  lifecycles: InvoiceLifecycle[];
  dueBefore?: string;
  dueOnOrAfter?: string;
} {
  const today = isoDate(clock.now());
  switch (status) {
    case 'PAID':
      return { lifecycles: ['PAID'] };
    case 'VOID':
      return { lifecycles: ['VOID'] };
    case 'DUE':
      return { lifecycles: ['OPEN', 'PAYMENT_IN_PROGRESS'], dueOnOrAfter: today };
    case 'PAST_DUE':
      return { lifecycles: ['OPEN', 'PAYMENT_IN_PROGRESS'], dueBefore: today };
  }
}

/** Why an invoice cannot be paid right now, or null when it can (a due or past-due balance). */
export function notPayableReason(invoice: {
  lifecycle: InvoiceLifecycle;
  amountDueMinor: number;
}): InvoiceNotPayableReason | null {
  switch (invoice.lifecycle) {
    case 'PAID':
      return 'ALREADY_PAID';
    case 'VOID':
      return 'VOID';
    case 'PAYMENT_IN_PROGRESS':
      return 'PAYMENT_IN_PROGRESS';
    case 'OPEN':
      return invoice.amountDueMinor > 0 ? null : 'NOTHING_DUE';
  }
}
