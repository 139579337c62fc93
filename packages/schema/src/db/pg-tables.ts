// The PostgreSQL tables: the twin of tables.ts (SQLite), column for column and constraint for
// constraint (db/parity.test.ts compares both live catalogs; db/row-types.ts checks that both give
// the same TypeScript rows). Money is bigint here (an integer of up to 2^53 in TypeScript), as
// SQLite's INTEGER is 64-bit; ids are identity columns, never reused, like SQLite's AUTOINCREMENT.
//
// Conventions: dates are ISO text (`YYYY-MM-DD`), instants are ISO-8601 UTC text with
// milliseconds (so they sort as text and survive cursors exactly), money is an integer in
// the currency's minor unit.
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTableCreator,
  primaryKey,
  text,
  type AnyPgColumn,
  unique,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import {
  ACCOUNT_ROLES,
  ACCOUNT_STATUSES,
  AGREEMENT_TYPES,
  BILLING_EVENT_TYPES,
  type BillingEventData,
  type ApiKeyScope,
  currencyCode,
  DEFAULT_PAYMENT_TYPES,
  digits,
  INVOICE_LIFECYCLES,
  inList,
  isoDate,
  nowIso,
  PAYMENT_STATUSES,
  PROFILE_ROLES,
  WIRE_TRANSFER_HOLD_REASONS,
  WIRE_TRANSFER_STATUSES,
  WEBHOOK_ATTEMPT_ERRORS,
  WEBHOOK_DELIVERY_STATUSES,
  type BillingEventType,
} from './model.js';

// Column names are snake_case in SQL, camelCase in TypeScript.
const pgTable = pgTableCreator((name) => name, 'snake_case');

export const users = pgTable(
  'users',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    email: text().notNull().unique(),
    displayName: text().notNull(),
    createdAt: text().notNull().$defaultFn(nowIso),
  },
  (t) => [check('users_email_shape', sql`${t.email} LIKE '%_@_%'`)],
);

export const billingAccounts = pgTable(
  'billing_accounts',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    displayName: text().notNull(),
    agreementType: text({ enum: AGREEMENT_TYPES }).notNull(),
    status: text({ enum: ACCOUNT_STATUSES }).notNull().default('ACTIVE'),
    /** The user who signed up: the billing account admin. */
    ownerUserId: integer()
      .notNull()
      .references(() => users.id),
    createdAt: text().notNull().$defaultFn(nowIso),
  },
  (t) => [
    check('billing_accounts_agreement_type', sql`${t.agreementType} IN (${inList(AGREEMENT_TYPES)})`),
    check('billing_accounts_status', sql`${t.status} IN (${inList(ACCOUNT_STATUSES)})`),
    index('billing_accounts_owner_idx').on(t.ownerUserId),
  ],
);

export const billingProfiles = pgTable(
  'billing_profiles',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    billingAccountId: integer()
      .notNull()
      .references(() => billingAccounts.id),
    displayName: text().notNull(),
    currency: text().notNull(),
    invoiceEmail: text(),
    /** Charge each new invoice to the default payment method when the period closes (and retry on a decline). */
    /** CARD: the default card pays (autopay, Pay now); WIRE_TRANSFER: invoices show payment instructions. */
    defaultPaymentType: text({ enum: DEFAULT_PAYMENT_TYPES }).notNull().default('CARD'),
    autopay: boolean().notNull().default(false),
    defaultPaymentMethodId: integer().references((): AnyPgColumn => paymentMethods.id),
    createdAt: text().notNull().$defaultFn(nowIso),
  },
  (t) => [
    check('billing_profiles_currency', currencyCode(t.currency)),
    check('billing_profiles_default_payment_type', sql`${t.defaultPaymentType} IN (${inList(DEFAULT_PAYMENT_TYPES)})`),
    index('billing_profiles_account_idx').on(t.billingAccountId),
    // Target of the invoices' composite foreign key, which keeps an invoice's account and profile consistent.
    unique('billing_profiles_id_account_unique').on(t.id, t.billingAccountId),
  ],
);

