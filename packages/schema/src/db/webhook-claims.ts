// Claiming webhook deliveries, the one statement whose form differs by dialect. A delivery is due when
// it is PENDING, its next attempt time has come, no live lease holds it, its endpoint is enabled, and no
// earlier unfinished delivery of the same endpoint and ordering key exists (one invoice's events go in
// sequence order). Claiming sets the lease (`claimed_until`) in a short transaction of its own:
// - PostgreSQL: `FOR UPDATE SKIP LOCKED`, so instances claiming at the same moment take different rows
//   instead of waiting on each other; a row another instance claimed and committed meanwhile is
//   re-checked against the WHERE and dropped (its lease is live).
// - SQLite: one writer, so the conditional UPDATE ... RETURNING is the claim.
import { sql } from 'drizzle-orm';
import type { BillingStore } from './store.js';

export interface DeliveryClaim {
  /** The billing clock's now (ISO). */
  now: string;
  /** The lease's end (ISO), later than `now`. */
  leaseUntil: string;
  limit: number;
}

const dueCondition = (now: string) => sql`d.status = 'PENDING' AND d.next_attempt_at <= ${now}
  AND (d.claimed_until IS NULL OR d.claimed_until <= ${now})
  AND EXISTS (SELECT 1 FROM webhook_endpoints w WHERE w.id = d.endpoint_id AND w.enabled)
  AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.endpoint_id = d.endpoint_id
    AND e.ordering_key = d.ordering_key AND e.status = 'PENDING'
    AND (e.event_sequence < d.event_sequence OR (e.event_sequence = d.event_sequence AND e.id < d.id)))`;

/** The ids of the deliveries this call claimed (each until `leaseUntil`), oldest due first. */
export async function claimDueWebhookDeliveries(store: BillingStore, claim: DeliveryClaim): Promise<number[]> {
  return store.transaction(async (tx) => {
    if (store.dialect === 'postgresql') {
      const result = await tx.execute<{ id: number }>(sql`WITH due AS (
          SELECT d.id FROM webhook_deliveries d WHERE ${dueCondition(claim.now)}
          ORDER BY d.next_attempt_at, d.id LIMIT ${claim.limit} FOR UPDATE OF d SKIP LOCKED)
        UPDATE webhook_deliveries SET claimed_until = ${claim.leaseUntil}, updated_at = ${claim.now}
        FROM due WHERE webhook_deliveries.id = due.id RETURNING webhook_deliveries.id`);
      return result.rows.map((r) => Number(r.id));
    }
    const sqlite = tx as unknown as { all<T>(query: ReturnType<typeof sql>): Promise<T[]> };
    const rows = await sqlite.all<{ id: number }>(sql`UPDATE webhook_deliveries
      SET claimed_until = ${claim.leaseUntil}, updated_at = ${claim.now}
      WHERE id IN (SELECT d.id FROM webhook_deliveries d WHERE ${dueCondition(claim.now)}
        ORDER BY d.next_attempt_at, d.id LIMIT ${claim.limit})
      RETURNING id`);
    return rows.map((r) => Number(r.id));
  });
}
