import { describe, expect, it } from 'vitest';
import { detectCardBrand, isCardExpired, passesLuhn, validateNewCard } from './cards.js';
import { fixedClock } from './clock.js';
import { ValidationError } from './errors.js';
import type { CardDetails } from './payment-processor.js';

const clock = fixedClock('2026-11-29T12:00:00Z');
const valid: CardDetails = {
  number: '4242424242424242',
  expMonth: 12,
  expYear: 2030,
  cvc: '123',
  holderName: 'Ada Lovelace',
};

function validationErrorFor(card: Partial<CardDetails>): ValidationError {
  try {
    validateNewCard({ ...valid, ...card }, clock);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('Luhn check', () => {
  it.each([
    '4242424242424242',
    '5555555555554444',
    '378282246310005',
    '6011111111111117',
    '4000000000000002',
    '4000000000003220',
  ])('accepts %s', (number) => expect(passesLuhn(number)).toBe(true));
  it.each(['4242424242424241', '5555555555554440', '1234567812345678', '42424242a4242424', ''])(
    'rejects %s',
    (number) => expect(passesLuhn(number)).toBe(false),
  );
});

describe('brand from the number prefix', () => {
  it.each([
    ['4242424242424242', 'VISA'],
    ['5105105105105100', 'MASTERCARD'],
    ['5555555555554444', 'MASTERCARD'],
    ['2221000000000009', 'MASTERCARD'],
    ['2720990000000000', 'MASTERCARD'],
    ['2721000000000000', 'UNKNOWN'],
    ['5600000000000000', 'UNKNOWN'],
    ['378282246310005', 'AMEX'],
    ['341111111111111', 'AMEX'],
    ['6011111111111117', 'DISCOVER'],
    ['6500000000000000', 'DISCOVER'],
    ['6012000000000000', 'UNKNOWN'],
  ])('%s is %s', (number, brand) => expect(detectCardBrand(number)).toBe(brand));
});

describe('validateNewCard', () => {
  it('normalizes spaces and dashes, trims the holder name and detects the brand', () => {
    expect(validateNewCard({ ...valid, number: '4242 4242-4242 4242', holderName: '  Ada Lovelace ' }, clock)).toEqual({
      ...valid,
      brand: 'VISA',
    });
    expect(validateNewCard({ ...valid, number: '3782 822463 10005', cvc: '1234' }, clock).brand).toBe('AMEX');
  });

  it.each([
    ['letters in the number', { number: '4242abcd42424242' }, 'input.cardNumber'],
    ['11 digits', { number: '42424242424' }, 'input.cardNumber'],
    ['20 digits', { number: '42424242424242424242' }, 'input.cardNumber'],
    ['a failing Luhn check', { number: '4242424242424241' }, 'input.cardNumber'],
    ['month 0', { expMonth: 0 }, 'input.expMonth'],
    ['month 13', { expMonth: 13 }, 'input.expMonth'],
    ['a fractional month', { expMonth: 1.5 }, 'input.expMonth'],
    ['a past year', { expYear: 2025 }, 'input.expYear'],
    ['an earlier month of this year', { expMonth: 10, expYear: 2026 }, 'input.expYear'],
    ['a two-digit year', { expYear: 30 }, 'input.expYear'],
    ['a year too far ahead', { expYear: 2047 }, 'input.expYear'],
    ['a two-digit CVC', { cvc: '12' }, 'input.cvc'],
    ['a four-digit CVC on a Visa', { cvc: '1234' }, 'input.cvc'],
    ['a three-digit CVC on an Amex', { number: '378282246310005', cvc: '123' }, 'input.cvc'],
    ['letters in the CVC', { cvc: '12a' }, 'input.cvc'],
    ['an empty holder name', { holderName: '   ' }, 'input.holderName'],
    ['a 101-character holder name', { holderName: 'x'.repeat(101) }, 'input.holderName'],
  ])('rejects %s', (_label, card, field) => {
    const error = validationErrorFor(card);
    expect(error.field).toBe(field);
    expect(error.code).toBe('VALIDATION_FAILED');
  });

  it('accepts the current month, a 100-character name and a card 20 years ahead', () => {
    expect(() => validateNewCard({ ...valid, expMonth: 11, expYear: 2026 }, clock)).not.toThrow();
    expect(() => validateNewCard({ ...valid, holderName: 'x'.repeat(100), expYear: 2046 }, clock)).not.toThrow();
  });

  it('never repeats the number or the CVC in its messages', () => {
    const errors = [
      validationErrorFor({ number: '4242424242424241' }),
      validationErrorFor({ number: '4242424242424242', cvc: '98' }),
      validationErrorFor({ number: '378282246310005', cvc: '987' }),
    ];
    for (const error of errors) expect(error.message).not.toMatch(/4242|3782|98/);
  });
});

describe('isCardExpired', () => {
  it('keeps a card valid through the last instant of its expiry month (UTC)', () => {
    const edge = fixedClock('2026-11-30T23:59:59.999Z');
    expect(isCardExpired({ expMonth: 11, expYear: 2026 }, edge)).toBe(false);
    edge.set('2026-12-01T00:00:00.000Z');
    expect(isCardExpired({ expMonth: 11, expYear: 2026 }, edge)).toBe(true);
    expect(isCardExpired({ expMonth: 12, expYear: 2026 }, edge)).toBe(false);
    expect(isCardExpired({ expMonth: 1, expYear: 2024 }, edge)).toBe(true);
    expect(isCardExpired({ expMonth: 1, expYear: 2027 }, edge)).toBe(false);
  });
});
