import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyCredits, isCreditUsable, type CreditBalance } from './credits.js';

const closesOn = '2026-11-30';

describe('applyCredits', () => {
  it('uses the soonest-expiring credit first and leaves the rest of the later one', () => {
    const result = applyCredits({ totalMinor: 10_000, currency: 'USD', closesOn }, [
      { id: 1, currency: 'USD', remainingMinor: 8_000, expiresOn: '2027-06-30' },
      { id: 2, currency: 'USD', remainingMinor: 3_000, expiresOn: '2026-12-31' },
    ]);
    expect(result.applications).toEqual([
      { creditId: 2, amountMinor: 3_000, remainingAfterMinor: 0 },
      { creditId: 1, amountMinor: 7_000, remainingAfterMinor: 1_000 },
    ]);
    expect(result.creditAppliedMinor).toBe(10_000);
    expect(result.amountDueMinor).toBe(0);
    expect(result.balancesAfter.map((c) => c.remainingMinor)).toEqual([1_000, 0]);
  });

  it('skips expired, other-currency and empty credits; a credit expiring on the closing day still applies', () => {
    const result = applyCredits({ totalMinor: 5_000, currency: 'EUR', closesOn }, [
      { id: 'expired', currency: 'EUR', remainingMinor: 9_999, expiresOn: '2026-11-29' },
      { id: 'dollars', currency: 'USD', remainingMinor: 9_999, expiresOn: null },
      { id: 'empty', currency: 'EUR', remainingMinor: 0, expiresOn: '2026-12-01' },
      { id: 'last-day', currency: 'EUR', remainingMinor: 1_250, expiresOn: closesOn },
    ]);
    expect(result.applications).toEqual([{ creditId: 'last-day', amountMinor: 1_250, remainingAfterMinor: 0 }]);
    expect(result.amountDueMinor).toBe(3_750);
    expect(result.balancesAfter.find((c) => c.id === 'expired')!.remainingMinor).toBe(9_999);
  });

  it('spends credits without expiry after every dated one, and equal expiries in the given order', () => {
    const result = applyCredits({ totalMinor: 300, currency: 'USD', closesOn }, [
      { id: 'forever', currency: 'USD', remainingMinor: 1_000, expiresOn: null },
      { id: 'b', currency: 'USD', remainingMinor: 100, expiresOn: '2027-01-31' },
      { id: 'c', currency: 'USD', remainingMinor: 100, expiresOn: '2027-01-31' },
    ]);
    expect(result.applications.map((a) => [a.creditId, a.amountMinor])).toEqual([
      ['b', 100],
      ['c', 100],
      ['forever', 100],
    ]);
  });

  it('applies nothing to a zero total and changes no balance', () => {
    const credits = [{ id: 1, currency: 'USD', remainingMinor: 500, expiresOn: null }];
    const result = applyCredits({ totalMinor: 0, currency: 'USD', closesOn }, credits);
    expect(result).toEqual({ applications: [], creditAppliedMinor: 0, amountDueMinor: 0, balancesAfter: credits });
  });

  it('refuses fractional or negative amounts and malformed dates instead of rounding', () => {
    const credit = { id: 1, currency: 'USD', expiresOn: null };
    expect(() => applyCredits({ totalMinor: 10.5, currency: 'USD', closesOn }, [])).toThrow(RangeError);
    expect(() => applyCredits({ totalMinor: -1, currency: 'USD', closesOn }, [])).toThrow(RangeError);
    expect(() =>
      applyCredits({ totalMinor: 1, currency: 'USD', closesOn }, [{ ...credit, remainingMinor: 0.1 }]),
    ).toThrow(RangeError);
    expect(() => applyCredits({ totalMinor: 1, currency: 'USD', closesOn: '2026-02-30' }, [])).toThrow(RangeError);
    expect(() =>
      applyCredits({ totalMinor: 1, currency: 'USD', closesOn }, [{ ...credit, remainingMinor: 1, expiresOn: 'soon' }]),
    ).toThrow(RangeError);
  });
});

