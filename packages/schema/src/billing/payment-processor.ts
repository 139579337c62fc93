// The payment processor as the payment flow sees it. The sandbox implements it; a real
// processor's adapter would too. Card numbers and CVCs pass through `tokenizeCard` only.
import type { DeclineCode } from './errors.js';

export const CARD_BRANDS = ['VISA', 'MASTERCARD', 'AMEX', 'DISCOVER', 'UNKNOWN'] as const;
export type CardBrand = (typeof CARD_BRANDS)[number];

/** What the issuer says the card is; the tokenizer reports it. */
export const CARD_KINDS = ['CREDIT', 'DEBIT', 'PREPAID', 'VIRTUAL'] as const;
export type CardKind = (typeof CARD_KINDS)[number];

export interface CardDetails {
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string;
  holderName: string;
}

export interface TokenizedCard {
  token: string;
  brand: CardBrand;
  last4: string;
  expMonth: number;
  expYear: number;
  kind: CardKind;
  /** ISO 3166-1 alpha-2 code of the issuing bank's country, e.g. `US`. */
  issuingCountry: string;
}

export interface ChargeRequest {
  /** The processor deduplicates on this: the same key never charges twice. */
  idempotencyKey: string;
  token: string;
  amountMinor: number;
  currency: string;
  description: string;
}

export type ChargeOutcome =
  | { status: 'SUCCEEDED'; reference: string }
  | { status: 'FAILED'; reference: string | null; declineCode: DeclineCode };

/** The processor did not answer in time: the charge may or may not have happened. */
export class ProcessorTimeoutError extends Error {
  constructor(message = 'The payment processor did not answer in time.') {
    super(message);
    this.name = 'ProcessorTimeoutError';
  }
}

/** The idempotency key was already used for a different charge (another token, amount or currency). */
export class ProcessorKeyReuseError extends Error {
  constructor(
    message = 'The payment processor refused the charge: this idempotency key was used for a different request.',
  ) {
    super(message);
    this.name = 'ProcessorKeyReuseError';
  }
}

/** The processor refused a card at tokenization; the message never repeats the card's details. */
export class CardRefusedError extends Error {
  constructor(message = 'The payment processor refused the card number.') {
    super(message);
    this.name = 'CardRefusedError';
  }
}

export interface PaymentProcessor {
  readonly name: string;
  tokenizeCard(card: CardDetails): Promise<TokenizedCard>;
  /** Throws ProcessorTimeoutError when the outcome is unknown. */
  charge(request: ChargeRequest, options?: { timeoutMs?: number }): Promise<ChargeOutcome>;
  /** The outcome of an earlier charge by its idempotency key; null if the processor never saw it. */
  findCharge(idempotencyKey: string): Promise<ChargeOutcome | null>;
}
