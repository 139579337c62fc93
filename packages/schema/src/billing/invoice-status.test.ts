import { describe, expect, it } from 'vitest';
import { fixedClock } from './clock.js';
import { invoiceStatus, notPayableReason, statusCondition } from './invoice-status.js';

describe('invoice status', () => {
  const clock = fixedClock('2026-11-29T23:59:59.999Z');

  it('is DUE on its due date and PAST_DUE from the day after (UTC)', () => {
    expect(invoiceStatus({ lifecycle: 'OPEN', dueDate: '2026-11-29' }, clock)).toBe('DUE');
    expect(invoiceStatus({ lifecycle: 'OPEN', dueDate: '2026-11-28' }, clock)).toBe('PAST_DUE');
    expect(invoiceStatus({ lifecycle: 'OPEN', dueDate: '2026-12-29' }, clock)).toBe('DUE');
    clock.set('2026-11-30T00:00:00.000Z');
    expect(invoiceStatus({ lifecycle: 'OPEN', dueDate: '2026-11-29' }, clock)).toBe('PAST_DUE');
  });

  it('does not let a payment in progress hide what is owed; PAID and VOID ignore the date', () => {
    clock.set('2026-11-29T12:00:00.000Z');
    expect(invoiceStatus({ lifecycle: 'PAYMENT_IN_PROGRESS', dueDate: '2026-11-01' }, clock)).toBe('PAST_DUE');
    expect(invoiceStatus({ lifecycle: 'PAID', dueDate: '2026-11-01' }, clock)).toBe('PAID');
    expect(invoiceStatus({ lifecycle: 'VOID', dueDate: '2026-12-01' }, clock)).toBe('VOID');
  });

  it('translates each status to stored conditions that agree with the derivation', () => {
    clock.set('2026-11-29T12:00:00.000Z');
    expect(statusCondition('DUE', clock)).toEqual({
      lifecycles: ['OPEN', 'PAYMENT_IN_PROGRESS'],
      dueOnOrAfter: '2026-11-29',
    });
    expect(statusCondition('PAST_DUE', clock)).toEqual({
      lifecycles: ['OPEN', 'PAYMENT_IN_PROGRESS'],
      dueBefore: '2026-11-29',
    });
    expect(statusCondition('PAID', clock)).toEqual({ lifecycles: ['PAID'] });
  });

  it('is payable only when open with something due', () => {
    expect(notPayableReason({ lifecycle: 'OPEN', amountDueMinor: 1 })).toBeNull();
    expect(notPayableReason({ lifecycle: 'OPEN', amountDueMinor: 0 })).toBe('NOTHING_DUE');
    expect(notPayableReason({ lifecycle: 'PAID', amountDueMinor: 0 })).toBe('ALREADY_PAID');
    expect(notPayableReason({ lifecycle: 'VOID', amountDueMinor: 0 })).toBe('VOID');
    expect(notPayableReason({ lifecycle: 'PAYMENT_IN_PROGRESS', amountDueMinor: 5 })).toBe('PAYMENT_IN_PROGRESS');
  });
});
