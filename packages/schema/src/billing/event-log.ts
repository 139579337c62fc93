// The event log (table `billing_events`): every committed change that a client or partner can see
// is recorded, in the transaction that makes it, as one event with a stable id, a sequence and a
// timestamp. It is the outbox webhooks are delivered from and the log SSE streams resume from.
//
// Publishing to live subscribers happens after commit (`publishLogged`), from the logged row, so
// what a subscriber receives is exactly what the log holds.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { BillingEventData, BillingEventType } from '../db/model.js';
import type { StoreDb } from '../db/store.js';
import type { BillingServices } from './services.js';
import { enqueueWebhookDeliveries } from './webhooks/deliveries.js';

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

/**
 * PostgreSQL hands out sequence numbers at insert, not at commit: two transactions could commit in
 * the other order, and a reader resuming after the higher one would never see the lower. Holding
 * this transaction-scoped lock from the insert to the commit makes sequence order commit order.
 * (SQLite has one writer, so the question does not arise there.)
 */
const EVENT_LOG_LOCK = sql`SELECT pg_advisory_xact_lock(hashtext('billing-gateway:event-log'))`;

/** Records `event` in `tx`, the transaction of the change it describes. Publish it after commit. */
export async function recordEvent(
  services: BillingServices,
  tx: StoreDb,
  event: NewBillingEvent,
): Promise<LoggedBillingEvent> {
  const { store, clock } = services;
  if (store.dialect === 'postgresql') await tx.execute(EVENT_LOG_LOCK);
  const [row] = await tx
    .insert(store.t.billingEvents)
    .values({
      id: `evt_${randomUUID().replaceAll('-', '')}`,
      type: event.type,
      billingAccountId: event.billingAccountId,
      billingProfileId: event.billingProfileId ?? null,
      invoiceId: event.invoiceId ?? null,
      data: event.data,
      occurredAt: clock.now().toISOString(),
    })
    .returning();
  if (!row) throw new Error('billing_events insert returned no row');
  // The outbox: the event's webhook deliveries commit (or roll back) with it.
  await enqueueWebhookDeliveries(services, tx, row);
  return row;
}
