// What the GraphQL read path asks of the database: batch lookups by id (for DataLoaders) and one
// keyset-paged invoice list. Dialect-neutral on purpose: plain rows in, plain rows out, no Drizzle
// types, so each dialect implements it with its own prepared statements (`reads-sqlite.ts`, ...).
// Authorization is the caller's: these functions return whatever the ids or the scope name.
import type {
  AgreementType,
  AccountStatus,
  ApiKeyScope,
  BillingRole,
  DefaultPaymentType,
  InvoiceLifecycle,
  PaymentStatus,
  WireTransferHoldReason,
  WireTransferStatus,
} from './tables.js';
import type { BillingEventType, WebhookAttemptError, WebhookDeliveryStatus } from './model.js';

export interface UserRow {
  id: number;
  email: string;
  displayName: string;
}

/** One role a user holds, on a whole account (profile null) or on one profile. */
export interface RoleAssignmentRow {
  userId: number;
  billingAccountId: number;
  billingProfileId: number | null;
  role: BillingRole;
}

export interface AccountRow {
  id: number;
  displayName: string;
  agreementType: AgreementType;
  status: AccountStatus;
  ownerUserId: number;
  createdAt: string;
}

export interface ProfileRow {
  id: number;
  billingAccountId: number;
  displayName: string;
  currency: string;
  invoiceEmail: string | null;
  defaultPaymentMethodId: number | null;
  defaultPaymentType: DefaultPaymentType;
  autopay: boolean;
}

export interface WireTransferReadRow {
  id: number;
  invoiceId: number;
  reference: string;
  amountMinor: number;
  currency: string;
  receivedOn: string;
  status: WireTransferStatus;
  holdReason: WireTransferHoldReason | null;
  createdAt: string;
}

export interface InvoiceRow {
  id: number;
  number: string;
  billingAccountId: number;
  billingProfileId: number;
  periodStart: string;
  periodEnd: string;
  invoiceDate: string;
  dueDate: string;
  currency: string;
  subtotalMinor: number;
  taxMinor: number;
  totalMinor: number;
  amountDueMinor: number;
  /** Credits applied at period close; amountDueMinor is net of them. */
  creditAppliedMinor: number;
  /** When autopay next charges it; null: not scheduled. */
  nextAutopayAt: string | null;
  lifecycle: InvoiceLifecycle;
  paidAt: string | null;
}

export interface CreditRow {
  id: number;
  billingAccountId: number;
  description: string;
  currency: string;
  amountMinor: number;
  remainingMinor: number;
  expiresOn: string | null;
  createdAt: string;
}

export interface CreditApplicationRow {
  id: number;
  creditId: number;
  invoiceId: number;
  amountMinor: number;
  currency: string;
  createdAt: string;
}

export interface LineItemRow {
  id: number;
  invoiceId: number;
  position: number;
  description: string;
  serviceName: string;
  quantity: number;
  unitPriceMinor: number;
  amountMinor: number;
  /** The invoice's currency (line items have none of their own). */
  currency: string;
}

