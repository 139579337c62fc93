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
//
// Every response to a counted operation says where the caller stands, in the RateLimit header fields of
// draft-ietf-httpapi-ratelimit-headers-09 (https://datatracker.ietf.org/doc/draft-ietf-httpapi-ratelimit-headers/09/),
// Structured Fields lists of one item, the policy's name with its parameters:
//   RateLimit-Policy: "principal";q=600;w=60   quota q per window w (s): per user or API key, or "address"
//   RateLimit: "principal";r=599;t=1           r operations left now; the bucket is full again in t s
// A bucket refills continuously (q/w per second), so a 429 also says, in Retry-After, when the next one is
// available. With the limit off (0) or its store unreachable (failing open) there is nothing to report.
import type { Plugin } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { principalId, type Principal } from '@billing/schema/billing';
import { AuthenticationError, authenticateRequest, type Authenticator } from '../auth.js';
import type { GatewayConfig } from '../config.js';
import { gatewayError } from '../gateway-error.js';
import type { Logger } from '../logger.js';
import { clientAddress, type NodeServerContext } from '../request-info.js';
import { createFailOpen } from './fail-open.js';
import { createRedisTokenBuckets, type SharedTokenBuckets } from './redis-token-bucket.js';
import { createTokenBuckets, type BucketState, type TakeResult, type TokenBuckets } from './token-bucket.js';

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

/** The window the RateLimit-Policy field states: the buckets hold, and refill, a quota per minute. */
const WINDOW_SECONDS = 60;

/** Which bucket counted the operation: the policy's name in the RateLimit fields. */
type Policy = 'principal' | 'address';

interface Counted {
  policy: Policy;
  state: BucketState;
}

/** The RateLimit-Policy and RateLimit field values (draft-ietf-httpapi-ratelimit-headers-09). */
export function rateLimitFields({ policy, state }: Counted): { 'RateLimit-Policy': string; RateLimit: string } {
  return {
    'RateLimit-Policy': `"${policy}";q=${state.quota};w=${WINDOW_SECONDS}`,
    RateLimit: `"${policy}";r=${state.remaining};t=${state.resetSeconds}`,
  };
}

function refusal(retryAfterSeconds: number) {
  return gatewayError('RATE_LIMITED', `Too many requests. Retry in ${retryAfterSeconds} s.`, {
    extensions: { retryAfterSeconds },
    http: { status: 429, headers: { 'Retry-After': String(retryAfterSeconds) } },
  });
}

/**
 * Refuses operations past the per-principal / per-address rate with 429 RATE_LIMITED and Retry-After, and
 * states the caller's limit and what is left of it on every response (RateLimit-Policy, RateLimit).
 */
export function useRateLimit(options: RateLimitOptions): Plugin<object, NodeServerContext> {
  const now = options.now ?? (() => performance.now());
  const { shared } = options;
  const buckets = (name: string, perMinute: number): TokenBuckets | SharedTokenBuckets =>
    shared
      ? createRedisTokenBuckets({ redis: shared.redis, keyPrefix: `${shared.keyPrefix}rate-limit:${name}:`, perMinute })
      : createTokenBuckets({ perMinute, now });
  const principals = buckets('principal', options.limits.rateLimitPerMinute);
  const addresses = buckets('address', options.limits.anonymousRateLimitPerMinute);

  const failOpen = createFailOpen({
    limiter: 'rate-limit',
    ...(options.registry ? { registry: options.registry } : {}),
    ...(shared ? { logger: shared.logger } : {}),
  });

  // The latest count per request (a batch counts each operation; its response shows what is left after all).
  const counted = new WeakMap<Request, Counted>();
  const count = async (request: Request, policy: Policy, key: string) => {
    let result: TakeResult;
    try {
      result = await (policy === 'principal' ? principals : addresses).take(key);
    } catch (error) {
      failOpen(error);
      return;
    }
    if (result.state) counted.set(request, { policy, state: result.state });
    if (!result.allowed) throw refusal(result.retryAfterSeconds);
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
        await count(request, 'address', address);
        return;
      }
      if (principal) await count(request, 'principal', principalId(principal));
      else await count(request, 'address', address);
    },
    onResponse({ request, response }) {
      const seen = counted.get(request);
      if (!seen) return;
      for (const [name, value] of Object.entries(rateLimitFields(seen))) response.headers.set(name, value);
    },
  };
}
