// The data model shared by both dialects' table files (tables.ts for SQLite, pg-tables.ts for
// PostgreSQL): the enumerations, and CHECK expressions written in SQL that both engines run
// identically (no GLOB, no regular expressions, no date functions).
import { type SQL, type SQLWrapper, sql } from 'drizzle-orm';

export const AGREEMENT_TYPES = [
  'MICROSOFT_CUSTOMER_AGREEMENT',
  'MICROSOFT_ONLINE_SERVICES_PROGRAM',
  'ENTERPRISE_AGREEMENT',
] as const;
export type AgreementType = (typeof AGREEMENT_TYPES)[number];

export const ACCOUNT_STATUSES = ['ACTIVE', 'DISABLED'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

export const ACCOUNT_ROLES = ['OWNER', 'CONTRIBUTOR', 'READER'] as const;
export const PROFILE_ROLES = ['OWNER', 'CONTRIBUTOR', 'READER', 'INVOICE_MANAGER'] as const;
export type BillingRole = (typeof PROFILE_ROLES)[number];

/** Stored lifecycle; DUE vs PAST_DUE is derived from the due date (see billing/invoice-status). */
export const INVOICE_LIFECYCLES = ['OPEN', 'PAYMENT_IN_PROGRESS', 'PAID', 'VOID'] as const;
export type InvoiceLifecycle = (typeof INVOICE_LIFECYCLES)[number];

export const PAYMENT_STATUSES = ['PROCESSING', 'SUCCEEDED', 'FAILED'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** How a billing profile pays by default: its default card, or wire transfer (never charged automatically). */
export const DEFAULT_PAYMENT_TYPES = ['CARD', 'WIRE_TRANSFER'] as const;
export type DefaultPaymentType = (typeof DEFAULT_PAYMENT_TYPES)[number];

/** A received wire transfer: applied to its invoice, or held for a person to review (never applied in part). */
export const WIRE_TRANSFER_STATUSES = ['APPLIED', 'HELD_FOR_REVIEW'] as const;
export type WireTransferStatus = (typeof WIRE_TRANSFER_STATUSES)[number];
export const WIRE_TRANSFER_HOLD_REASONS = ['SHORT_PAYMENT', 'OVERPAYMENT', 'CURRENCY', 'NOT_PAYABLE'] as const;
export type WireTransferHoldReason = (typeof WIRE_TRANSFER_HOLD_REASONS)[number];

/**
 * What the event log records: one event per committed change, delivered to SSE subscribers and
 * webhook endpoints alike. Adding a type is a dangerous (not breaking) schema change: see docs/versioning.md.
 */
export const BILLING_EVENT_TYPES = [
  'INVOICE_CREATED',
  'INVOICE_UPDATED',
  'PAYMENT_UPDATED',
  'PAYMENT_METHOD_ADDED',
  'PAYMENT_METHOD_UPDATED',
  'PAYMENT_METHOD_REMOVED',
  'API_KEY_CREATED',
  'API_KEY_REVOKED',
] as const;
export type BillingEventType = (typeof BILLING_EVENT_TYPES)[number];
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** An event's snapshot of what changed (ids, statuses, amounts in minor units), stored as JSON. */
export type BillingEventData = { [key: string]: JsonValue };

export const WEBHOOK_DELIVERY_STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];
/**
 * Why an attempt failed: the receiver answered outside 2xx (HTTP_STATUS) or with a redirect, which is
 * never followed (REDIRECT); no answer in time (TIMEOUT); no connection (CONNECTION); the URL's address
 * is one outbound requests may not reach (ADDRESS_NOT_ALLOWED, see billing/webhooks/url-safety.ts).
 */
export const WEBHOOK_ATTEMPT_ERRORS = [
  'HTTP_STATUS',
  'REDIRECT',
  'TIMEOUT',
  'CONNECTION',
  'ADDRESS_NOT_ALLOWED',
] as const;
export type WebhookAttemptError = (typeof WEBHOOK_ATTEMPT_ERRORS)[number];

export const API_KEY_SCOPES = [
  'invoices:read',
  'payment-methods:read',
  'payment-methods:write',
  'payments:write',
  'webhooks:manage',
] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(', '));

const DIGITS = '0123456789';

/** Every character is one of `chars` (ltrim strips them all; both engines have the two-argument form). */
const onlyChars = (column: SQLWrapper, chars: string) => sql`ltrim(${column}, '${sql.raw(chars)}') = ''`;

/** `YYYY-MM-DD` with ASCII digits, month 00-19 and day 00-39 at most (the calendar is checked by the app). */
export const isoDate = (column: SQLWrapper): SQL =>
  sql`(length(${column}) = 10 AND substr(${column}, 5, 1) = '-' AND substr(${column}, 8, 1) = '-' AND ${onlyChars(sql`replace(${column}, '-', '')`, DIGITS)} AND substr(${column}, 6, 1) IN ('0', '1') AND substr(${column}, 9, 1) IN ('0', '1', '2', '3'))`;

/** Three upper-case ASCII letters. */
export const currencyCode = (column: SQLWrapper): SQL =>
  sql`(length(${column}) = 3 AND ${onlyChars(column, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')})`;

/** Exactly `count` ASCII digits. */
export const digits = (column: SQLWrapper, count: number): SQL =>
  sql`(length(${column}) = ${sql.raw(String(count))} AND ${onlyChars(column, DIGITS)})`;

/** Instants are ISO-8601 UTC text with milliseconds, written by the application (no engine-specific default). */
export const nowIso = () => new Date().toISOString();