export interface PaymentRow {
  id: number;
  billingAccountId: number;
  /** The paid invoice's profile: what a payment's visibility is decided on. */
  billingProfileId: number;
  invoiceId: number;
  paymentMethodId: number;
  amountMinor: number;
  currency: string;
  status: PaymentStatus;
  failureCode: string | null;
  processorReference: string | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * The read row of an invoice row a write returned (its RETURNING row has every column of the read,
 * with the same values).
 */
export function invoiceReadRow(row: InvoiceRow): InvoiceRow {
  return {
    id: row.id,
    number: row.number,
    billingAccountId: row.billingAccountId,
    billingProfileId: row.billingProfileId,
    periodStart: row.periodStart,
    periodEnd: row.periodEnd,
    invoiceDate: row.invoiceDate,
    dueDate: row.dueDate,
    currency: row.currency,
    subtotalMinor: row.subtotalMinor,
    taxMinor: row.taxMinor,
    totalMinor: row.totalMinor,
    amountDueMinor: row.amountDueMinor,
    creditAppliedMinor: row.creditAppliedMinor,
    nextAutopayAt: row.nextAutopayAt,
    lifecycle: row.lifecycle,
    paidAt: row.paidAt,
  };
}

/** The read row of a payment row a write returned, with its invoice's profile (as the read joins it). */
export function paymentReadRow(
  row: Omit<PaymentRow, 'billingProfileId'>,
  invoice: { id: number; billingProfileId: number },
): PaymentRow {
  if (row.invoiceId !== invoice.id) throw new Error(`payment ${row.id} is not of invoice ${invoice.id}`);
  return {
    id: row.id,
    billingAccountId: row.billingAccountId,
    billingProfileId: invoice.billingProfileId,
    invoiceId: row.invoiceId,
    paymentMethodId: row.paymentMethodId,
    amountMinor: row.amountMinor,
    currency: row.currency,
    status: row.status,
    failureCode: row.failureCode,
    processorReference: row.processorReference,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** A card's display details; the processor token is never read on this path. */
export interface PaymentMethodRow {
  id: number;
  billingAccountId: number;
  billingProfileId: number;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
  holderName: string;
  createdAt: string;
  removedAt: string | null;
  notForRecurring: boolean;
  /** Whether it is its profile's default card. */
  isDefault: boolean;
}

/** An API key's listing details; the secret hash is never read on this path. */
export interface ApiKeyRow {
  id: number;
  billingAccountId: number;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** A webhook endpoint's settings; its secrets are never read on this path. */
export interface WebhookEndpointReadRow {
  id: number;
  billingAccountId: number;
  url: string;
  description: string;
  eventTypes: BillingEventType[];
  enabled: boolean;
  /** While a rotated-out secret still signs (null: none does). */
  previousSecretExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A delivery with the event it carries (from the event log). */
export interface WebhookDeliveryReadRow {
  id: number;
  endpointId: number;
  billingAccountId: number;
  status: WebhookDeliveryStatus;
  attemptCount: number;
  nextAttemptAt: string;
  createdAt: string;
  updatedAt: string;
  eventId: string;
  eventType: BillingEventType;
  eventSequence: number;
  occurredAt: string;
  /** The event's data as stored (JSON text). */
  eventData: string;
}

export interface WebhookDeliveryAttemptReadRow {
  id: number;
  deliveryId: number;
  startedAt: string;
  statusCode: number | null;
  durationMs: number;
  responseBody: string | null;
  errorKind: WebhookAttemptError | null;
}

/** One page of an endpoint's deliveries, newest (highest id) first. */
export interface WebhookDeliveryPageQuery {
  endpointId: number;
  /** Only ids below this (older). */
  beforeId?: number;
  /** Only ids above this (newer). */
  afterId?: number;
  limit: number;
  /** Take the `limit` rows nearest `afterId`'s side (oldest first) instead of newest first. */
  fromEnd: boolean;
}

/** Which invoices a list covers: one account, optionally only some of its profiles. */
export interface InvoiceScope {
  billingAccountId: number;
  /**
   * Null: every profile of the account. Otherwise only these, which must be profiles of that account
   * (an empty list matches nothing).
   */
  billingProfileIds: readonly number[] | null;
}

/** Stored conditions of one invoice status (see billing/invoice-status `statusCondition`). */
export interface InvoiceStatusCondition {
  lifecycles: readonly InvoiceLifecycle[];
  dueBefore?: string;
  dueOnOrAfter?: string;
}

/** All given conditions hold. */
export interface InvoiceListFilter {
  /** Any of these. */
  statusConditions?: readonly InvoiceStatusCondition[];
  dueOnOrAfter?: string;
  dueOnOrBefore?: string;
  number?: string;
}

export type InvoiceOrderColumn = 'invoiceDate' | 'dueDate';

export interface InvoiceOrder {
  column: InvoiceOrderColumn;
  descending: boolean;
}

/** A position in an ordered list: the ordering column's value and the id that breaks ties. */
export interface InvoiceKey {
  value: string;
  id: number;
}

export interface InvoicePageQuery {
  scope: InvoiceScope;
  filter: InvoiceListFilter;
  order: InvoiceOrder;
  /** Only rows strictly after this key, in `order`. */
  after?: InvoiceKey;
  /** Only rows strictly before this key, in `order`. */
  before?: InvoiceKey;
  limit: number;
  /** Take the `limit` rows nearest `before` (the end) instead of nearest `after`, returned in reverse order. */
  fromEnd: boolean;
}

export interface BillingReads {
  usersByIds(ids: readonly number[]): Promise<UserRow[]>;
  /** Every role these users hold (authentication reads it on every request). */
  roleAssignmentsByUserIds(userIds: readonly number[]): Promise<RoleAssignmentRow[]>;
  accountsByIds(ids: readonly number[]): Promise<AccountRow[]>;
  profilesByIds(ids: readonly number[]): Promise<ProfileRow[]>;
  /** Every profile of these accounts, by id ascending. */
  profilesByAccountIds(accountIds: readonly number[]): Promise<ProfileRow[]>;
  invoicesByIds(ids: readonly number[]): Promise<InvoiceRow[]>;
  invoicesByNumbers(numbers: readonly string[]): Promise<InvoiceRow[]>;
  /** By invoice, then position. */
  lineItemsByInvoiceIds(invoiceIds: readonly number[]): Promise<LineItemRow[]>;
  paymentsByIds(ids: readonly number[]): Promise<PaymentRow[]>;
  /** Every attempt, newest (highest id) first. */
  paymentsByInvoiceIds(invoiceIds: readonly number[]): Promise<PaymentRow[]>;
  paymentMethodsByIds(ids: readonly number[]): Promise<PaymentMethodRow[]>;
  /** Cards not removed, each profile's default first, then by id ascending. */
  activePaymentMethodsByProfileIds(profileIds: readonly number[]): Promise<PaymentMethodRow[]>;
  apiKeysByIds(ids: readonly number[]): Promise<ApiKeyRow[]>;
  /** Newest (highest id) first. */
  apiKeysByAccountIds(accountIds: readonly number[]): Promise<ApiKeyRow[]>;
  /** Every credit of these accounts, by id ascending. */
  creditsByAccountIds(accountIds: readonly number[]): Promise<CreditRow[]>;
  /** What these credits paid, by credit, then id. */
  creditApplicationsByCreditIds(creditIds: readonly number[]): Promise<CreditApplicationRow[]>;
  /** Received wire transfers of these invoices, by invoice, then id. */
  wireTransfersByInvoiceIds(invoiceIds: readonly number[]): Promise<WireTransferReadRow[]>;
  webhookEndpointsByIds(ids: readonly number[]): Promise<WebhookEndpointReadRow[]>;
  /** By id ascending. */
  webhookEndpointsByAccountIds(accountIds: readonly number[]): Promise<WebhookEndpointReadRow[]>;
  webhookDeliveriesByIds(ids: readonly number[]): Promise<WebhookDeliveryReadRow[]>;
  /** By delivery, then id (oldest attempt first). */
  webhookDeliveryAttemptsByDeliveryIds(deliveryIds: readonly number[]): Promise<WebhookDeliveryAttemptReadRow[]>;
  webhookDeliveryPage(query: WebhookDeliveryPageQuery): Promise<WebhookDeliveryReadRow[]>;
  /** One page of a keyset-paged invoice list. */
  invoicePage(query: InvoicePageQuery): Promise<InvoiceRow[]>;
  /** Exactly how many invoices match, ignoring paging. */
  invoiceCount(scope: InvoiceScope, filter: InvoiceListFilter): Promise<number>;
}
