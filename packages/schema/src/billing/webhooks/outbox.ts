// The outbox: webhook deliveries are rows written in the transaction of the events they deliver, so they
// commit (or roll back) with them. `transactionWithEvents` (event-log.ts) enqueues the deliveries of
// every event its callback recorded, once, at the end of the callback; the event log's retention removes
// them with their events. This module knows events only by the columns it needs, so the event log can
// import it without the webhook module importing the event log back.
import { and, eq, inArray, lte } from 'drizzle-orm';
import type { BillingEventType } from '../../db/model.js';
import type { StoreDb } from '../../db/store.js';
import type { BillingServices } from '../services.js';

/** What the outbox needs to know of a logged event. */
export interface OutboxEvent {
  sequence: number;
  type: BillingEventType;
  billingAccountId: number;
  invoiceId: number | null;
}

/** Events of one invoice are delivered to an endpoint in sequence order; others need no order. */
function orderingKeyOf(event: Pick<OutboxEvent, 'invoiceId'>): string | null {
  return event.invoiceId === null ? null : `invoice:${event.invoiceId}`;
}

/** A new delivery of `event` to an endpoint, due at once. */
export function pendingDelivery(
  billingAccountId: number,
  endpointId: number,
  event: Pick<OutboxEvent, 'sequence' | 'invoiceId'>,
  now: string,
) {
  return {
    billingAccountId,
    endpointId,
    eventSequence: event.sequence,
    status: 'PENDING' as const,
    attemptCount: 0,
    nextAttemptAt: now,
    orderingKey: orderingKeyOf(event),
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * In `tx`, the transaction that recorded `events` (in sequence order): one PENDING delivery per event
 * and per enabled endpoint of the event's account subscribed to its type. One lookup of the accounts'
 * endpoints for all the events, and one insert when any delivery is due. Returns how many deliveries.
 */
export async function enqueueWebhookDeliveries(
  services: BillingServices,
  tx: StoreDb,
  events: readonly OutboxEvent[],
): Promise<number> {
  if (events.length === 0) return 0;
  const { webhookEndpoints, webhookDeliveries } = services.store.t;
  const accountIds = [...new Set(events.map((event) => event.billingAccountId))];
  const endpoints = await tx
    .select({
      id: webhookEndpoints.id,
      billingAccountId: webhookEndpoints.billingAccountId,
      eventTypes: webhookEndpoints.eventTypes,
    })
    .from(webhookEndpoints)
    .where(and(inArray(webhookEndpoints.billingAccountId, accountIds), eq(webhookEndpoints.enabled, true)));
  if (endpoints.length === 0) return 0;
  const now = services.clock.now().toISOString();
  const deliveries = events.flatMap((event) =>
    endpoints
      .filter(
        (endpoint) => endpoint.billingAccountId === event.billingAccountId && endpoint.eventTypes.includes(event.type),
      )
      .map((endpoint) => pendingDelivery(event.billingAccountId, endpoint.id, event, now)),
  );
  if (deliveries.length === 0) return 0;
  await tx.insert(webhookDeliveries).values(deliveries);
  return deliveries.length;
}

/**
 * For the event log's retention: removes the deliveries (and their attempts) of events up to
 * `throughSequence`, in `tx`, which must then delete those events (deliveries reference them).
 */
export async function deleteWebhookDeliveriesThrough(
  services: BillingServices,
  tx: StoreDb,
  throughSequence: number,
): Promise<number> {
  const { webhookDeliveries: d, webhookDeliveryAttempts: a } = services.store.t;
  const expired = tx.select({ id: d.id }).from(d).where(lte(d.eventSequence, throughSequence));
  await tx.delete(a).where(inArray(a.deliveryId, expired));
  const deleted = await tx.delete(d).where(lte(d.eventSequence, throughSequence)).returning({ id: d.id });
  return deleted.length;
}
