import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  abandonIdempotent,
  beginIdempotent,
  completeIdempotent,
  purgeExpiredIdempotencyRecords,
  requestFingerprint,
  type IdempotencyBegin,
} from './idempotency.js';
import { createBillingFixture, type BillingFixture } from './test-support.js';

let fx: BillingFixture;
beforeEach(async () => {
  fx = await createBillingFixture({ seed: false });
});
afterEach(() => fx.close());

const scope = { principal: 'user:1', operation: 'payInvoice', key: 'k-1' };
const fingerprint = requestFingerprint({ invoiceId: 2, paymentMethodId: 1 });
const begin = (overrides: Partial<typeof scope & { fingerprint: string }> = {}) =>
  beginIdempotent<{ paymentId: number }>(fx.services, { ...scope, fingerprint, ...overrides });

function recordIdOf(result: IdempotencyBegin<unknown>): number {
  if (result.kind !== 'new') throw new Error(`expected a new record, got ${result.kind}`);
  return result.recordId;
}

describe('requestFingerprint', () => {
  it('ignores key order and tells different requests apart', () => {
    expect(requestFingerprint({ a: 1, b: { c: [1, 2], d: 'x' } })).toBe(
      requestFingerprint({ b: { d: 'x', c: [1, 2] }, a: 1 }),
    );
    expect(requestFingerprint({ a: 1 })).not.toBe(requestFingerprint({ a: 2 }));
    expect(requestFingerprint({ a: [1, 2] })).not.toBe(requestFingerprint({ a: [2, 1] }));
    expect(requestFingerprint({ a: 1 })).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('beginIdempotent', () => {
  it('new, then in progress until completed, then the stored answer is replayed', async () => {
    const recordId = recordIdOf(await begin());
    expect(await begin()).toEqual({ kind: 'in-progress' });
    expect(await completeIdempotent(fx.services, recordId, { paymentId: 7 })).toBe(true);
    expect(await begin()).toEqual({ kind: 'replay', response: { paymentId: 7 } });
    expect(await begin()).toEqual({ kind: 'replay', response: { paymentId: 7 } });
  });

  it('the same key with a different request is a conflict, in progress or answered', async () => {
    const recordId = recordIdOf(await begin());
    const other = requestFingerprint({ invoiceId: 3, paymentMethodId: 1 });
    expect(await begin({ fingerprint: other })).toEqual({ kind: 'conflict' });
    await completeIdempotent(fx.services, recordId, { paymentId: 7 });
    expect(await begin({ fingerprint: other })).toEqual({ kind: 'conflict' });
  });

  it('keys are scoped to principal and operation', async () => {
    const first = recordIdOf(await begin());
    const otherPrincipal = recordIdOf(await begin({ principal: 'user:2' }));
    const otherOperation = recordIdOf(await begin({ operation: 'addPaymentMethod' }));
    expect(new Set([first, otherPrincipal, otherOperation]).size).toBe(3);
  });

  it('claims a key exactly once among concurrent requests', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => begin()));
    expect(results.filter((r) => r.kind === 'new')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'in-progress')).toHaveLength(19);
    expect(fx.count('idempotency_records')).toBe(1);
  });

  it('the first answer wins', async () => {
    const recordId = recordIdOf(await begin());
    await completeIdempotent(fx.services, recordId, { paymentId: 1 });
    expect(await completeIdempotent(fx.services, recordId, { paymentId: 2 })).toBe(false);
    expect(await begin()).toEqual({ kind: 'replay', response: { paymentId: 1 } });
  });

  it('an abandoned key starts over, even with different input', async () => {
    await abandonIdempotent(fx.services, recordIdOf(await begin()));
    expect(fx.count('idempotency_records')).toBe(0);
    expect((await begin({ fingerprint: requestFingerprint({ other: true }) })).kind).toBe('new');
  });

  it('abandoning never deletes an answered record', async () => {
    const recordId = recordIdOf(await begin());
    await completeIdempotent(fx.services, recordId, { paymentId: 1 });
    await abandonIdempotent(fx.services, recordId);
    expect(await begin()).toEqual({ kind: 'replay', response: { paymentId: 1 } });
  });

  it('is forgotten after the TTL: the key starts a new request under a new record id', async () => {
    const first = recordIdOf(await begin());
    await completeIdempotent(fx.services, first, { paymentId: 1 });
    fx.clock.advance(fx.services.settings.idempotencyTtlMs - 1);
    expect((await begin()).kind).toBe('replay');
    fx.clock.advance(1);
    const second = recordIdOf(await begin({ fingerprint: requestFingerprint({ other: true }) }));
    expect(second).not.toBe(first);
    expect(fx.count('idempotency_records')).toBe(1);
    expect(await begin({ fingerprint: requestFingerprint({ other: true }) })).toEqual({ kind: 'in-progress' });
  });

  it('purges expired records only', async () => {
    await begin();
    fx.clock.advance(60_000);
    await begin({ key: 'k-2' });
    fx.clock.advance(fx.services.settings.idempotencyTtlMs - 30_000);
    expect(await purgeExpiredIdempotencyRecords(fx.services)).toBe(1);
    expect(fx.handle.sqlite.prepare('SELECT key FROM idempotency_records').all()).toEqual([{ key: 'k-2' }]);
  });
});
