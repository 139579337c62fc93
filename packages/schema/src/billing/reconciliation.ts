// Settling payment attempts whose answer was lost: a processor timeout, or a process that crashed
// between charging and writing the outcome. The processor is asked by the attempt's key, which
// never charges: what it recorded is what happened. A charge it never saw is written off as FAILED
// (PROCESSING_ERROR) and the invoice reopened, once the attempt is older than
// `settings.reconcileAfterMs` (keep that well above `processorTimeoutMs`, so a request still on its
// way to the processor is not written off before it lands).
import { and, asc, eq, isNull, lte, notExists, sql } from 'drizzle-orm';
import { NotFoundError } from './errors.js';
import { purgeExpiredIdempotencyRecords } from './idempotency.js';
import { isAttemptOfRecord, PAY_INVOICE_OPERATION, settleFromProcessor, type PaymentRow } from './payments.js';
import { runPeriodically } from './periodic.js';
import type { BillingServices } from './services.js';

export interface ReconcileSummary {
  /** PROCESSING attempts looked at. */
  examined: number;
  succeeded: number;
  failed: number;
  /** Still unknown (the processor could not be asked, or the attempt is too young to write off). */
  stillProcessing: number;
  /** payInvoice keys released because their request died before starting an attempt. */
  releasedKeys: number;
}

function isOldEnough(payment: PaymentRow, services: BillingServices, olderThanMs: number): boolean {
  return services.clock.now().getTime() - Date.parse(payment.createdAt) >= olderThanMs;
}

/**
 * Settles one attempt if the processor knows its outcome (or, past the threshold, writes off one
 * the processor never saw). Returns the attempt as it is afterwards; settled attempts are returned
 * unchanged.
 */
export async function reconcilePayment(services: BillingServices, paymentId: number): Promise<PaymentRow> {
  const payment = await services.store.db.query.payments.findFirst({ where: { id: paymentId } });
  if (!payment) throw new NotFoundError('Payment');
  return settleFromProcessor(services, payment, {
    writeOffMissing: isOldEnough(payment, services, services.settings.reconcileAfterMs),
    settledBy: 'reconciler',
  });
}

/** The advisory lock one sweep holds, fleet-wide. */
export const RECONCILE_LOCK = 'billing-gateway:reconcile';

/**
 * Settles every PROCESSING attempt older than `olderThanMs` (default `settings.reconcileAfterMs`).
 * With N instances on one database, one sweep runs at a time (`store.exclusively`): the others
 * return null instead of asking the processor about the same attempts. (Settling is guarded on
 * PROCESSING as well, so even overlapping sweeps would write each outcome once.)
 */
export async function reconcileStalePayments(
  services: BillingServices,
  options: { olderThanMs?: number } = {},
): Promise<ReconcileSummary | null> {
  return services.store.exclusively(RECONCILE_LOCK, () => sweep(services, options));
}

async function sweep(services: BillingServices, options: { olderThanMs?: number }): Promise<ReconcileSummary> {
  const olderThanMs = options.olderThanMs ?? services.settings.reconcileAfterMs;
  const cutoff = new Date(services.clock.now().getTime() - olderThanMs).toISOString();
  // A PROCESSING attempt is never updated, so updated_at is its start (and the indexed column).
  const { payments } = services.store.t;
  const stale = await services.store.db
    .select()
    .from(payments)
    .where(and(eq(payments.status, 'PROCESSING'), lte(payments.updatedAt, cutoff)))
    .orderBy(asc(payments.id));
  const summary: ReconcileSummary = {
    examined: stale.length,
    succeeded: 0,
    failed: 0,
    stillProcessing: 0,
    releasedKeys: 0,
  };
  // One at a time: a backlog after an outage should not hit the processor all at once.
  for (const payment of stale) {
    const after = await settleFromProcessor(services, payment, { writeOffMissing: true, settledBy: 'reconciler' });
    if (after.status === 'SUCCEEDED') summary.succeeded += 1;
    else if (after.status === 'FAILED') summary.failed += 1;
    else summary.stillProcessing += 1;
  }
  summary.releasedKeys = await releaseOrphanedPayInvoiceKeys(services, cutoff);
  return summary;
}

/**
 * A record of a payInvoice key in progress with no attempt behind it: nothing would ever complete it,
 * so the client's retries would be told "in progress" until the key expires. Nothing was charged, so
 * the key is released, as if the request had been refused. payInvoice now claims the key in the
 * transaction that reserves the invoice, so it leaves none; earlier versions did when they died
 * between the two, and a database upgraded from them may still hold such records.
 */
async function releaseOrphanedPayInvoiceKeys(services: BillingServices, createdBefore: string): Promise<number> {
  const { idempotencyRecords, payments } = services.store.t;
  const released = await services.store.transaction((tx) =>
    tx
      .delete(idempotencyRecords)
      .where(
        and(
          eq(idempotencyRecords.operation, PAY_INVOICE_OPERATION),
          isNull(idempotencyRecords.responseJson),
          lte(idempotencyRecords.createdAt, createdBefore),
          notExists(
            tx.select({ one: sql`1` }).from(payments).where(isAttemptOfRecord(services, idempotencyRecords.id)),
          ),
        ),
      )
      .returning({ id: idempotencyRecords.id }),
  );
  return released.length;
}

/**
 * Runs reconciliation (and the purge of expired idempotency records) every `intervalMs`, one pass
 * at a time, without keeping the process alive. Returns a function that stops it.
 */
export function startReconciler(
  services: BillingServices,
  intervalMs: number,
  options: { onError?: (error: unknown) => void } = {},
): () => void {
  // A failed pass must be visible, and must not stop the next one.
  const onError = options.onError ?? ((error: unknown) => console.error('payment reconciliation pass failed', error));
  return runPeriodically(
    intervalMs,
    async () => {
      await reconcileStalePayments(services);
      await purgeExpiredIdempotencyRecords(services);
    },
    onError,
  );
}
