import { describe, expect, it } from 'vitest';
import { describeMoney, formatMinorUnits } from './money.js';

describe('formatMinorUnits', () => {
  it("formats exactly, by the currency's minor unit", () => {
    expect(formatMinorUnits(123456, 'USD')).toBe('1234.56');
    expect(formatMinorUnits(5, 'USD')).toBe('0.05');
    expect(formatMinorUnits(0, 'EUR')).toBe('0.00');
    expect(formatMinorUnits(-250, 'USD')).toBe('-2.50');
    expect(formatMinorUnits(1234, 'JPY')).toBe('1234');
    expect(formatMinorUnits(1234, 'KWD')).toBe('1.234');
    expect(formatMinorUnits(900719925474099, 'USD')).toBe('9007199254740.99');
  });

  it('refuses non-integers rather than rounding money', () => {
    expect(() => formatMinorUnits(10.5, 'USD')).toThrow(RangeError);
  });
});

describe('describeMoney', () => {
  it('groups thousands without touching the exact digits', () => {
    expect(describeMoney({ minorUnits: 5_000_000, currency: 'USD' })).toBe('USD 50,000.00');
    expect(describeMoney({ minorUnits: 99, currency: 'USD' })).toBe('USD 0.99');
    expect(describeMoney({ minorUnits: -123_456_789, currency: 'EUR' })).toBe('EUR -1,234,567.89');
    expect(describeMoney({ minorUnits: 1_000_000, currency: 'JPY' })).toBe('JPY 1,000,000');
    expect(describeMoney({ minorUnits: 1_234_567, currency: 'KWD' })).toBe('KWD 1,234.567');
  });
});