export const billingRoleAssignments = pgTable(
  'billing_role_assignments',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    userId: integer()
      .notNull()
      .references(() => users.id),
    billingAccountId: integer()
      .notNull()
      .references(() => billingAccounts.id),
    /** Null for an account-level assignment. */
    billingProfileId: integer().references(() => billingProfiles.id),
    role: text({ enum: PROFILE_ROLES }).notNull(),
    createdAt: text().notNull().$defaultFn(nowIso),
  },
  (t) => [
    check(
      'billing_role_assignments_role',
      sql`(${t.billingProfileId} IS NULL AND ${t.role} IN (${inList(ACCOUNT_ROLES)})) OR (${t.billingProfileId} IS NOT NULL AND ${t.role} IN (${inList(PROFILE_ROLES)}))`,
    ),
    foreignKey({
      name: 'billing_role_assignments_profile_account_fk',
      columns: [t.billingProfileId, t.billingAccountId],
      foreignColumns: [billingProfiles.id, billingProfiles.billingAccountId],
    }),
    uniqueIndex('billing_role_assignments_account_unique')
      .on(t.userId, t.billingAccountId)
      .where(sql`${t.billingProfileId} IS NULL`),
    uniqueIndex('billing_role_assignments_profile_unique')
      .on(t.userId, t.billingProfileId)
      .where(sql`${t.billingProfileId} IS NOT NULL`),
    index('billing_role_assignments_account_idx').on(t.billingAccountId),
    // Every authenticated request loads its user's grants; the unique indexes above are partial.
    index('billing_role_assignments_user_idx').on(t.userId),
  ],
);

export const paymentMethods = pgTable(
  'payment_methods',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    // Denormalized from the profile so every access check is a lookup on the row itself.
    billingAccountId: integer()
      .notNull()
      .references(() => billingAccounts.id),
    billingProfileId: integer()
      .notNull()
      .references(() => billingProfiles.id),
    brand: text().notNull(),
    last4: text().notNull(),
    expMonth: integer().notNull(),
    expYear: integer().notNull(),
    holderName: text().notNull(),
    /** The processor's token for the card; the card number and CVC never reach this database. */
    processorToken: text().notNull().unique(),
    /** Saved without consent to recurring charges (paymentRules.noRecurringChargeCountries): never charged by autopay. */
    notForRecurring: boolean().notNull().default(false),
    createdAt: text().notNull().$defaultFn(nowIso),
    removedAt: text(),
  },
  (t) => [
    check('payment_methods_last4', digits(t.last4, 4)),
    check('payment_methods_exp_month', sql`${t.expMonth} BETWEEN 1 AND 12`),
    check('payment_methods_exp_year', sql`${t.expYear} BETWEEN 2000 AND 2100`),
    foreignKey({
      name: 'payment_methods_profile_account_fk',
      columns: [t.billingProfileId, t.billingAccountId],
      foreignColumns: [billingProfiles.id, billingProfiles.billingAccountId],
    }),
    index('payment_methods_profile_idx').on(t.billingProfileId),
  ],
);

