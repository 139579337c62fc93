import type { AgreementType } from '../db/tables.js';
import { describeMoney, type MoneyValue } from './money.js';
import type { CardKind } from './payment-processor.js';
import type { ErrorCode } from './error-codes.js';

export * from './error-codes.js';

// Domain errors. Each is a typed member of a mutation's result union in the GraphQL schema; the
// `code` strings are stable for clients (ERROR_CODES). Messages are written for the person using the portal.

export abstract class BillingError extends Error {
  abstract readonly code: ErrorCode;
}

export class NotAuthorizedError extends BillingError {
  readonly code = 'NOT_AUTHORIZED';
  constructor(message = 'You do not have permission to do this.') {
    super(message);
    this.name = 'NotAuthorizedError';
  }
}

/** Also what another tenant's ID produces: it must be indistinguishable from a missing one. */
export class NotFoundError extends BillingError {
  readonly code = 'NOT_FOUND';
  constructor(
    readonly resource: string,
    message = `${resource} not found.`,
  ) {
    super(message);
    this.name = 'NotFoundError';
  }
}

export class ValidationError extends BillingError {
  readonly code = 'VALIDATION_FAILED';
  constructor(
    /** Input path, e.g. `input.cardNumber`. */
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'ValidationError';
  }
}

export const INVOICE_NOT_PAYABLE_REASONS = ['ALREADY_PAID', 'VOID', 'PAYMENT_IN_PROGRESS', 'NOTHING_DUE'] as const;
export type InvoiceNotPayableReason = (typeof INVOICE_NOT_PAYABLE_REASONS)[number];

export class InvoiceNotPayableError extends BillingError {
  readonly code = 'INVOICE_NOT_PAYABLE';
  constructor(readonly reason: InvoiceNotPayableReason) {
    super(
      {
        ALREADY_PAID: 'This invoice is already paid.',
        VOID: 'This invoice is void and cannot be paid.',
        PAYMENT_IN_PROGRESS: 'A payment for this invoice is already in progress.',
        NOTHING_DUE: 'Nothing is due on this invoice.',
      }[reason],
    );
    this.name = 'InvoiceNotPayableError';
  }
}

export const PAYMENT_METHOD_UNUSABLE_REASONS = ['EXPIRED', 'REMOVED', 'OTHER_PROFILE', 'CURRENCY'] as const;
export type PaymentMethodUnusableReason = (typeof PAYMENT_METHOD_UNUSABLE_REASONS)[number];

export class PaymentMethodUnusableError extends BillingError {
  readonly code = 'PAYMENT_METHOD_UNUSABLE';
  constructor(readonly reason: PaymentMethodUnusableReason) {
    super(
      {
        EXPIRED: 'This card has expired. Choose another payment method or add a new card.',
        REMOVED: 'This payment method was removed.',
        OTHER_PROFILE: "This payment method belongs to another billing profile than the invoice's.",
        CURRENCY: "This payment method cannot pay in the invoice's currency.",
      }[reason],
    );
    this.name = 'PaymentMethodUnusableError';
  }
}

// Decided by removalRefusal in billing/payment-methods.ts.
export const PAYMENT_METHOD_NOT_REMOVABLE_REASONS = ['DEFAULT_PAYMENT_METHOD', 'ONLY_CARD_ON_AUTOPAY'] as const;
export type PaymentMethodNotRemovableReason = (typeof PAYMENT_METHOD_NOT_REMOVABLE_REASONS)[number];

/** The card may not be removed now; nothing was changed. */
export class PaymentMethodNotRemovableError extends BillingError {
  readonly code = 'PAYMENT_METHOD_NOT_REMOVABLE';
  constructor(readonly reason: PaymentMethodNotRemovableReason) {
    super(
      {
        DEFAULT_PAYMENT_METHOD:
          "This card is the billing profile's default payment method. Make another card the default, then remove this one.",
        ONLY_CARD_ON_AUTOPAY:
          'This is the only card of a billing profile that pays automatically. Add another card, or turn autopay off, then remove this one.',
      }[reason],
    );
    this.name = 'PaymentMethodNotRemovableError';
  }
}

