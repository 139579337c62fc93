// Sending webhooks: deliveries are enqueued in the event's own transaction (outbox.ts), then a worker
// claims due ones (db/webhook-claims.ts), sends each once per attempt, records the attempt, and
// schedules a retry with exponential backoff and full jitter on the billing clock, until the retry
// limit makes it FAILED. At least once: a receiver deduplicates by `webhook-id` (the event's id).
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { and, asc, eq, inArray, isNull, lte, or } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import type { BillingEventType, WebhookAttemptError } from '../../db/model.js';
import type { webhookDeliveries } from '../../db/tables.js';
import { claimDueWebhookDeliveries } from '../../db/webhook-claims.js';
import type { AccessView } from '../access.js';
import { systemClock } from '../clock.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { eventsAfter, findLoggedEvent } from '../event-log.js';
import { runPeriodically } from '../periodic.js';
import type { BillingServices } from '../services.js';
import { assertMayManageWebhooks, endpointForManagement, signingSecrets } from './endpoints.js';
import { pendingDelivery } from './outbox.js';
import type { WebhookSettings } from './settings.js';
import { deliveryConnection } from './url-safety.js';

export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;

/** How much of a receiver's answer is kept per attempt. */
export const RESPONSE_BODY_LIMIT_BYTES = 1024;
/** Events one replay call queues at most (ask again from the last one for more). */
export const MAX_REPLAY_EVENTS = 1000;
/** A retry is never sooner than this, whatever the jitter drew. */
const MIN_RETRY_DELAY_MS = 1000;
/** A pass stops claiming after this many rounds (a round: claim a batch, send it). */
const MAX_ROUNDS_PER_PASS = 50;

/** The wait before retry number `retry` (1 = after the first failed attempt): full jitter under an exponential cap. */
export function retryDelayMs(settings: WebhookSettings, retry: number): number {
  const cap = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.max(MIN_RETRY_DELAY_MS, Math.floor((settings.random ?? Math.random)() * cap));
}

/** The body every delivery of an event carries (the same bytes on every attempt). */
export function webhookPayload(event: {
  id: string;
  type: BillingEventType;
  sequence: number;
  occurredAt: string;
  data: unknown;
}): string {
  return JSON.stringify({
    id: event.id,
    type: event.type,
    sequence: event.sequence,
    occurredAt: event.occurredAt,
    data: event.data,
  });
}

/** Standard Webhooks headers; during a secret's overlap, one signature per secret, space-separated. */
export function signedHeaders(secrets: readonly string[], webhookId: string, at: Date, payload: string) {
  return {
    'webhook-id': webhookId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(webhookId, at, payload)).join(' '),
  };
}

interface AttemptOutcome {
  statusCode: number | null;
  responseBody: string | null;
  errorKind: WebhookAttemptError | null;
  durationMs: number;
}

/** Text that every dialect stores: at most the limit, and no NUL (PostgreSQL text cannot hold one). */
function storableBody(chunks: Buffer[]): string {
  return Buffer.concat(chunks).subarray(0, RESPONSE_BODY_LIMIT_BYTES).toString('utf8').replaceAll('\u0000', '\uFFFD');
}

/** One POST: no redirect followed, the connection's address checked (url-safety.ts), given up after the timeout. */
function post(settings: WebhookSettings, url: URL, headers: Record<string, string>, payload: string) {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise<AttemptOutcome>((resolve) => {
    const connection = deliveryConnection(settings, url);
    if (connection.refused) {
      resolve({ statusCode: null, responseBody: null, errorKind: 'ADDRESS_NOT_ALLOWED', durationMs: elapsed() });
      return;
    }
    let settled = false;
    const finish = (outcome: Omit<AttemptOutcome, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...outcome, durationMs: elapsed() });
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, {
      method: 'POST',
      // A fresh connection per attempt: every connect goes through the checking lookup.
      agent: false,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'billing-gateway-webhooks/1',
        'content-length': String(Buffer.byteLength(payload)),
        ...headers,
      },
      ...(connection.lookup ? { lookup: connection.lookup } : {}),
    });
    const timer = setTimeout(() => {
      finish({ statusCode: null, responseBody: null, errorKind: 'TIMEOUT' });
      req.destroy();
    }, settings.timeoutMs);
    req.on('response', (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        const errorKind: WebhookAttemptError | null =
          status >= 200 && status < 300 ? null : status >= 300 && status < 400 ? 'REDIRECT' : 'HTTP_STATUS';
        finish({ statusCode: status, responseBody: storableBody(chunks), errorKind });
        res.destroy();
      };
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= RESPONSE_BODY_LIMIT_BYTES) done();
      });
      res.on('end', done);
      res.on('error', done);
    });
    req.on('error', (error: Error & { code?: string }) => {
      finish({
        statusCode: null,
        responseBody: null,
        errorKind: error.code === 'ADDRESS_NOT_ALLOWED' ? 'ADDRESS_NOT_ALLOWED' : 'CONNECTION',
      });
    });
    req.end(payload);
  });
}