export const invoices = pgTable(
  'invoices',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    number: text().notNull().unique(),
    billingAccountId: integer()
      .notNull()
      .references(() => billingAccounts.id),
    billingProfileId: integer()
      .notNull()
      .references(() => billingProfiles.id),
    periodStart: text().notNull(),
    periodEnd: text().notNull(),
    invoiceDate: text().notNull(),
    dueDate: text().notNull(),
    currency: text().notNull(),
    subtotalMinor: bigint({ mode: 'number' }).notNull(),
    taxMinor: bigint({ mode: 'number' }).notNull(),
    totalMinor: bigint({ mode: 'number' }).notNull(),
    amountDueMinor: bigint({ mode: 'number' }).notNull(),
    /** Credits applied at period close (credit_applications); amount_due is net of them. */
    creditAppliedMinor: bigint({ mode: 'number' }).notNull().default(0),
    /** Automatic charges tried so far (the attempt number is part of each one's processor key). */
    autopayAttempts: integer().notNull().default(0),
    /** When autopay next charges it; null: not scheduled. */
    nextAutopayAt: text(),
    lifecycle: text({ enum: INVOICE_LIFECYCLES }).notNull().default('OPEN'),
    paidAt: text(),
    createdAt: text().notNull().$defaultFn(nowIso),
    updatedAt: text().notNull().$defaultFn(nowIso),
  },
  (t) => [
    foreignKey({
      name: 'invoices_profile_account_fk',
      columns: [t.billingProfileId, t.billingAccountId],
      foreignColumns: [billingProfiles.id, billingProfiles.billingAccountId],
    }),
    check('invoices_lifecycle', sql`${t.lifecycle} IN (${inList(INVOICE_LIFECYCLES)})`),
    check('invoices_currency', currencyCode(t.currency)),
    check(
      'invoices_dates',
      sql`${isoDate(t.periodStart)} AND ${isoDate(t.periodEnd)} AND ${isoDate(t.invoiceDate)} AND ${isoDate(t.dueDate)}`,
    ),
    check('invoices_period_order', sql`${t.periodStart} <= ${t.periodEnd}`),
    check(
      'invoices_money_non_negative',
      sql`${t.subtotalMinor} >= 0 AND ${t.taxMinor} >= 0 AND ${t.totalMinor} >= 0 AND ${t.amountDueMinor} >= 0`,
    ),
    check('invoices_total', sql`${t.totalMinor} = ${t.subtotalMinor} + ${t.taxMinor}`),
    check('invoices_amount_due_le_total', sql`${t.amountDueMinor} <= ${t.totalMinor}`),
    check(
      'invoices_credit_applied',
      sql`${t.creditAppliedMinor} >= 0 AND ${t.amountDueMinor} + ${t.creditAppliedMinor} <= ${t.totalMinor}`,
    ),
    check('invoices_paid_at', sql`(${t.lifecycle} = 'PAID') = (${t.paidAt} IS NOT NULL)`),
    // Keyset pagination: (scope, ordering column, id) for both orderings.
    index('invoices_profile_due_idx').on(t.billingProfileId, t.dueDate, t.id),
    index('invoices_profile_date_idx').on(t.billingProfileId, t.invoiceDate, t.id),
    index('invoices_account_due_idx').on(t.billingAccountId, t.dueDate, t.id),
    index('invoices_account_date_idx').on(t.billingAccountId, t.invoiceDate, t.id),
    index('invoices_account_lifecycle_due_idx').on(t.billingAccountId, t.lifecycle, t.dueDate, t.id),
    // What line items reference, so their account is their invoice's.
    uniqueIndex('invoices_id_account_unique').on(t.id, t.billingAccountId),
    // The autopay pass: what is scheduled by now.
    index('invoices_next_autopay_idx').on(t.nextAutopayAt),
  ],
);

/**
 * How many invoices each profile has, kept exact by database triggers on `invoices` (migration
 * invoice_counts): the count changes in the same transaction, and the same statement, as the row,
 * whoever inserts it. `totalCount` of an unfiltered invoice list reads these few rows instead of
 * counting a tenant's invoices (30 ms at a million).
 */
export const invoiceCounts = pgTable(
  'invoice_counts',
  {
    billingProfileId: integer()
      .notNull()
      .references(() => billingProfiles.id),
    billingAccountId: integer()
      .notNull()
      .references(() => billingAccounts.id),
    invoices: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.billingProfileId] }), index('invoice_counts_account_idx').on(t.billingAccountId)],
);

export const invoiceLineItems = pgTable(
  'invoice_line_items',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    invoiceId: integer().notNull(),
    /** The invoice's account, so line items distribute by tenant with their invoice. */
    billingAccountId: integer().notNull(),
    position: integer().notNull(),
    description: text().notNull(),
    serviceName: text().notNull(),
    quantity: integer().notNull(),
    unitPriceMinor: bigint({ mode: 'number' }).notNull(),
    amountMinor: bigint({ mode: 'number' }).notNull(),
  },
  (t) => [
    check(
      'invoice_line_items_non_negative',
      sql`${t.quantity} >= 0 AND ${t.unitPriceMinor} >= 0 AND ${t.amountMinor} >= 0`,
    ),
    check('invoice_line_items_amount', sql`${t.amountMinor} = ${t.quantity} * ${t.unitPriceMinor}`),
    unique('invoice_line_items_position_unique').on(t.invoiceId, t.position),
    // The account must be the invoice's own: the pair references the invoice's (id, account).
    foreignKey({
      name: 'invoice_line_items_invoice_account_fk',
      columns: [t.invoiceId, t.billingAccountId],
      foreignColumns: [invoices.id, invoices.billingAccountId],
    }).onDelete('cascade'),
  ],
);

