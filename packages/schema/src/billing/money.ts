/** Minor units per major unit, by ISO 4217 code. Unlisted currencies have two decimals. */
const MINOR_UNIT_DIGITS: Record<string, number> = {
  JPY: 0,
  KRW: 0,
  CLP: 0,
  VND: 0,
  BHD: 3,
  KWD: 3,
  JOD: 3,
  OMR: 3,
  TND: 3,
};

export function minorUnitDigits(currency: string): number {
  return MINOR_UNIT_DIGITS[currency] ?? 2;
}

/** Exact decimal string for an integer amount of minor units, e.g. 123456 USD -> "1234.56". */
export function formatMinorUnits(amountMinor: number, currency: string): string {
  if (!Number.isSafeInteger(amountMinor)) throw new RangeError(`not an integer amount: ${amountMinor}`);
  const digits = minorUnitDigits(currency);
  const negative = amountMinor < 0;
  const abs = String(Math.abs(amountMinor)).padStart(digits + 1, '0');
  const whole = digits === 0 ? abs : abs.slice(0, -digits);
  const fraction = digits === 0 ? '' : `.${abs.slice(-digits)}`;
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

/** An exact amount of money: an integer number of the currency's minor units. */
export interface MoneyValue {
  minorUnits: number;
  currency: string;
}

/** For messages, e.g. `USD 50000.00`. */
export function describeMoney(money: MoneyValue): string {
  return `${money.currency} ${formatMinorUnits(money.minorUnits, money.currency)}`;
}