export const PAYMENT_METHOD_NOT_ALLOWED_REASONS = [
  'AGREEMENT_TYPE',
  'ABOVE_CARD_CEILING',
  'CARD_KIND',
  'NOT_FOR_RECURRING',
] as const;
export type PaymentMethodNotAllowedReason = (typeof PAYMENT_METHOD_NOT_ALLOWED_REASONS)[number];

/** Why a payment method may not be used, with what the customer needs to understand it. */
export type PaymentMethodRefusal =
  | { reason: 'AGREEMENT_TYPE'; agreementType: AgreementType }
  | { reason: 'ABOVE_CARD_CEILING'; ceiling: MoneyValue }
  | { reason: 'CARD_KIND'; cardKind: CardKind }
  /** The country is null when only the card's stored flag is known (it is not kept). */
  | { reason: 'NOT_FOR_RECURRING'; issuingCountry: string | null };

const AGREEMENT_NAMES: Record<AgreementType, string> = {
  MICROSOFT_CUSTOMER_AGREEMENT: 'Microsoft Customer Agreement',
  MICROSOFT_ONLINE_SERVICES_PROGRAM: 'Microsoft Online Services Program',
  ENTERPRISE_AGREEMENT: 'Enterprise Agreement',
};

function refusalMessage(refusal: PaymentMethodRefusal): string {
  switch (refusal.reason) {
    case 'AGREEMENT_TYPE':
      return `Accounts on an ${AGREEMENT_NAMES[refusal.agreementType]} cannot pay by card. Pay by wire transfer.`;
    case 'ABOVE_CARD_CEILING':
      return `Card payments are limited to ${describeMoney(refusal.ceiling)}. Pay by wire transfer.`;
    case 'CARD_KIND':
      return `${refusal.cardKind === 'PREPAID' ? 'Prepaid' : 'Virtual'} cards are not accepted. Use a credit or debit card.`;
    case 'NOT_FOR_RECURRING':
      return 'Cards issued in this country cannot be stored for recurring charges. Enter the card each time you pay.';
  }
}

/** A payment method of a kind this account, amount or charge may not use. Nothing was charged or stored. */
export class PaymentMethodNotAllowedError extends BillingError {
  readonly code = 'PAYMENT_METHOD_NOT_ALLOWED';
  readonly reason: PaymentMethodNotAllowedReason;
  constructor(readonly refusal: PaymentMethodRefusal) {
    super(refusalMessage(refusal));
    this.name = 'PaymentMethodNotAllowedError';
    this.reason = refusal.reason;
  }

  /** The card ceiling that was exceeded, when that is the reason. */
  get ceiling(): MoneyValue | null {
    return this.refusal.reason === 'ABOVE_CARD_CEILING' ? this.refusal.ceiling : null;
  }
}

export const DECLINE_CODES = [
  'GENERIC_DECLINE',
  'INSUFFICIENT_FUNDS',
  'EXPIRED_CARD',
  'INCORRECT_CVC',
  'PROCESSING_ERROR',
] as const;
export type DeclineCode = (typeof DECLINE_CODES)[number];

export class CardDeclinedError extends BillingError {
  readonly code = 'CARD_DECLINED';
  constructor(readonly declineCode: DeclineCode) {
    super(
      {
        GENERIC_DECLINE: 'The card was declined.',
        INSUFFICIENT_FUNDS: 'The card was declined: insufficient funds.',
        EXPIRED_CARD: 'The card was declined: it has expired.',
        INCORRECT_CVC: 'The card was declined: the security code (CVC) is incorrect.',
        PROCESSING_ERROR: 'The card could not be charged because of a processing error. Try again.',
      }[declineCode],
    );
    this.name = 'CardDeclinedError';
  }
}

export const WEBHOOK_URL_NOT_ALLOWED_REASONS = [
  'INVALID_URL',
  'NOT_HTTPS',
  'ADDRESS_NOT_ALLOWED',
  'UNRESOLVABLE',
] as const;
export type WebhookUrlNotAllowedReason = (typeof WEBHOOK_URL_NOT_ALLOWED_REASONS)[number];