/** A credit balance (for example Azure credits) of an account, used at period close before any charge. */
export const credits = pgTable(
  'credits',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    billingAccountId: integer()
      .notNull()
      .references(() => billingAccounts.id),
    description: text().notNull(),
    currency: text().notNull(),
    /** As granted. */
    amountMinor: bigint({ mode: 'number' }).notNull(),
    /** What is left: the amount less its applications (kept here so a use is one conditional update). */
    remainingMinor: bigint({ mode: 'number' }).notNull(),
    /** The last day (UTC) it can be used; null: it does not expire. */
    expiresOn: text(),
    createdAt: text().notNull().$defaultFn(nowIso),
  },
  (t) => [
    check('credits_currency', currencyCode(t.currency)),
    check(
      'credits_amounts',
      sql`${t.amountMinor} > 0 AND ${t.remainingMinor} >= 0 AND ${t.remainingMinor} <= ${t.amountMinor}`,
    ),
    check('credits_expires_on', sql`${t.expiresOn} IS NULL OR ${isoDate(t.expiresOn)}`),
    index('credits_account_idx').on(t.billingAccountId),
  ],
);

/** What a credit paid towards an invoice: one row per credit and invoice. */
export const creditApplications = pgTable(
  'credit_applications',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    // Denormalized from the credit, like payments: every tenant-owned row names its account.
    billingAccountId: integer()
      .notNull()
      .references(() => billingAccounts.id),
    creditId: integer()
      .notNull()
      .references(() => credits.id),
    invoiceId: integer()
      .notNull()
      .references(() => invoices.id),
    amountMinor: bigint({ mode: 'number' }).notNull(),
    createdAt: text().notNull().$defaultFn(nowIso),
  },
  (t) => [
    check('credit_applications_amount_positive', sql`${t.amountMinor} > 0`),
    unique('credit_applications_credit_invoice_unique').on(t.creditId, t.invoiceId),
    index('credit_applications_invoice_idx').on(t.invoiceId),
  ],
);

export const payments = pgTable(
  'payments',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    billingAccountId: integer()
      .notNull()
      .references(() => billingAccounts.id),
    invoiceId: integer()
      .notNull()
      .references(() => invoices.id),
    paymentMethodId: integer()
      .notNull()
      .references(() => paymentMethods.id),
    amountMinor: bigint({ mode: 'number' }).notNull(),
    currency: text().notNull(),
    status: text({ enum: PAYMENT_STATUSES }).notNull(),
    failureCode: text(),
    processorReference: text(),
    /** The key this attempt was sent to the processor under: one attempt, one key. */
    processorIdempotencyKey: text().notNull().unique(),
    /** `user:<id>` or `api-key:<id>`. */
    initiatedBy: text().notNull(),
    createdAt: text().notNull().$defaultFn(nowIso),
    updatedAt: text().notNull().$defaultFn(nowIso),
  },
  (t) => [
    check('payments_status', sql`${t.status} IN (${inList(PAYMENT_STATUSES)})`),
    check('payments_amount_positive', sql`${t.amountMinor} > 0`),
    check('payments_currency', currencyCode(t.currency)),
    index('payments_invoice_idx').on(t.invoiceId, t.id),
    index('payments_status_updated_idx').on(t.status, t.updatedAt),
    // The database's own guarantee of exactly-once: at most one live-or-succeeded attempt per invoice.
    uniqueIndex('payments_one_active_per_invoice')
      .on(t.invoiceId)
      .where(sql`${t.status} IN ('PROCESSING', 'SUCCEEDED')`),
  ],
);

