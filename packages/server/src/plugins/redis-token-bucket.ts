// The token buckets of token-bucket.ts, kept in Redis so that every gateway instance draws from the
// same bucket: a limit of L per minute is L across the fleet, not L per instance. One Lua script per
// take (EVALSHA, which ioredis falls back to EVAL for) reads, refills, takes and writes atomically,
// on Redis's own clock, so instances with skewed clocks still agree.
//
// A bucket that would be full again is simply absent: the key expires after the time a full refill
// takes, which also bounds Redis memory by the callers active within the last minute.
import type { Redis } from 'ioredis';
import { bucketState, retryAfterSeconds, type TakeResult } from './token-bucket.js';

export interface SharedTokenBuckets {
  /** Rejects when Redis cannot answer: the caller decides how to fail (the rate limit fails open). */
  take(key: string): Promise<TakeResult>;
}

// KEYS[1] the bucket; ARGV[1] capacity (= per minute). Returns {1|0, tokens left as a string}.
// Lua numbers would be truncated to integers on the way out, hence the string.
const TAKE_SCRIPT = `
local capacity = tonumber(ARGV[1])
local refill_per_ms = capacity / 60000
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * refill_per_ms)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / refill_per_ms) + 1000)
return {allowed, tostring(tokens)}
`;

type TakeCommand = (key: string, capacity: number) => Promise<[number, string]>;

export function createRedisTokenBuckets(options: {
  redis: Redis;
  /** Every bucket key starts with this (deployment prefix and the limit's name). */
  keyPrefix: string;
  /** 0 turns the limit off. */
  perMinute: number;
}): SharedTokenBuckets {
  const { redis, keyPrefix, perMinute } = options;
  const refillPerMs = perMinute / 60_000;
  if (!('billingTakeToken' in redis)) {
    redis.defineCommand('billingTakeToken', { numberOfKeys: 1, lua: TAKE_SCRIPT });
  }
  const takeToken = (redis as unknown as { billingTakeToken: TakeCommand }).billingTakeToken.bind(redis);
  return {
    async take(key) {
      if (perMinute <= 0) return { allowed: true, state: null };
      const [allowed, left] = await takeToken(`${keyPrefix}${key}`, perMinute);
      const tokens = Number(left);
      const state = bucketState(tokens, perMinute);
      if (allowed === 1) return { allowed: true, state };
      return { allowed: false, retryAfterSeconds: retryAfterSeconds(tokens, refillPerMs), state };
    },
  };
}