/** A webhook URL outbound requests may not go to (see billing/webhooks/url-safety.ts). Nothing was changed. */
export class WebhookUrlNotAllowedError extends BillingError {
  readonly code = 'WEBHOOK_URL_NOT_ALLOWED';
  constructor(readonly reason: WebhookUrlNotAllowedReason) {
    super(
      {
        INVALID_URL: 'The URL is not a valid absolute http(s) URL without credentials, of at most 2,048 characters.',
        NOT_HTTPS: 'Webhook endpoints must use https.',
        ADDRESS_NOT_ALLOWED:
          'The URL points at a loopback, private, link-local or otherwise internal address. Use a public address.',
        UNRESOLVABLE: 'The host name of the URL does not resolve.',
      }[reason],
    );
    this.name = 'WebhookUrlNotAllowedError';
  }
}

/** The same idempotency key was used with a different request. */
export class IdempotencyKeyConflictError extends BillingError {
  readonly code = 'IDEMPOTENCY_KEY_CONFLICT';
  constructor(message = 'This idempotency key was already used with a different request.') {
    super(message);
    this.name = 'IdempotencyKeyConflictError';
  }
}

/** A request with this idempotency key is still being processed; retrying later is safe. */
export class IdempotencyKeyInUseError extends BillingError {
  readonly code = 'IDEMPOTENCY_KEY_IN_USE';
  constructor(
    message = 'A request with this idempotency key is still in progress. Retry shortly; it will not charge twice.',
  ) {
    super(message);
    this.name = 'IdempotencyKeyInUseError';
  }
}

/**
 * A domain error as stored data (an idempotent request's recorded answer), enough to rebuild the
 * same class with the same fields and message when the request is replayed.
 */
export type SerializedBillingError =
  | { name: 'NotAuthorizedError'; message: string }
  | { name: 'NotFoundError'; resource: string; message: string }
  | { name: 'ValidationError'; field: string; message: string }
  | { name: 'InvoiceNotPayableError'; reason: InvoiceNotPayableReason }
  | { name: 'PaymentMethodUnusableError'; reason: PaymentMethodUnusableReason }
  | { name: 'CardDeclinedError'; declineCode: DeclineCode }
  | { name: 'PaymentMethodNotAllowedError'; refusal: PaymentMethodRefusal }
  | { name: 'IdempotencyKeyConflictError'; message: string }
  | { name: 'IdempotencyKeyInUseError'; message: string };

export function serializeBillingError(error: BillingError): SerializedBillingError {
  if (error instanceof NotAuthorizedError) return { name: 'NotAuthorizedError', message: error.message };
  if (error instanceof NotFoundError)
    return { name: 'NotFoundError', resource: error.resource, message: error.message };
  if (error instanceof ValidationError) return { name: 'ValidationError', field: error.field, message: error.message };
  if (error instanceof InvoiceNotPayableError) return { name: 'InvoiceNotPayableError', reason: error.reason };
  if (error instanceof PaymentMethodUnusableError) return { name: 'PaymentMethodUnusableError', reason: error.reason };
  if (error instanceof CardDeclinedError) return { name: 'CardDeclinedError', declineCode: error.declineCode };
  if (error instanceof PaymentMethodNotAllowedError)
    return { name: 'PaymentMethodNotAllowedError', refusal: error.refusal };
  if (error instanceof IdempotencyKeyConflictError)
    return { name: 'IdempotencyKeyConflictError', message: error.message };
  if (error instanceof IdempotencyKeyInUseError) return { name: 'IdempotencyKeyInUseError', message: error.message };
  throw new TypeError(`no stored form for ${error.name}`);
}

export function deserializeBillingError(stored: SerializedBillingError): BillingError {
  switch (stored.name) {
    case 'NotAuthorizedError':
      return new NotAuthorizedError(stored.message);
    case 'NotFoundError':
      return new NotFoundError(stored.resource, stored.message);
    case 'ValidationError':
      return new ValidationError(stored.field, stored.message);
    case 'InvoiceNotPayableError':
      return new InvoiceNotPayableError(stored.reason);
    case 'PaymentMethodUnusableError':
      return new PaymentMethodUnusableError(stored.reason);
    case 'CardDeclinedError':
      return new CardDeclinedError(stored.declineCode);
    case 'PaymentMethodNotAllowedError':
      return new PaymentMethodNotAllowedError(stored.refusal);
    case 'IdempotencyKeyConflictError':
      return new IdempotencyKeyConflictError(stored.message);
    case 'IdempotencyKeyInUseError':
      return new IdempotencyKeyInUseError(stored.message);
  }
}
