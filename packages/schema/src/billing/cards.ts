// Card input rules: what a new card must look like before it is sent to the processor, and when a
// stored card has expired. Error messages never repeat the number or the CVC.
import type { Clock } from './clock.js';
import { ValidationError } from './errors.js';
import { validFreeText } from './free-text.js';
import type { CardBrand, CardDetails } from './payment-processor.js';

/** Cards are accepted up to this many years ahead (issuers use well under 20; the database allows up to 2100). */
const MAX_YEARS_AHEAD = 20;
const MAX_HOLDER_NAME_LENGTH = 100;

/** A card that passed validation: the number as digits only, the holder name trimmed. */
export interface ValidatedCard extends CardDetails {
  brand: CardBrand;
}

/** Digits only: people type cards with spaces or dashes between groups. */
export function normalizeCardNumber(input: string): string {
  return input.replace(/[\s-]/g, '');
}

export function passesLuhn(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** The brand from the number's leading digits (issuer identification number ranges). */
export function detectCardBrand(digits: string): CardBrand {
  if (digits.startsWith('4')) return 'VISA';
  const two = Number(digits.slice(0, 2));
  const four = Number(digits.slice(0, 4));
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return 'MASTERCARD';
  if (two === 34 || two === 37) return 'AMEX';
  if (digits.startsWith('6011') || two === 65) return 'DISCOVER';
  return 'UNKNOWN';
}

/** A card is good through the last day of its expiry month (UTC). */
export function isCardExpired(card: { expMonth: number; expYear: number }, clock: Clock): boolean {
  const now = clock.now();
  return card.expYear * 12 + (card.expMonth - 1) < now.getUTCFullYear() * 12 + now.getUTCMonth();
}

/** Throws ValidationError (`input.expMonth` / `input.expYear`) unless the expiry is a real, unexpired month. */
export function checkCardExpiry(card: { expMonth: number; expYear: number }, clock: Clock): void {
  if (!Number.isInteger(card.expMonth) || card.expMonth < 1 || card.expMonth > 12) {
    throw new ValidationError('input.expMonth', 'The expiry month must be from 1 to 12.');
  }
  const currentYear = clock.now().getUTCFullYear();
  if (!Number.isInteger(card.expYear) || card.expYear > currentYear + MAX_YEARS_AHEAD) {
    throw new ValidationError(
      'input.expYear',
      'The expiry year is not valid. Use the four-digit year printed on the card.',
    );
  }
  if (isCardExpired(card, clock)) throw new ValidationError('input.expYear', 'This card has expired.');
}

/** The cardholder name as stored (the free-text rule), or a ValidationError for `input.holderName`. */
export function validHolderName(holderName: string): string {
  return validFreeText(holderName, {
    field: 'input.holderName',
    label: 'The cardholder name',
    maxLength: MAX_HOLDER_NAME_LENGTH,
  });
}

/** Checks a new card field by field (in input order) and returns it normalized; throws ValidationError. */
export function validateNewCard(card: CardDetails, clock: Clock): ValidatedCard {
  const number = normalizeCardNumber(card.number);
  if (!/^\d+$/.test(number)) {
    throw new ValidationError('input.cardNumber', 'The card number may contain only digits, spaces and dashes.');
  }
  if (number.length < 12 || number.length > 19) {
    throw new ValidationError('input.cardNumber', 'The card number must have 12 to 19 digits.');
  }
  if (!passesLuhn(number))
    throw new ValidationError('input.cardNumber', 'The card number is not valid. Check it for typos.');
  const brand = detectCardBrand(number);

  checkCardExpiry(card, clock);

  const cvcLength = brand === 'AMEX' ? 4 : 3;
  if (!new RegExp(`^\\d{${cvcLength}}$`).test(card.cvc)) {
    throw new ValidationError('input.cvc', `The security code (CVC) must be ${cvcLength} digits for this card.`);
  }

  const holderName = validHolderName(card.holderName);

  return { number, brand, expMonth: card.expMonth, expYear: card.expYear, cvc: card.cvc, holderName };
}
