// The per-field (card-testing) limit on an in-process Yoga: a principal's calls to a listed field
// past its count get 429 RATE_LIMITED with Retry-After, other fields and principals are untouched,
// the minute slides; with Redis the history is shared by every instance and an unreachable Redis
// fails open, counted.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { pluginYoga, postTo } from '../../test/plugin-yoga.js';
import { describeWithService, probeRedis } from '../../test/services-available.js';
import { createLogger } from '../logger.js';
import { type FieldRateLimitOptions, useFieldRateLimit } from './field-rate-limit.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The caller is the `x-caller` header; none is anonymous. */
const byHeader = (context: unknown) => (context as { request: Request }).request.headers.get('x-caller');

function limitedYoga(options: Partial<FieldRateLimitOptions> = {}) {
  const yoga = pluginYoga([useFieldRateLimit({ fields: { 'Mutation.touch': 3 }, identify: byHeader, ...options })]);
  return (query: string, caller?: string) => postTo(yoga, { query }, caller ? { 'x-caller': caller } : {});
}

describe('useFieldRateLimit', () => {
  afterEach(() => vi.useRealTimers());

  it('allows a principal its count on the field, then answers 429 RATE_LIMITED with Retry-After', async () => {
    const call = limitedYoga();
    for (let i = 0; i < 3; i++) expect((await call('mutation { touch }', 'alice')).json.data).toEqual({ touch: true });
    const refused = await call('mutation { touch }', 'alice');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(refused.json.data ?? null).toBeNull();
    expect(refused.json.errors).toHaveLength(1);
    expect(refused.json.errors?.[0]).toMatchObject({
      message: 'Too many touch calls: at most 3 a minute. Retry in 60 s.',
      extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 60 },
    });
    // Another principal has a history of its own, and unlisted fields are not limited.
    expect((await call('mutation { touch }', 'bob')).status).toBe(200);
    expect((await call('{ hello }', 'alice')).json.data).toEqual({ hello: 'world' });
  });

  it('counts a field once per selection, aliases included, so aliasing cannot multiply the calls', async () => {
    const call = limitedYoga();
    const refused = await call('mutation { a: touch b: touch c: touch d: touch }', 'alice');
    expect(refused.status).toBe(429);
  });

  it('frees a call when the oldest leaves the sliding minute; refusals are not counted', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const call = limitedYoga();
    for (let i = 0; i < 3; i++) {
      await call('mutation { touch }', 'alice');
      vi.advanceTimersByTime(10_000);
    }
    expect((await call('mutation { touch }', 'alice')).status).toBe(429);
    // 60 s after the first call it leaves the window: one more is allowed, then refused again.
    vi.advanceTimersByTime(30_001);
    expect((await call('mutation { touch }', 'alice')).status).toBe(200);
    expect((await call('mutation { touch }', 'alice')).status).toBe(429);
  });

  it('does not limit anonymous calls (the schema refuses them before any card is used)', async () => {
    const call = limitedYoga();
    for (let i = 0; i < 6; i++) expect((await call('mutation { touch }')).status).toBe(200);
  });

  it('limits a Query field in queries, and leaves mutations alone', async () => {
    const call = limitedYoga({ fields: { 'Query.hello': 1 } });
    expect((await call('{ hello }', 'alice')).status).toBe(200);
    expect((await call('{ hello }', 'alice')).status).toBe(429);
    for (let i = 0; i < 3; i++) expect((await call('mutation { touch }', 'alice')).status).toBe(200);
  });

  it('a limit of 0 turns the field off', async () => {
    const call = limitedYoga({ fields: { 'Mutation.touch': 0 } });
    for (let i = 0; i < 6; i++) expect((await call('mutation { touch }', 'alice')).status).toBe(200);
  });
});

describeWithService(await probeRedis(REDIS_URL), 'useFieldRateLimit with Redis', () => {
  const keyPrefix = `test-${randomUUID()}:`;
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    const keys = await redis.keys(`*${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('shares one history between instances: 3 in total, not 3 each', async () => {
    const shared = { redis, keyPrefix, logger: createLogger({ logLevel: 'silent', mode: 'development' }) };
    const first = limitedYoga({ shared });
    const second = limitedYoga({ shared });
    const statuses: number[] = [];
    for (const call of [first, second, first, second])
      statuses.push((await call('mutation { touch }', 'carol')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    // The history expires with the window, so idle principals cost nothing.
    const [key] = await redis.keys(`*${keyPrefix}carol*`);
    expect(await redis.ttl(key!)).toBeGreaterThan(0);
  });

  it('fails open when Redis cannot answer, and counts it', async () => {
    const unreachable = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
    });
    unreachable.on('error', () => {});
    const registry = new Registry();
    const call = limitedYoga({
      shared: { redis: unreachable, keyPrefix, logger: createLogger({ logLevel: 'silent', mode: 'development' }) },
      registry,
    });
    for (let i = 0; i < 5; i++) expect((await call('mutation { touch }', 'dave')).status).toBe(200);
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/^gateway_rate_limit_fail_open_total\{limiter="field-rate-limit"\} 10$/m);
    unreachable.disconnect();
  });
});
