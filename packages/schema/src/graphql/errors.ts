// Domain errors as GraphQL types: every mutation returns a union of its success type and these.
import {
  type BillingError,
  CardDeclinedError,
  DECLINE_CODES,
  ERROR_CODES,
  IdempotencyKeyConflictError,
  IdempotencyKeyInUseError,
  INVOICE_NOT_PAYABLE_REASONS,
  InvoiceNotPayableError,
  NotAuthorizedError,
  NotFoundError,
  PAYMENT_METHOD_UNUSABLE_REASONS,
  PAYMENT_METHOD_NOT_ALLOWED_REASONS,
  PAYMENT_METHOD_NOT_REMOVABLE_REASONS,
  PaymentMethodNotAllowedError,
  PaymentMethodNotRemovableError,
  PaymentMethodUnusableError,
  ValidationError,
} from '../billing/errors.js';
import { CARD_KINDS } from '../billing/payment-processor.js';
import { builder } from './builder.js';
import { Money } from './money.js';

export const ErrorCodeEnum = builder.enumType('ErrorCode', {
  description:
    'Every code the gateway answers with: `errorCode` of a mutation error, and `extensions.code` of each top-level GraphQL error. Each value says what the client should do. New values may be added in minor releases: treat an unknown one like INTERNAL_SERVER_ERROR.',
  values: ERROR_CODES,
});

export const ErrorInterface = builder.interfaceRef<BillingError>('Error').implement({
  description:
    'A failure the caller can act on. Every mutation result union member except the success type implements it.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'For people: safe to show in a UI.' }),
    errorCode: t.field({
      type: ErrorCodeEnum,
      description: "For programs: stable, machine-readable; what to do is in the value's description.",
      resolve: (error) => error.code,
    }),
    code: t.exposeString('code', {
      description: 'For programs: the same value as `errorCode`, as a string.',
      deprecationReason:
        'Use `errorCode`, the same value typed as the `ErrorCode` enum. Removal on or after 2027-06-01.',
    }),
  }),
});

export const InvoiceNotPayableReasonEnum = builder.enumType('InvoiceNotPayableReason', {
  values: INVOICE_NOT_PAYABLE_REASONS,
});
export const PaymentMethodUnusableReasonEnum = builder.enumType('PaymentMethodUnusableReason', {
  values: PAYMENT_METHOD_UNUSABLE_REASONS,
});
export const PaymentMethodNotAllowedReasonEnum = builder.enumType('PaymentMethodNotAllowedReason', {
  values: PAYMENT_METHOD_NOT_ALLOWED_REASONS,
});
export const PaymentMethodNotRemovableReasonEnum = builder.enumType('PaymentMethodNotRemovableReason', {
  values: PAYMENT_METHOD_NOT_REMOVABLE_REASONS,
});
export const CardKindEnum = builder.enumType('CardKind', {
  description: 'What the issuer says a card is, as the payment processor reports it.',
  values: CARD_KINDS,
});
export const DeclineCodeEnum = builder.enumType('DeclineCode', { values: DECLINE_CODES });

builder.objectType(NotAuthorizedError, {
  name: 'NotAuthorizedError',
  description: 'The caller is signed in but their role or API key scopes do not allow this.',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof NotAuthorizedError,
});
builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'No such object, or one the caller may not see (the two are indistinguishable by design).',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof NotFoundError,
  fields: (t) => ({ resource: t.exposeString('resource') }),
});
builder.objectType(ValidationError, {
  name: 'ValidationError',
  description: 'An input value is malformed or out of range; nothing was changed.',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof ValidationError,
  fields: (t) => ({ field: t.exposeString('field', { description: 'Input path, e.g. `input.cardNumber`.' }) }),
});
builder.objectType(InvoiceNotPayableError, {
  name: 'InvoiceNotPayableError',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof InvoiceNotPayableError,
  fields: (t) => ({ notPayableReason: t.expose('reason', { type: InvoiceNotPayableReasonEnum }) }),
});
builder.objectType(PaymentMethodUnusableError, {
  name: 'PaymentMethodUnusableError',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof PaymentMethodUnusableError,
  fields: (t) => ({ unusableReason: t.expose('reason', { type: PaymentMethodUnusableReasonEnum }) }),
});
builder.objectType(PaymentMethodNotAllowedError, {
  name: 'PaymentMethodNotAllowedError',
  description:
    'This account, amount or kind of card may not use this payment method (for example an Enterprise Agreement paying by card, or a prepaid card). Nothing was charged or stored.',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof PaymentMethodNotAllowedError,
  fields: (t) => ({
    notAllowedReason: t.expose('reason', { type: PaymentMethodNotAllowedReasonEnum }),
    ceiling: t.field({
      type: Money,
      nullable: true,
      description: 'The card payment ceiling that was exceeded (reason ABOVE_CARD_CEILING).',
      resolve: (e) => e.ceiling,
    }),
    cardKind: t.field({
      type: CardKindEnum,
      nullable: true,
      description: 'The refused kind of card (reason CARD_KIND).',
      resolve: (e) => (e.refusal.reason === 'CARD_KIND' ? e.refusal.cardKind : null),
    }),
  }),
});
builder.objectType(PaymentMethodNotRemovableError, {
  name: 'PaymentMethodNotRemovableError',
  description:
    "The card cannot be removed now (DEFAULT_PAYMENT_METHOD: it is the profile's default while other cards remain). Nothing was changed.",
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof PaymentMethodNotRemovableError,
  fields: (t) => ({ notRemovableReason: t.expose('reason', { type: PaymentMethodNotRemovableReasonEnum }) }),
});
builder.objectType(CardDeclinedError, {
  name: 'CardDeclinedError',
  description: 'The payment processor declined the charge. The invoice stays payable.',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof CardDeclinedError,
  fields: (t) => ({ declineCode: t.expose('declineCode', { type: DeclineCodeEnum }) }),
});
builder.objectType(IdempotencyKeyConflictError, {
  name: 'IdempotencyKeyConflictError',
  description: 'The idempotency key was already used with different input. Use a new key for a new request.',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof IdempotencyKeyConflictError,
});
builder.objectType(IdempotencyKeyInUseError, {
  name: 'IdempotencyKeyInUseError',
  description:
    'The first request with this idempotency key is still running. Retry with the same key; it will not charge twice.',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof IdempotencyKeyInUseError,
});

/** Errors every mutation can return. */
export const COMMON_ERRORS = [NotAuthorizedError, NotFoundError, ValidationError] as const;
