// Client idempotency keys: the first request with a key runs; a retry with the same key and the
// same input gets the first request's recorded answer; the same key with other input is refused.
// Keys are scoped to (principal, operation), so one caller's keys never collide with another's,
// and are remembered for `settings.idempotencyTtlMs`.
import { createHash } from 'node:crypto';
import { and, eq, isNull, lte } from 'drizzle-orm';
import type { StoreDb } from '../db/store.js';
import type { BillingServices } from './services.js';

export interface IdempotencyScope {
  /** `principalId(...)` of the caller. */
  principal: string;
  operation: string;
  key: string;
}

export type IdempotencyBegin<TResponse> =
  /** First request with this key: run it, then complete or abandon `recordId`. */
  | { kind: 'new'; recordId: number }
  /** Already answered: return this answer again. */
  | { kind: 'replay'; response: TResponse }
  /** The first request has not finished (or its outcome is still being settled). */
  | { kind: 'in-progress' }
  /** The key was used with different input. */
  | { kind: 'conflict' };

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

/** sha256 of the request's canonical JSON (object keys sorted), so key order does not matter. */
export function requestFingerprint(value: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(value)))
    .digest('hex');
}

/** Claims of one key that keep losing to a release or replacement in between give up after this many. */
const MAX_CLAIM_ATTEMPTS = 5;

/**
 * Claims the key, atomically, in its own transaction: the insert either wins the unique (principal,
 * operation, key) constraint or reads the record that did. See claimIdempotent.
 */
export function beginIdempotent<TResponse>(
  services: BillingServices,
  request: IdempotencyScope & { fingerprint: string },
): Promise<IdempotencyBegin<TResponse>> {
  return services.store.transaction((tx) => claimIdempotent<TResponse>(services, tx, request));
}

/**
 * Claims the key in `tx`: the insert either wins the unique (principal, operation, key) constraint or
 * reads the record that did. An expired record is replaced by a new one, with a new id, so anything
 * that points at the old record is never mistaken for the new request. The claim commits with `tx`:
 * a request refused later in the same transaction rolls its claim back (no abandonIdempotent), and
 * until `tx` commits a concurrent claim of the key waits for it (PostgreSQL: the unique index; SQLite:
 * one writer), then reads what it committed.
 */
export async function claimIdempotent<TResponse>(
  services: BillingServices,
  tx: StoreDb,
  request: IdempotencyScope & { fingerprint: string },
): Promise<IdempotencyBegin<TResponse>> {
  const now = services.clock.now();
  const nowIso = now.toISOString();
  const fresh = {
    principal: request.principal,
    operation: request.operation,
    key: request.key,
    requestFingerprint: request.fingerprint,
    responseJson: null,
    createdAt: nowIso,
    expiresAt: new Date(now.getTime() + services.settings.idempotencyTtlMs).toISOString(),
  };
  const { idempotencyRecords } = services.store.t;
  // Under READ COMMITTED (PostgreSQL) the record our INSERT conflicted with may be gone by the next
  // statement: its request released the key (abandonIdempotent), or it expired and another request
  // replaced it. Then the key is claimed again. (SQLite runs these transactions one at a time.)
  for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
    const [claimed] = await tx
      .insert(idempotencyRecords)
      .values(fresh)
      .onConflictDoNothing()
      .returning({ id: idempotencyRecords.id });
    if (claimed) return { kind: 'new', recordId: claimed.id };
    const [existing] = await tx
      .select()
      .from(idempotencyRecords)
      .where(
        and(
          eq(idempotencyRecords.principal, request.principal),
          eq(idempotencyRecords.operation, request.operation),
          eq(idempotencyRecords.key, request.key),
        ),
      );
    if (!existing) continue;
    if (existing.expiresAt <= nowIso) {
      await tx.delete(idempotencyRecords).where(eq(idempotencyRecords.id, existing.id));
      continue;
    }
    if (existing.requestFingerprint !== request.fingerprint) return { kind: 'conflict' };
    if (existing.responseJson === null) return { kind: 'in-progress' };
    return { kind: 'replay', response: JSON.parse(existing.responseJson) as TResponse };
  }
  throw new Error(`idempotency key claim did not settle in ${MAX_CLAIM_ATTEMPTS} attempts`);
}

/**
 * Records the answer inside the caller's transaction, so the answer commits with the change it
 * describes. Only a record still in progress is completed (the first answer wins); `owner`, when
 * given, must match the record's scope. Returns whether a record was completed.
 */
export async function completeIdempotentRecord(
  services: BillingServices,
  tx: StoreDb,
  recordId: number,
  response: unknown,
  owner?: { principal: string; operation: string },
): Promise<boolean> {
  const { idempotencyRecords } = services.store.t;
  const [result] = await tx
    .update(idempotencyRecords)
    .set({ responseJson: JSON.stringify(response) })
    .where(
      and(
        eq(idempotencyRecords.id, recordId),
        isNull(idempotencyRecords.responseJson),
        owner ? eq(idempotencyRecords.principal, owner.principal) : undefined,
        owner ? eq(idempotencyRecords.operation, owner.operation) : undefined,
      ),
    )
    .returning({ id: idempotencyRecords.id });
  return result !== undefined;
}

export async function completeIdempotent(
  services: BillingServices,
  recordId: number,
  response: unknown,
): Promise<boolean> {
  return services.store.transaction((tx) => completeIdempotentRecord(services, tx, recordId, response));
}

/**
 * Forgets a request that was refused before anything happened (bad input, no access, not payable),
 * so retrying with the same key runs it again instead of replaying the refusal.
 */
export async function abandonIdempotent(services: BillingServices, recordId: number): Promise<void> {
  const { idempotencyRecords } = services.store.t;
  await services.store.transaction((tx) =>
    tx
      .delete(idempotencyRecords)
      .where(and(eq(idempotencyRecords.id, recordId), isNull(idempotencyRecords.responseJson))),
  );
}

/** Deletes expired records; returns how many. */
export async function purgeExpiredIdempotencyRecords(services: BillingServices): Promise<number> {
  const { idempotencyRecords } = services.store.t;
  const deleted = await services.store.transaction((tx) =>
    tx
      .delete(idempotencyRecords)
      .where(lte(idempotencyRecords.expiresAt, services.clock.now().toISOString()))
      .returning({ id: idempotencyRecords.id }),
  );
  return deleted.length;
}
