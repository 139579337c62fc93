// The Redis token bucket on a real Redis, under a random key prefix: the same answers as the
// in-process bucket (burst of a minute's worth, then Retry-After), atomic under concurrency, and
// every key expiring once it would be full again.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithService, probeRedis } from '../../test/services-available.js';
import { createRedisTokenBuckets } from './redis-token-bucket.js';
import { createTokenBuckets } from './token-bucket.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describeWithService(await probeRedis(REDIS_URL), 'Redis token buckets', () => {
  const prefix = `test-${randomUUID()}:`;
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('allows a burst of perMinute, then refuses with the same Retry-After as the in-process bucket', async () => {
    const shared = createRedisTokenBuckets({ redis, keyPrefix: prefix, perMinute: 2 });
    const local = createTokenBuckets({ perMinute: 2, now: () => 0 });
    // The state the RateLimit header fields report comes back from Redis as from the in-process bucket.
    expect(await shared.take('a')).toEqual(local.take('a'));
    expect(await shared.take('a')).toEqual(local.take('a'));
    const refused = await shared.take('a');
    expect(refused.allowed).toBe(false);
    // 2 per minute: one token every 30 s; the Redis clock moved a few ms, so 30 either way.
    expect(refused).toEqual(local.take('a'));
    expect(refused.state).toEqual({ quota: 2, remaining: 0, resetSeconds: 60 });
    expect(await shared.take('b')).toEqual({ allowed: true, state: { quota: 2, remaining: 1, resetSeconds: 30 } });
  });

  it('is atomic: 100 concurrent takes on a bucket of 25 allow exactly 25', async () => {
    const shared = createRedisTokenBuckets({ redis, keyPrefix: prefix, perMinute: 25 });
    const results = await Promise.all(Array.from({ length: 100 }, () => shared.take('burst')));
    expect(results.filter((r) => r.allowed)).toHaveLength(25);
  });

  it('each key expires when it would be full again, so idle callers cost nothing', async () => {
    const shared = createRedisTokenBuckets({ redis, keyPrefix: prefix, perMinute: 60 });
    await shared.take('idle');
    const ttl = await redis.pttl(`${prefix}idle`);
    // One token used at 1 per second: full again in 1 s, plus the script's 1 s margin.
    expect(ttl).toBeGreaterThan(1_000);
    expect(ttl).toBeLessThanOrEqual(2_000);
  });

  it('perMinute 0 turns the limit off without touching Redis', async () => {
    const shared = createRedisTokenBuckets({ redis, keyPrefix: prefix, perMinute: 0 });
    expect(await shared.take('off')).toEqual({ allowed: true, state: null });
    expect(await redis.exists(`${prefix}off`)).toBe(0);
  });

  it('rejects when Redis cannot answer (the rate limit then fails open)', async () => {
    const dead = new Redis('redis://127.0.0.1:1', {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    dead.on('error', () => {});
    const shared = createRedisTokenBuckets({ redis: dead, keyPrefix: prefix, perMinute: 5 });
    await expect(shared.take('x')).rejects.toThrow();
    dead.disconnect();
  });
});