/** A wire transfer the bank reported, matched to an invoice by its reference (the invoice number). */
export const wireTransfers = pgTable(
  'wire_transfers',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    billingAccountId: integer()
      .notNull()
      .references(() => billingAccounts.id),
    invoiceId: integer()
      .notNull()
      .references(() => invoices.id),
    /** The bank's own id of the transfer: recording it again changes nothing. */
    bankReference: text().notNull().unique(),
    /** What the payer quoted. */
    reference: text().notNull(),
    amountMinor: bigint({ mode: 'number' }).notNull(),
    currency: text().notNull(),
    receivedOn: text().notNull(),
    status: text({ enum: WIRE_TRANSFER_STATUSES }).notNull(),
    holdReason: text({ enum: WIRE_TRANSFER_HOLD_REASONS }),
    recordedBy: text().notNull(),
    createdAt: text().notNull().$defaultFn(nowIso),
  },
  (t) => [
    check('wire_transfers_amount_positive', sql`${t.amountMinor} > 0`),
    check('wire_transfers_currency', currencyCode(t.currency)),
    check('wire_transfers_received_on', isoDate(t.receivedOn)),
    check('wire_transfers_status', sql`${t.status} IN (${inList(WIRE_TRANSFER_STATUSES)})`),
    check(
      'wire_transfers_hold_reason',
      sql`(${t.status} = 'HELD_FOR_REVIEW') = (${t.holdReason} IS NOT NULL) AND (${t.holdReason} IS NULL OR ${t.holdReason} IN (${inList(WIRE_TRANSFER_HOLD_REASONS)}))`,
    ),
    index('wire_transfers_invoice_idx').on(t.invoiceId),
  ],
);

export const idempotencyRecords = pgTable(
  'idempotency_records',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    principal: text().notNull(),
    operation: text().notNull(),
    key: text().notNull(),
    requestFingerprint: text().notNull(),
    /** Null while the first request with this key is still in flight. */
    responseJson: text(),
    createdAt: text().notNull().$defaultFn(nowIso),
    expiresAt: text().notNull(),
  },
  (t) => [
    unique('idempotency_records_principal_operation_key_unique').on(t.principal, t.operation, t.key),
    check('idempotency_records_key_length', sql`length(${t.key}) BETWEEN 1 AND 255`),
    index('idempotency_records_expires_idx').on(t.expiresAt),
  ],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    billingAccountId: integer()
      .notNull()
      .references(() => billingAccounts.id),
    name: text().notNull(),
    /** Public, shown in listings and used to find the key; the secret part is only hashed. */
    prefix: text().notNull().unique(),
    secretHash: text().notNull(),
    /** JSON array of ApiKeyScope. */
    scopes: jsonb().$type<ApiKeyScope[]>().notNull(),
    createdByUserId: integer().references(() => users.id),
    createdAt: text().notNull().$defaultFn(nowIso),
    lastUsedAt: text(),
    revokedAt: text(),
  },
  (t) => [index('api_keys_account_idx').on(t.billingAccountId)],
);

export const auditEvents = pgTable(
  'audit_events',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    actor: text().notNull(),
    action: text().notNull(),
    target: text().notNull(),
    outcome: text().notNull(),
    billingAccountId: integer().references(() => billingAccounts.id),
    detail: jsonb().$type<Record<string, string | number | boolean | null>>(),
    createdAt: text().notNull().$defaultFn(nowIso),
  },
  (t) => [
    index('audit_events_target_idx').on(t.target),
    index('audit_events_account_idx').on(t.billingAccountId, t.id),
  ],
);

/**
 * The event log and outbox: one row per committed change, written in the transaction that makes the
 * change (so no change is without its event and no rolled-back change has one). `sequence` orders
 * events and is what SSE `id:` lines and `billingEvents(after:)` resume from; `id` is the stable
 * public identity (`webhook-id`).
 */
