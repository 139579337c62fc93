// The event log (table `billing_events`): every committed change that a client or partner can see
// is recorded, in the transaction that makes it, as one event with a stable id, a sequence and a
// timestamp. It is the outbox webhooks are delivered from and the log SSE streams resume from.
//
// Publishing to live subscribers happens after commit (`publishLogged`), from the logged row, so
// what a subscriber receives is exactly what the log holds.
import { randomUUID } from 'node:crypto';
import { and, asc, eq, gt, inArray, lt, lte } from 'drizzle-orm';
import type { BillingEventData, BillingEventType, PaymentStatus } from '../db/model.js';
import type { StoreDb } from '../db/store.js';
import type { Clock } from './clock.js';
import { type InvoiceStatusInput, invoiceStatus } from './invoice-status.js';
import { runPeriodically } from './periodic.js';
import type { BillingServices } from './services.js';
import { deleteWebhookDeliveriesThrough, enqueueWebhookDeliveries } from './webhooks/outbox.js';

export interface NewBillingEvent {
  type: BillingEventType;
  billingAccountId: number;
  billingProfileId?: number | null;
  invoiceId?: number | null;
  data: BillingEventData;
}

export interface LoggedBillingEvent {
  /** Orders events; what `billingEvents(after:)` and SSE `Last-Event-ID` resume from. */
  sequence: number;
  /** Stable public identity (`evt_` + 32 hex), the `webhook-id` of its deliveries. */
  id: string;
  type: BillingEventType;
  billingAccountId: number;
  billingProfileId: number | null;
  invoiceId: number | null;
  data: BillingEventData;
  /** ISO-8601 UTC with milliseconds, from the billing clock. */
  occurredAt: string;
}

/** Appends `event` to the log in `tx`. Its webhook deliveries are enqueued by `transactionWithEvents`. */
async function appendToLog(
  services: BillingServices,
  tx: StoreDb,
  event: NewBillingEvent,
): Promise<LoggedBillingEvent> {
  const { store, clock } = services;
  // Sequence order is commit order on either dialect (see BillingStore.appendEvent).
  return store.appendEvent(tx, {
    id: `evt_${randomUUID().replaceAll('-', '')}`,
    type: event.type,
    billingAccountId: event.billingAccountId,
    billingProfileId: event.billingProfileId ?? null,
    invoiceId: event.invoiceId ?? null,
    data: event.data,
    occurredAt: clock.now().toISOString(),
  });
}

/** Records an event in the transaction at hand; resolves to the logged row. */
export type RecordEvent = (event: NewBillingEvent) => Promise<LoggedBillingEvent>;

/**
 * `store.transaction(fn)`, where `fn` records the events of its change with `record`, the one way to
 * record an event. Each is appended to the log at once; when `fn` has resolved, still in the
 * transaction, the webhook deliveries of all of them are enqueued (the outbox, webhooks/outbox.ts: one
 * lookup of the endpoints however many events), so they commit or roll back with the change. The
 * events are published to live subscribers once the transaction has committed, and never if it
 * rolled back. Must be the outermost transaction (a nested call would publish before the outer commit).
 */
export async function transactionWithEvents<T>(
  services: BillingServices,
  fn: (tx: StoreDb, record: RecordEvent) => Promise<T>,
): Promise<T> {
  // Per call, not per `tx`: SQLite's store hands every transaction the same writer object.
  const recorded: LoggedBillingEvent[] = [];
  const result = await services.store.transaction(async (tx) => {
    const value = await fn(tx, async (event) => {
      const logged = await appendToLog(services, tx, event);
      recorded.push(logged);
      return logged;
    });
    await enqueueWebhookDeliveries(services, tx, recorded);
    return value;
  });
  for (const event of recorded) services.events.publish(event);
  return result;
}

// --- Reading the log back ------------------------------------------------------------------------

/** How many events one read of the log returns; a resume reads page after page until caught up. */
export const EVENT_LOG_PAGE_SIZE = 500;

/** The logged event with this public id, or null. */
export async function findLoggedEvent(services: BillingServices, id: string): Promise<LoggedBillingEvent | null> {
  const { billingEvents } = services.store.t;
  const [row] = await services.store.db.select().from(billingEvents).where(eq(billingEvents.id, id)).limit(1);
  return row ?? null;
}

/** Events after `afterSequence`, oldest first, of the given accounts and types (at most `limit`, default a page). */
export async function eventsAfter(
  services: BillingServices,
  afterSequence: number,
  filter: { billingAccountIds: readonly number[]; types: readonly BillingEventType[]; limit?: number },
): Promise<LoggedBillingEvent[]> {
  if (filter.billingAccountIds.length === 0 || filter.types.length === 0) return [];
  const { billingEvents } = services.store.t;
  return services.store.db
    .select()
    .from(billingEvents)
    .where(
      and(
        gt(billingEvents.sequence, afterSequence),
        inArray(billingEvents.billingAccountId, [...filter.billingAccountIds]),
        inArray(billingEvents.type, [...filter.types]),
      ),
    )
    .orderBy(asc(billingEvents.sequence))
    .limit(filter.limit ?? EVENT_LOG_PAGE_SIZE);
}