// Random credits and a run of invoices closing one after another, each seeing the balances the
// previous one left. Amounts reach past 2^32 to catch any float arithmetic.
const currencies = ['USD', 'EUR', 'JPY'] as const;
const day = fc
  .integer({ min: 0, max: 120 })
  .map((n) => new Date(Date.UTC(2026, 9, 1) + n * 86_400_000).toISOString().slice(0, 10));
const amount = fc.oneof(fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 0, max: 2 ** 40 }));
const creditArb = fc.record({
  currency: fc.constantFrom(...currencies),
  remainingMinor: amount,
  expiresOn: fc.option(day, { nil: null }),
});
const invoiceArb = fc.record({ totalMinor: amount, currency: fc.constantFrom(...currencies), closesOn: day });
const scenario = fc.record({
  credits: fc.array(creditArb, { maxLength: 12 }).map((cs) => cs.map((c, id): CreditBalance => ({ ...c, id }))),
  invoices: fc.array(invoiceArb, { minLength: 1, maxLength: 8 }).map((is) =>
    // Periods close in order.
    [...is].sort((a, b) => (a.closesOn < b.closesOn ? -1 : a.closesOn > b.closesOn ? 1 : 0)),
  ),
});

describe('applyCredits, property over random credits and invoices', () => {
  it('applications plus charges equal the totals; no credit goes negative; nothing appears or vanishes', () => {
    fc.assert(
      fc.property(scenario, ({ credits, invoices }) => {
        let balances = credits;
        const applied = new Map<number, number>();
        for (const invoice of invoices) {
          const before = balances;
          const result = applyCredits(invoice, before);

          const sumApplied = result.applications.reduce((s, a) => s + a.amountMinor, 0);
          expect(sumApplied).toBe(result.creditAppliedMinor);
          expect(result.creditAppliedMinor + result.amountDueMinor).toBe(invoice.totalMinor);
          expect(result.amountDueMinor).toBeGreaterThanOrEqual(0);

          for (const application of result.applications) {
            const credit = before.find((c) => c.id === application.creditId)!;
            expect(isCreditUsable(credit, invoice.currency, invoice.closesOn)).toBe(true);
            expect(Number.isSafeInteger(application.amountMinor)).toBe(true);
            expect(application.amountMinor).toBeGreaterThan(0);
            expect(application.remainingAfterMinor).toBe(credit.remainingMinor - application.amountMinor);
            applied.set(credit.id, (applied.get(credit.id) ?? 0) + application.amountMinor);
          }
          // A credit is used only when every sooner-expiring usable credit is used up.
          const usedIds = new Set(result.applications.map((a) => a.creditId));
          const after = new Map(result.balancesAfter.map((c) => [c.id, c]));
          for (const credit of before) {
            const rest = after.get(credit.id)!.remainingMinor;
            expect(rest).toBeGreaterThanOrEqual(0);
            if (!usedIds.has(credit.id)) expect(rest).toBe(credit.remainingMinor);
            // Money left on a usable credit means the invoice was fully covered.
            if (isCreditUsable(credit, invoice.currency, invoice.closesOn) && rest > 0) {
              expect(result.amountDueMinor).toBe(0);
            }
          }
          balances = result.balancesAfter;
        }
        // Conservation across the whole run: what each credit lost is exactly what it paid.
        for (const credit of credits) {
          const end = balances.find((c) => c.id === credit.id)!.remainingMinor;
          expect(credit.remainingMinor - end).toBe(applied.get(credit.id) ?? 0);
        }
      }),
      { numRuns: 500, seed: 20261201 },
    );
  });

  it('never spends a later-expiring credit while a sooner one in the same currency has money left', () => {
    fc.assert(
      fc.property(scenario, ({ credits, invoices }) => {
        const invoice = invoices[0]!;
        const result = applyCredits(invoice, credits);
        const expiry = (id: number) => credits.find((c) => c.id === id)!.expiresOn ?? '9999-12-31';
        const order = result.applications.map((a) => expiry(a.creditId));
        expect(order).toEqual([...order].sort());
        // Every application but the last empties its credit.
        for (const a of result.applications.slice(0, -1)) expect(a.remainingAfterMinor).toBe(0);
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