export const billingEvents = pgTable(
  'billing_events',
  {
    sequence: integer().primaryKey().generatedByDefaultAsIdentity(),
    id: text().notNull().unique(),
    type: text({ enum: BILLING_EVENT_TYPES }).notNull(),
    billingAccountId: integer()
      .notNull()
      .references(() => billingAccounts.id),
    billingProfileId: integer().references(() => billingProfiles.id),
    /** The invoice the event is about, if any: events of one invoice are delivered in sequence order. */
    invoiceId: integer().references(() => invoices.id),
    /** What the change left behind, as of the change (not re-read when delivered). */
    data: jsonb().$type<BillingEventData>().notNull(),
    occurredAt: text().notNull(),
  },
  (t) => [
    check('billing_events_type', sql`${t.type} IN (${inList(BILLING_EVENT_TYPES)})`),
    index('billing_events_account_idx').on(t.billingAccountId, t.sequence),
    index('billing_events_occurred_idx').on(t.occurredAt),
  ],
);

/**
 * A billing account's webhook endpoints. The signing secret is stored encrypted (AES-256-GCM under the
 * server's WEBHOOK_ENCRYPTION_KEY, see billing/webhooks/secret-box.ts), never in clear; during a rotation
 * the previous secret keeps signing too, until `previousSecretExpiresAt`.
 */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    billingAccountId: integer()
      .notNull()
      .references(() => billingAccounts.id),
    url: text().notNull(),
    description: text().notNull().default(''),
    /** JSON array of BillingEventType: what this endpoint is sent. */
    eventTypes: jsonb().$type<BillingEventType[]>().notNull(),
    enabled: boolean().notNull().default(true),
    secretEncrypted: text().notNull(),
    previousSecretEncrypted: text(),
    previousSecretExpiresAt: text(),
    createdAt: text().notNull(),
    updatedAt: text().notNull(),
  },
  (t) => [index('webhook_endpoints_account_idx').on(t.billingAccountId, t.id)],
);

/**
 * One event to send to one endpoint, inserted in the event's own transaction (the outbox). A worker
 * claims a due PENDING row by setting `claimedUntil` (its lease); while an earlier unfinished delivery
 * of the same endpoint and `orderingKey` exists (one invoice's events), a later one is not claimed.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    billingAccountId: integer()
      .notNull()
      .references(() => billingAccounts.id),
    endpointId: integer()
      .notNull()
      .references(() => webhookEndpoints.id),
    eventSequence: integer()
      .notNull()
      .references(() => billingEvents.sequence),
    status: text({ enum: WEBHOOK_DELIVERY_STATUSES }).notNull(),
    attemptCount: integer().notNull().default(0),
    nextAttemptAt: text().notNull(),
    claimedUntil: text(),
    /** `invoice:<id>` for an invoice's events (delivered in sequence order); null: no order needed. */
    orderingKey: text(),
    createdAt: text().notNull(),
    updatedAt: text().notNull(),
  },
  (t) => [
    check('webhook_deliveries_status', sql`${t.status} IN (${inList(WEBHOOK_DELIVERY_STATUSES)})`),
    check('webhook_deliveries_attempt_count', sql`${t.attemptCount} >= 0`),
    index('webhook_deliveries_due_idx').on(t.status, t.nextAttemptAt),
    index('webhook_deliveries_endpoint_idx').on(t.endpointId, t.id),
    index('webhook_deliveries_order_idx').on(t.endpointId, t.orderingKey, t.eventSequence),
  ],
);

/** Every HTTP attempt of a delivery, as it went: what a partner debugging their receiver looks at. */
export const webhookDeliveryAttempts = pgTable(
  'webhook_delivery_attempts',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    billingAccountId: integer()
      .notNull()
      .references(() => billingAccounts.id),
    deliveryId: integer()
      .notNull()
      .references(() => webhookDeliveries.id),
    startedAt: text().notNull(),
    /** Null when no HTTP answer came (timeout, connection refused, address not allowed). */
    statusCode: integer(),
    durationMs: integer().notNull(),
    /** The start of the answer's body (at most 1 KiB of UTF-8). */
    responseBody: text(),
    errorKind: text({ enum: WEBHOOK_ATTEMPT_ERRORS }),
  },
  (t) => [
    check(
      'webhook_delivery_attempts_error_kind',
      sql`${t.errorKind} IS NULL OR ${t.errorKind} IN (${inList(WEBHOOK_ATTEMPT_ERRORS)})`,
    ),
    index('webhook_delivery_attempts_delivery_idx').on(t.deliveryId, t.id),
  ],
);