// --- Retention ----------------------------------------------------------------------------------

/** Days the event log keeps an event: how far back a stream can resume and events can be replayed. */
export const DEFAULT_EVENT_RETENTION_DAYS = 30;
const PRUNE_BATCH = 5_000;

/**
 * Deletes events older than `retentionDays`, with their webhook deliveries and attempts (a delivery's
 * history lives as long as its event), oldest first in batches of short write transactions; returns
 * how many events.
 */
export async function pruneEventLog(services: BillingServices, retentionDays: number): Promise<number> {
  const { store, clock } = services;
  const { billingEvents } = store.t;
  const cutoff = new Date(clock.now().getTime() - retentionDays * 86_400_000).toISOString();
  let pruned = 0;
  for (;;) {
    const deleted = await store.transaction(async (tx) => {
      const batch = await tx
        .select({ sequence: billingEvents.sequence })
        .from(billingEvents)
        .where(lt(billingEvents.occurredAt, cutoff))
        .orderBy(asc(billingEvents.sequence))
        .limit(PRUNE_BATCH);
      const through = batch.at(-1)?.sequence;
      if (through === undefined) return 0;
      await deleteWebhookDeliveriesThrough(services, tx, through);
      const rows = await tx
        .delete(billingEvents)
        .where(lte(billingEvents.sequence, through))
        .returning({ sequence: billingEvents.sequence });
      return rows.length;
    });
    pruned += deleted;
    if (deleted < PRUNE_BATCH) return pruned;
  }
}

/** Prunes the event log every `intervalMs` (see runPeriodically). */
export function startEventLogPruning(
  services: BillingServices,
  options: { retentionDays: number; intervalMs: number; onError: (error: unknown) => void },
): () => void {
  return runPeriodically(options.intervalMs, () => pruneEventLog(services, options.retentionDays), options.onError);
}

// --- What each event says ------------------------------------------------------------------------
// An event's data is a snapshot taken in the change's transaction: a PAYMENT_UPDATED with status
// PROCESSING says the invoice is still due, whatever happened to it since.

interface InvoiceSnapshotInput extends InvoiceStatusInput {
  id: number;
  number: string;
  billingAccountId: number;
  billingProfileId: number;
  amountDueMinor: number;
  currency: string;
  paidAt: string | null;
}

function invoiceSnapshot(invoice: InvoiceSnapshotInput, clock: Clock): BillingEventData {
  return {
    invoiceId: invoice.id,
    invoiceNumber: invoice.number,
    invoiceStatus: invoiceStatus(invoice, clock),
    amountDueMinor: invoice.amountDueMinor,
    currency: invoice.currency,
    paidAt: invoice.paidAt,
  };
}

/** A period closed into a new invoice (credits already applied to it). */
export function recordInvoiceCreated(record: RecordEvent, invoice: InvoiceSnapshotInput, clock: Clock) {
  return recordInvoiceEvent(record, 'INVOICE_CREATED', invoice, clock);
}

/** An invoice's status or amount due changed (paid by card or wire transfer). */
export function recordInvoiceUpdated(record: RecordEvent, invoice: InvoiceSnapshotInput, clock: Clock) {
  return recordInvoiceEvent(record, 'INVOICE_UPDATED', invoice, clock);
}

function recordInvoiceEvent(
  record: RecordEvent,
  type: 'INVOICE_CREATED' | 'INVOICE_UPDATED',
  invoice: InvoiceSnapshotInput,
  clock: Clock,
) {
  return record({
    type,
    billingAccountId: invoice.billingAccountId,
    billingProfileId: invoice.billingProfileId,
    invoiceId: invoice.id,
    data: invoiceSnapshot(invoice, clock),
  });
}

/** A payment attempt started or settled; with the invoice as that change left it. */
export function recordPaymentUpdated(
  record: RecordEvent,
  payment: {
    id: number;
    status: PaymentStatus;
    amountMinor: number;
    currency: string;
    paymentMethodId: number;
    failureCode: string | null;
  },
  invoice: InvoiceSnapshotInput,
  clock: Clock,
) {
  return record({
    type: 'PAYMENT_UPDATED',
    billingAccountId: invoice.billingAccountId,
    billingProfileId: invoice.billingProfileId,
    invoiceId: invoice.id,
    data: {
      paymentId: payment.id,
      paymentStatus: payment.status,
      amountMinor: payment.amountMinor,
      paymentMethodId: payment.paymentMethodId,
      declineCode: payment.status === 'FAILED' ? payment.failureCode : null,
      ...invoiceSnapshot(invoice, clock),
    },
  });
}