export interface WebhookPassResult {
  attempted: number;
  succeeded: number;
  retrying: number;
  failed: number;
}

interface ClaimedDelivery {
  delivery: WebhookDeliveryRow;
  endpoint: {
    id: number;
    url: string;
    secretEncrypted: string;
    previousSecretEncrypted: string | null;
    previousSecretExpiresAt: string | null;
  };
  event: { id: string; type: BillingEventType; sequence: number; occurredAt: string; data: unknown };
}

async function loadClaimed(services: BillingServices, ids: number[]): Promise<ClaimedDelivery[]> {
  const { webhookDeliveries: d, webhookEndpoints: w, billingEvents: e } = services.store.t;
  const rows = await services.store.db
    .select({
      delivery: d,
      endpoint: {
        id: w.id,
        url: w.url,
        secretEncrypted: w.secretEncrypted,
        previousSecretEncrypted: w.previousSecretEncrypted,
        previousSecretExpiresAt: w.previousSecretExpiresAt,
      },
      event: { id: e.id, type: e.type, sequence: e.sequence, occurredAt: e.occurredAt, data: e.data },
    })
    .from(d)
    .innerJoin(w, eq(w.id, d.endpointId))
    .innerJoin(e, eq(e.sequence, d.eventSequence))
    .where(inArray(d.id, ids))
    .orderBy(asc(d.id));
  return rows;
}

/** Sends one claimed delivery and records the attempt; the delivery's row changes only while the lease is ours. */
async function attempt(services: BillingServices, claimed: ClaimedDelivery): Promise<keyof WebhookPassResult> {
  const settings = services.settings.webhooks;
  const { delivery, endpoint, event } = claimed;
  const payload = webhookPayload(event);
  const startedAt = services.clock.now().toISOString();
  const headers = signedHeaders(
    signingSecrets(services, endpoint),
    event.id,
    (settings.signingClock ?? systemClock).now(),
    payload,
  );
  const outcome = await post(settings, new URL(endpoint.url), headers, payload);
  const now = services.clock.now();
  const attempts = delivery.attemptCount + 1;
  const succeeded = outcome.errorKind === null;
  const failed = !succeeded && attempts >= settings.maxAttempts;
  const { webhookDeliveries, webhookDeliveryAttempts } = services.store.t;
  await services.store.transaction(async (tx) => {
    await tx
      .insert(webhookDeliveryAttempts)
      .values({ billingAccountId: delivery.billingAccountId, deliveryId: delivery.id, startedAt, ...outcome });
    await tx
      .update(webhookDeliveries)
      .set({
        status: succeeded ? 'SUCCEEDED' : failed ? 'FAILED' : 'PENDING',
        attemptCount: attempts,
        nextAttemptAt:
          succeeded || failed
            ? delivery.nextAttemptAt
            : new Date(now.getTime() + retryDelayMs(settings, attempts)).toISOString(),
        claimedUntil: null,
        updatedAt: now.toISOString(),
      })
      .where(and(eq(webhookDeliveries.id, delivery.id), eq(webhookDeliveries.claimedUntil, delivery.claimedUntil!)));
  });
  return succeeded ? 'succeeded' : failed ? 'failed' : 'retrying';
}

/**
 * One pass of the delivery worker: claim what is due, send it, and again while something became due
 * (the next event of an invoice once the one before it succeeded). Safe to run on every instance at
 * once: each delivery is claimed by one of them at a time.
 */
