// Period close on stored data: the invoice is issued with the account's credits applied (soonest
// expiring first, only the invoice's currency, none expired), a rerun changes nothing, and over random
// credits and invoices every minor unit is accounted for.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { grantCredit } from './credit-ledger.js';
import { ValidationError } from './errors.js';
import { closeBillingPeriod, periodInvoiceNumber } from './period-close.js';
import { createBillingFixture, rejectionOf, snapshot, type BillingFixture } from './test-support.js';

let fx: BillingFixture;
afterEach(() => fx?.close());

const CONTOSO = 1;
const ENGINEERING = 1;
const line = (unitPriceMinor: number, quantity = 1) => ({
  description: 'Virtual machines',
  serviceName: 'Compute',
  quantity,
  unitPriceMinor,
});
const close = (periodEnd: string, lineItems = [line(10_000)], taxMinor = 0) =>
  closeBillingPeriod(fx.services, {
    billingProfileId: ENGINEERING,
    periodStart: `${periodEnd.slice(0, 8)}01`,
    periodEnd,
    lineItems,
    taxMinor,
  });
const credit = (amountMinor: number, expiresOn: string | null, currency = 'USD') =>
  grantCredit(fx.services, {
    billingAccountId: CONTOSO,
    description: 'Azure credit',
    amountMinor,
    currency,
    expiresOn,
  });
const row = <T>(sql: string, ...params: unknown[]) => fx.handle.sqlite.prepare(sql).get(...params) as T;

describe('closeBillingPeriod', () => {
  it('issues the invoice with no credits: the total is due', async () => {
    fx = await createBillingFixture();
    const closed = await close('2026-11-30', [line(2_500, 3)], 750);
    expect(closed).toMatchObject({
      created: true,
      invoiceNumber: periodInvoiceNumber(ENGINEERING, '2026-11-30'),
      totalMinor: 8_250,
      creditAppliedMinor: 0,
      amountDueMinor: 8_250,
    });
    expect(row('SELECT lifecycle, invoice_date, due_date FROM invoices WHERE id = ?', closed.invoiceId)).toEqual({
      lifecycle: 'OPEN',
      invoice_date: '2026-12-01',
      due_date: '2026-12-31',
    });
  });

  it('applies credits soonest-expiring first, skips expired and other-currency ones, and charges only the rest', async () => {
    fx = await createBillingFixture();
    const later = await credit(3_000, null);
    const sooner = await credit(4_000, '2026-12-15');
    const expired = await credit(9_000, '2026-11-29');
    const euros = await credit(9_000, null, 'EUR');
    const lastDay = await credit(1_000, '2026-11-30'); // expires on the period's last day: still usable
    const closed = await close('2026-11-30', [line(10_000)]);
    expect(closed).toMatchObject({ totalMinor: 10_000, creditAppliedMinor: 8_000, amountDueMinor: 2_000 });
    const remaining = (id: number) => row<{ r: number }>('SELECT remaining_minor AS r FROM credits WHERE id = ?', id).r;
    expect([lastDay, sooner, later, expired, euros].map(remaining)).toEqual([0, 0, 0, 9_000, 9_000]);
    expect(
      fx.handle.sqlite
        .prepare('SELECT credit_id AS c, amount_minor AS a FROM credit_applications WHERE invoice_id = ? ORDER BY id')
        .all(closed.invoiceId),
    ).toEqual([
      { c: lastDay, a: 1_000 },
      { c: sooner, a: 4_000 },
      { c: later, a: 3_000 },
    ]);
  });

  it('an invoice fully covered by credits is paid, with nothing left to charge', async () => {
    fx = await createBillingFixture();
    await credit(50_000, null);
    const closed = await close('2026-11-30', [line(10_000)]);
    expect(closed).toMatchObject({ creditAppliedMinor: 10_000, amountDueMinor: 0 });
    expect(row('SELECT lifecycle FROM invoices WHERE id = ?', closed.invoiceId)).toEqual({ lifecycle: 'PAID' });
  });

  it('closing the same period again finds the invoice and applies nothing twice', async () => {
    fx = await createBillingFixture();
    await credit(4_000, null);
    const first = await close('2026-11-30');
    const before = snapshot(fx.handle);
    const again = await close('2026-11-30');
    expect(again).toEqual({ ...first, created: false });
    expect(snapshot(fx.handle)).toBe(before);
  });

  it('bad input is refused with a typed error and writes nothing', async () => {
    fx = await createBillingFixture();
    const before = snapshot(fx.handle);
    expect(await rejectionOf(close('2026-11-31'))).toBeInstanceOf(ValidationError);
    expect(await rejectionOf(close('2026-11-30', [line(1.5)]))).toBeInstanceOf(ValidationError);
    expect(await rejectionOf(close('2026-11-30', [line(100)], -1))).toBeInstanceOf(ValidationError);
    expect(snapshot(fx.handle)).toBe(before);
  });
});

describe('stored credits, property', () => {
  it('over random credits and periods: applications plus amounts due equal the totals, and balances add up', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            amount: fc.integer({ min: 1, max: 50_000 }),
            expires: fc.option(fc.integer({ min: 0, max: 90 })),
          }),
          {
            maxLength: 5,
          },
        ),
        fc.array(fc.integer({ min: 0, max: 40_000 }), { minLength: 1, maxLength: 3 }),
        async (grants, totals) => {
          fx = await createBillingFixture();
          try {
            for (const g of grants) {
              const day =
                g.expires === null ? null : new Date(Date.UTC(2026, 10, 1 + g.expires)).toISOString().slice(0, 10);
              await credit(g.amount, day);
            }
            const months = ['2026-11-30', '2026-12-31', '2027-01-31'];
            for (const [i, total] of totals.entries()) {
              const closed = await close(months[i]!, total === 0 ? [] : [line(total)]);
              expect(closed.creditAppliedMinor + closed.amountDueMinor).toBe(total);
            }
            const granted = grants.reduce((s, g) => s + g.amount, 0);
            const sums = row<{ applied: number; left: number; invoiced: number; credited: number }>(
              // Contoso's own: the seed's other tenants have credits of their own.
              `SELECT (SELECT coalesce(sum(amount_minor), 0) FROM credit_applications WHERE billing_account_id = 1) AS applied,
                      (SELECT coalesce(sum(remaining_minor), 0) FROM credits WHERE billing_account_id = 1) AS left,
                      (SELECT coalesce(sum(total_minor - amount_due_minor), 0) FROM invoices WHERE number LIKE 'A%') AS invoiced,
                      (SELECT coalesce(sum(credit_applied_minor), 0) FROM invoices WHERE billing_account_id = 1) AS credited`,
            );
            expect(sums.applied + sums.left).toBe(granted);
            expect(sums.applied).toBe(sums.credited);
            expect(sums.applied).toBe(sums.invoiced);
          } finally {
            fx.close();
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});
