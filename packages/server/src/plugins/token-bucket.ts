// An in-memory token bucket per key: `perMinute` tokens refill evenly over a minute, and a quiet
// caller may burst up to a minute's worth. One process only: several gateway replicas each allow
// the full rate; with REDIS_URL the same buckets live in Redis instead (redis-token-bucket.ts).

/** A bucket just after a take: what the RateLimit header fields report (rate-limit.ts). */
export interface BucketState {
  /** The bucket's size: operations per minute. */
  quota: number;
  /** Whole operations the caller may make right now. */
  remaining: number;
  /** Seconds until the bucket is full again (0 when it is). */
  resetSeconds: number;
}

/** `state` is null only when the limit is off. */
export type TakeResult =
  | { allowed: true; state: BucketState | null }
  | { allowed: false; retryAfterSeconds: number; state: BucketState };

export interface TokenBuckets {
  take(key: string): TakeResult;
  readonly size: number;
}

/** Whole seconds until a bucket holding `tokens` (< 1) has one again; at least 1. */
export function retryAfterSeconds(tokens: number, refillPerMs: number): number {
  return Math.max(1, Math.ceil((1 - tokens) / refillPerMs / 1000));
}

/** The state of a bucket of `perMinute` tokens holding `tokens` (both stores answer with this). */
export function bucketState(tokens: number, perMinute: number): BucketState {
  const refillPerMs = perMinute / 60_000;
  return {
    quota: perMinute,
    remaining: Math.floor(tokens),
    resetSeconds: Math.max(0, Math.ceil((perMinute - tokens) / refillPerMs / 1000)),
  };
}

export interface TokenBucketOptions {
  /** 0 turns the limit off. */
  perMinute: number;
  /**
   * Milliseconds, monotonic.
   * @default performance.now
   */
  now?: () => number;
  /**
   * The most keys kept (memory bound).
   * @default 50_000
   */
  maxKeys?: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export function createTokenBuckets(options: TokenBucketOptions): TokenBuckets {
  const { perMinute, now = () => performance.now(), maxKeys = 50_000 } = options;
  const refillPerMs = perMinute / 60_000;
  const buckets = new Map<string, Bucket>();

  function refill(bucket: Bucket, at: number): void {
    bucket.tokens = Math.min(perMinute, bucket.tokens + (at - bucket.updatedAt) * refillPerMs);
    bucket.updatedAt = at;
  }

  // Makes room for new keys: forgets buckets that have refilled completely (they hold no state),
  // then, if every caller is active, the oldest. Down to 90% so the sweep is not repeated per new key.
  function makeRoom(at: number): void {
    const target = Math.floor(maxKeys * 0.9);
    for (const [key, bucket] of buckets) {
      refill(bucket, at);
      if (bucket.tokens >= perMinute) buckets.delete(key);
    }
    for (const key of buckets.keys()) {
      if (buckets.size <= target) break;
      buckets.delete(key);
    }
  }

  return {
    get size() {
      return buckets.size;
    },
    take(key) {
      if (perMinute <= 0) return { allowed: true, state: null };
      const at = now();
      let bucket = buckets.get(key);
      if (!bucket) {
        if (buckets.size >= maxKeys) makeRoom(at);
        bucket = { tokens: perMinute, updatedAt: at };
        buckets.set(key, bucket);
      } else {
        refill(bucket, at);
      }
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { allowed: true, state: bucketState(bucket.tokens, perMinute) };
      }
      return {
        allowed: false,
        retryAfterSeconds: retryAfterSeconds(bucket.tokens, refillPerMs),
        state: bucketState(bucket.tokens, perMinute),
      };
    },
  };
}