export async function runWebhookDeliveryPass(services: BillingServices): Promise<WebhookPassResult> {
  const settings = services.settings.webhooks;
  const result: WebhookPassResult = { attempted: 0, succeeded: 0, retrying: 0, failed: 0 };
  const failures: unknown[] = [];
  for (let round = 0; round < MAX_ROUNDS_PER_PASS; round += 1) {
    const now = services.clock.now();
    const ids = await claimDueWebhookDeliveries(services.store, {
      now: now.toISOString(),
      leaseUntil: new Date(now.getTime() + settings.leaseMs).toISOString(),
      limit: settings.batchSize,
    });
    if (ids.length === 0) break;
    // One delivery that cannot be sent (an unreadable secret after a key change) must not stop the
    // others; it keeps its lease until it expires and is tried again, and the pass reports the failure.
    const settled = await Promise.allSettled((await loadClaimed(services, ids)).map((c) => attempt(services, c)));
    for (const outcome of settled) {
      if (outcome.status === 'rejected') {
        failures.push(outcome.reason);
        continue;
      }
      result.attempted += 1;
      result[outcome.value] += 1;
    }
    if (failures.length > 0) break;
  }
  if (failures.length > 0)
    throw new AggregateError(failures, `${failures.length} webhook deliveries could not be attempted`);
  return result;
}

/** Runs the delivery worker every `intervalMs` in this process; returns the function that stops it. */
export function startWebhookWorker(
  services: BillingServices,
  intervalMs: number,
  options: { onError: (error: unknown) => void },
): () => void {
  return runPeriodically(intervalMs, () => runWebhookDeliveryPass(services), options.onError);
}

/**
 * Sends a delivery again from the start of the retry schedule (whatever its status), with new attempts;
 * the event, its `webhook-id` and its body are the same. One being sent right now is left to finish.
 */
export async function redeliverWebhookDelivery(
  services: BillingServices,
  access: AccessView,
  deliveryId: number,
): Promise<WebhookDeliveryRow> {
  const { webhookDeliveries: d } = services.store.t;
  const delivery = await services.store.db.query.webhookDeliveries.findFirst({ where: { id: deliveryId } });
  const endpoint =
    delivery && (await services.store.db.query.webhookEndpoints.findFirst({ where: { id: delivery.endpointId } }));
  if (!delivery || !endpoint) throw new NotFoundError('WebhookDelivery');
  assertMayManageWebhooks(access, endpoint.billingAccountId, 'WebhookDelivery');
  const now = services.clock.now().toISOString();
  const [row] = await services.store.transaction((tx) =>
    tx
      .update(d)
      .set({ status: 'PENDING', attemptCount: 0, nextAttemptAt: now, claimedUntil: null, updatedAt: now })
      .where(and(eq(d.id, deliveryId), or(isNull(d.claimedUntil), lte(d.claimedUntil, now))))
      .returning(),
  );
  return row ?? delivery;
}

/**
 * Queues the endpoint's events again, from the event log: every event of its account after `after`
 * (a sequence, or the sequence of an event id, exclusive) that the endpoint subscribes to, oldest
 * first, at most MAX_REPLAY_EVENTS. Only what the log still holds (its retention) can be replayed.
 */
export async function replayWebhookEvents(
  services: BillingServices,
  access: AccessView,
  endpointId: number,
  after: { sequence: number } | { eventId: string },
): Promise<{ queued: number; lastSequence: number | null }> {
  const { endpoint } = await endpointForManagement(services, access, endpointId);
  const { webhookDeliveries } = services.store.t;
  let afterSequence: number;
  if ('eventId' in after) {
    const event = await findLoggedEvent(services, after.eventId);
    if (!event || event.billingAccountId !== endpoint.billingAccountId)
      throw new ValidationError(
        'input.afterEventId',
        'No such event in the event log (it may be older than the log keeps). Replay from a sequence instead.',
      );
    afterSequence = event.sequence;
  } else {
    if (!Number.isSafeInteger(after.sequence) || after.sequence < 0)
      throw new ValidationError('input.afterSequence', 'The sequence must be a non-negative integer.');
    afterSequence = after.sequence;
  }
  const events = await eventsAfter(services, afterSequence, {
    billingAccountIds: [endpoint.billingAccountId],
    types: endpoint.eventTypes,
    limit: MAX_REPLAY_EVENTS,
  });
  if (events.length === 0) return { queued: 0, lastSequence: null };
  const now = services.clock.now().toISOString();
  return services.store.transaction(async (tx) => {
    await tx
      .insert(webhookDeliveries)
      .values(events.map((event) => pendingDelivery(endpoint.billingAccountId, endpointId, event, now)));
    return { queued: events.length, lastSequence: events.at(-1)!.sequence };
  });
}
