import { describe, expect, it } from 'vitest';
import { createTokenBuckets } from './token-bucket.js';

describe('token bucket', () => {
  it('allows a burst of a minute’s worth, then one more per 60/perMinute seconds', () => {
    let now = 0;
    const buckets = createTokenBuckets({ perMinute: 6, now: () => now });
    for (let i = 0; i < 6; i++) expect(buckets.take('a').allowed).toBe(true);
    expect(buckets.take('a')).toEqual({
      allowed: false,
      retryAfterSeconds: 10,
      state: { quota: 6, remaining: 0, resetSeconds: 60 },
    });
    // Keys are independent.
    expect(buckets.take('b')).toEqual({ allowed: true, state: { quota: 6, remaining: 5, resetSeconds: 10 } });
    now += 4_000;
    expect(buckets.take('a')).toMatchObject({ allowed: false, retryAfterSeconds: 6, state: { resetSeconds: 56 } });
    now += 6_000;
    expect(buckets.take('a')).toEqual({ allowed: true, state: { quota: 6, remaining: 0, resetSeconds: 60 } });
    expect(buckets.take('a').allowed).toBe(false);
    // Idle long enough, the bucket is full again, never fuller.
    now += 10 * 60_000;
    for (let i = 0; i < 6; i++) expect(buckets.take('a').allowed).toBe(true);
    expect(buckets.take('a').allowed).toBe(false);
  });

  it('reports what is left after each take, and when the bucket is full again', () => {
    let now = 0;
    const buckets = createTokenBuckets({ perMinute: 60, now: () => now });
    expect(buckets.take('a').state).toEqual({ quota: 60, remaining: 59, resetSeconds: 1 });
    for (let i = 0; i < 29; i++) buckets.take('a');
    expect(buckets.take('a').state).toEqual({ quota: 60, remaining: 29, resetSeconds: 31 });
    now += 1_500;
    // 1.5 tokens back: 30.5 held, 30 whole ones usable, one taken now.
    expect(buckets.take('a').state).toEqual({ quota: 60, remaining: 29, resetSeconds: 31 });
  });

  it('is off at 0, with no state to report', () => {
    const buckets = createTokenBuckets({ perMinute: 0 });
    for (let i = 0; i < 1000; i++) expect(buckets.take('a')).toEqual({ allowed: true, state: null });
  });

  it('forgets refilled buckets instead of growing without bound', () => {
    let now = 0;
    const buckets = createTokenBuckets({ perMinute: 60, now: () => now, maxKeys: 100 });
    for (let i = 0; i < 100; i++) buckets.take(`caller-${i}`);
    now += 60_000;
    buckets.take('one-more');
    expect(buckets.size).toBe(1);
    // Even when every bucket is active, the map stays bounded.
    for (let i = 0; i < 1_000; i++) buckets.take(`busy-${i}`);
    expect(buckets.size).toBeLessThanOrEqual(100);
  });
});
