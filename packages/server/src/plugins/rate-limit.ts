// Operations per minute: per user or API key when the caller is authenticated, per client address
// otherwise. Checked before the document is parsed, so a flood of distinct documents is refused as
// cheaply as a flood of identical ones. Each operation of a batch counts.
//
// Failed sign-ins (a wrong API key, an expired token) count against the client address like
// anonymous calls: keys and tokens cannot be guessed at full speed, and a valid principal's bucket
// cannot be drained by someone who merely claims to be it.
//
// With `shared` (REDIS_URL) the buckets live in Redis and every instance draws from the same ones.
// When Redis cannot answer, the limit fails open: requests are served (the database, not Redis, is
// what keeps payments exactly once), with a warning log and `gateway_rate_limit_fail_open_total`.
import type { Plugin } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import { Counter, type Registry } from 'prom-client';
import { principalId, type Principal } from '@billing/schema/billing';
import { AuthenticationError, authenticateRequest, type Authenticator } from '../auth.js';
import type { GatewayConfig } from '../config.js';
import { gatewayError } from '../gateway-error.js';
import type { Logger } from '../logger.js';
import { clientAddress, type NodeServerContext } from '../request-info.js';
import { createRedisTokenBuckets, type SharedTokenBuckets } from './redis-token-bucket.js';
import { createTokenBuckets, type TakeResult, type TokenBuckets } from './token-bucket.js';

export interface RateLimitOptions {
  limits: Pick<GatewayConfig['limits'], 'rateLimitPerMinute' | 'anonymousRateLimitPerMinute'>;
  authenticator: Authenticator;
  /**
   * Milliseconds, monotonic (tests pass a fake clock). In-process buckets only.
   * @default performance.now
   */
  now?: () => number;
  /** Buckets shared by every instance, in Redis under `keyPrefix`. @default in this process */
  shared?: { redis: Redis; keyPrefix: string; logger: Logger };
  /** Where `gateway_rate_limit_fail_open_total` is registered. @default nowhere */
  registry?: Registry;
}

/** While Redis fails, one warning per this many milliseconds (every request would repeat it). */
const FAIL_OPEN_WARNING_INTERVAL_MS = 10_000;

async function enforce(buckets: TokenBuckets | SharedTokenBuckets, key: string, failOpen: (error: unknown) => void) {
  let result: TakeResult;
  try {
    result = await buckets.take(key);
  } catch (error) {
    failOpen(error);
    return;
  }
  if (result.allowed) return;
  throw gatewayError('RATE_LIMITED', `Too many requests. Retry in ${result.retryAfterSeconds} s.`, {
    extensions: { retryAfterSeconds: result.retryAfterSeconds },
    http: { status: 429, headers: { 'Retry-After': String(result.retryAfterSeconds) } },
  });
}

/** Refuses operations past the per-principal / per-address rate with 429 RATE_LIMITED and Retry-After. */
export function useRateLimit(options: RateLimitOptions): Plugin<object, NodeServerContext> {
  const now = options.now ?? (() => performance.now());
  const { shared } = options;
  const buckets = (name: string, perMinute: number): TokenBuckets | SharedTokenBuckets =>
    shared
      ? createRedisTokenBuckets({ redis: shared.redis, keyPrefix: `${shared.keyPrefix}rate-limit:${name}:`, perMinute })
      : createTokenBuckets({ perMinute, now });
  const principals = buckets('principal', options.limits.rateLimitPerMinute);
  const addresses = buckets('address', options.limits.anonymousRateLimitPerMinute);

  const failedOpen = new Counter({
    name: 'gateway_rate_limit_fail_open_total',
    help: 'Requests let through unlimited because the shared rate-limit store (Redis) could not answer.',
    registers: options.registry ? [options.registry] : [],
  });
  let lastWarning = -Infinity;
  const failOpen = (error: unknown) => {
    failedOpen.inc();
    if (performance.now() - lastWarning < FAIL_OPEN_WARNING_INTERVAL_MS) return;
    lastWarning = performance.now();
    shared?.logger.warn(
      { component: 'rate-limit', err: { message: error instanceof Error ? error.message : String(error) } },
      'rate limit store unreachable: failing open',
    );
  };

  return {
    async onParams({ request, context }) {
      const address = `address:${clientAddress(context)}`;
      let principal: Principal | null;
      try {
        principal = await authenticateRequest(options.authenticator, request);
      } catch (error) {
        if (!(error instanceof AuthenticationError)) throw error;
        // The GraphQL context reports the 401 itself (same memoized answer) unless this refuses first.
        await enforce(addresses, address, failOpen);
        return;
      }
      if (principal) await enforce(principals, principalId(principal), failOpen);
      else await enforce(addresses, address, failOpen);
    },
  };
}
