// Every `code` a client can meet, in one list: the `code` of each typed mutation error (errors.ts) and the
// `extensions.code` of every top-level GraphQL error, the gateway's own and those of the libraries it is
// built on (Yoga). The schema's `ErrorCode` enum is printed from it, the gateway's plugins type their codes
// with it, and the SDK gets it through the generated types. A description says what the client should do;
// adding a code is a dangerous change (docs/versioning.md), removing or renaming one a breaking change.

interface ErrorCodeInfo {
  /** What it means and what the client should do (the enum value's description in the schema). */
  description: string;
}

export const ERROR_CODES = {
  // Typed mutation errors (members of each mutation's result union, `Error.errorCode`).
  NOT_AUTHORIZED: {
    description:
      'The caller is signed in, but their role or API key scopes do not allow this (a mutation result, or a top-level error next to a null field). Do not retry: ask a billing account admin for the role or the key scope.',
  },
  NOT_FOUND: {
    description:
      'No such object, or one the caller may not see (the two are indistinguishable by design). Do not retry: fix the ID (see `resource`).',
  },
  VALIDATION_FAILED: {
    description: 'An input value is malformed or out of range; nothing was changed. Fix the input named by `field`.',
  },
  INVOICE_NOT_PAYABLE: {
    description:
      'The invoice cannot be paid now (see `notPayableReason`). Do not retry: reload the invoice; PAYMENT_IN_PROGRESS settles on its own.',
  },
  PAYMENT_METHOD_UNUSABLE: {
    description:
      'The payment method cannot pay this invoice (see `unusableReason`). Choose another payment method or add a card.',
  },
  PAYMENT_METHOD_NOT_REMOVABLE: {
    description:
      "The card may not be removed now (see `notRemovableReason`); nothing was changed. For DEFAULT_PAYMENT_METHOD: make another card the profile's default, then remove this one.",
  },
  PAYMENT_METHOD_NOT_ALLOWED: {
    description:
      'This account, amount or kind of card may not use this payment method (see `notAllowedReason`). Nothing was charged: pay by wire transfer or with another card.',
  },
  CARD_DECLINED: {
    description:
      'The processor declined the charge (see `declineCode`); the invoice stays payable. Ask the customer for another card, or for PROCESSING_ERROR try again later with a new idempotency key.',
  },
  IDEMPOTENCY_KEY_CONFLICT: {
    description:
      'The idempotency key was already used with different input. A bug in the client: use a new key for a new request.',
  },
  IDEMPOTENCY_KEY_IN_USE: {
    description:
      'The first request with this idempotency key is still running. Retry shortly with the same key: it never charges twice.',
  },
  WEBHOOK_URL_NOT_ALLOWED: {
    description:
      'The webhook endpoint URL may not be used (see `urlNotAllowedReason`): not https outside development, malformed, with credentials, or resolving to a loopback, private, link-local or other internal address. Nothing was changed: use a public https URL.',
  },
  // Top-level errors (`errors[].extensions.code`), from authentication to execution.
  UNAUTHENTICATED: {
    description:
      'HTTP 401: the bearer token is missing, invalid or expired, or the API key is invalid or revoked. Get a new token (sign in again) or check the key, then retry.',
  },
  FORBIDDEN: {
    description:
      'HTTP 403: a GET request without a CSRF header. Send the `x-graphql-csrf` header (any value) on GET requests, or POST with `content-type: application/json`.',
  },
  RATE_LIMITED: {
    description:
      'HTTP 429: too many operations for this API key, user or address. Wait `extensions.retryAfterSeconds` (the `Retry-After` header), then retry; the `RateLimit` header shows what is left on every response. The SDK retries idempotent operations itself.',
  },
  QUERY_TOO_COMPLEX: {
    description:
      'HTTP 400: the operation exceeds a limit (`extensions.limit`: depth, aliases, directives, tokens, fields or cost; `extensions.maximum`). Do not retry as is: ask for smaller pages or fewer fields.',
  },
  BAD_USER_INPUT: {
    description:
      'An argument or variable has a value the field cannot take (an invalid cursor, a page size out of range, too many IDs, a variable of the wrong type). Fix the value; retrying it unchanged fails again.',
  },
  BAD_REQUEST: {
    description:
      'HTTP 400 or 405: the HTTP request is not a GraphQL request this gateway reads (invalid JSON, no `query`, unknown parameters, a batch, a mutation over GET). Fix the client; the SDK never sends one.',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    description: 'HTTP 415: the request body is not JSON. Send `content-type: application/json`.',
  },
  REQUEST_ENTITY_TOO_LARGE: {
    description: 'HTTP 413: the request body is larger than the gateway accepts. Send smaller variables.',
  },
  GRAPHQL_PARSE_FAILED: {
    description: 'HTTP 400: the document is not valid GraphQL syntax. Fix the document.',
  },
  GRAPHQL_VALIDATION_FAILED: {
    description:
      'HTTP 400: the document does not match the schema (an unknown field, a wrong argument type, introspection when it is off). Fix the operation, e.g. regenerate it against the `schema.graphql` of your SDK version.',
  },
  OPERATION_RESOLUTION_FAILURE: {
    description:
      'HTTP 400: the document holds several operations and `operationName` names none of them (or is missing). Send the name of the operation to run.',
  },
  PERSISTED_QUERY_NOT_FOUND: {
    description:
      'The gateway does not know this automatic persisted query hash yet. Send the request again with the document text (urql and Apollo clients do this by themselves).',
  },
  PERSISTED_QUERY_MISMATCH: {
    description:
      'The automatic persisted query hash is not the SHA-256 of the document text sent with it. Fix how the client computes the hash.',
  },
  TRUSTED_DOCUMENT_REQUIRED: {
    description:
      "HTTP 400 or 403: this gateway runs only trusted documents. Send one of the SDK's operations by its hash (`documentId`), as the SDK does.",
  },
  TRUSTED_DOCUMENT_NOT_FOUND: {
    description:
      'HTTP 400: no trusted document has this hash, usually because the SDK is newer than the gateway. Use the SDK version that matches the gateway.',
  },
  TOO_MANY_STREAMS: {
    description:
      'HTTP 429 or 503: too many open subscriptions for this caller, or this instance is full. Close a stream you no longer need, or retry after `Retry-After`.',
  },
  EVENT_CURSOR_EXPIRED: {
    description:
      'A `billingEvents` stream was resumed (`after`, or the `Last-Event-ID` header) from an event id that is unknown, not yours, or older than the event log keeps (`EVENT_RETENTION_DAYS`). Re-read the state you display, then subscribe again without a cursor.',
  },
  SHUTTING_DOWN: {
    description: 'HTTP 503: this gateway instance is shutting down. Retry: another instance will answer.',
  },
  DATABASE_UNAVAILABLE: {
    description:
      'HTTP 503: the billing database cannot answer right now (restarting, failing over, unreachable); nothing was changed by the part that failed. Retry after `Retry-After` (payments with the same idempotency key, which never charges twice).',
  },
  INTERNAL_SERVER_ERROR: {
    description:
      'Something unexpected failed in the gateway; the message says nothing more by design. Retry later with backoff (payments with the same idempotency key); if it persists, report the `x-request-id` response header.',
  },
} as const satisfies Record<string, ErrorCodeInfo>;

/** A `code` clients can meet: see `ERROR_CODES` for what each means. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The codes, in the order of `ERROR_CODES`. */
export const ERROR_CODE_NAMES = Object.keys(ERROR_CODES) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}
