// Operations per minute: per user or API key when the caller is authenticated, per client address
// otherwise. Checked before the document is parsed, so a flood of distinct documents is refused as
// cheaply as a flood of identical ones. Each operation of a batch counts.
//
// Failed sign-ins (a wrong API key, an expired token) count against the client address like
// anonymous calls: keys and tokens cannot be guessed at full speed, and a valid principal's bucket
// cannot be drained by someone who merely claims to be it.
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { principalId, type Principal } from '@billing/schema/billing';
import { AuthenticationError, authenticateRequest, type Authenticator } from '../auth.js';
import type { GatewayConfig } from '../config.js';
import { clientAddress, type NodeServerContext } from '../request-info.js';
import { createTokenBuckets, type TokenBuckets } from './token-bucket.js';

export interface RateLimitOptions {
  limits: Pick<GatewayConfig['limits'], 'rateLimitPerMinute' | 'anonymousRateLimitPerMinute'>;
  authenticator: Authenticator;
  /**
   * Milliseconds, monotonic (tests pass a fake clock).
   * @default performance.now
   */
  now?: () => number;
}

function enforce(buckets: TokenBuckets, key: string): void {
  const result = buckets.take(key);
  if (result.allowed) return;
  throw new GraphQLError(`Too many requests. Retry in ${result.retryAfterSeconds} s.`, {
    extensions: {
      code: 'RATE_LIMITED',
      retryAfterSeconds: result.retryAfterSeconds,
      http: { status: 429, headers: { 'Retry-After': String(result.retryAfterSeconds) } },
    },
  });
}

/** Refuses operations past the per-principal / per-address rate with 429 RATE_LIMITED and Retry-After. */
export function useRateLimit(options: RateLimitOptions): Plugin<object, NodeServerContext> {
  const now = options.now ?? (() => performance.now());
  const principals = createTokenBuckets({ perMinute: options.limits.rateLimitPerMinute, now });
  const addresses = createTokenBuckets({ perMinute: options.limits.anonymousRateLimitPerMinute, now });
  return {
    async onParams({ request, context }) {
      const address = `address:${clientAddress(context)}`;
      let principal: Principal | null;
      try {
        principal = await authenticateRequest(options.authenticator, request);
      } catch (error) {
        if (!(error instanceof AuthenticationError)) throw error;
        // The GraphQL context reports the 401 itself (same memoized answer) unless this refuses first.
        enforce(addresses, address);
        return;
      }
      if (principal) enforce(principals, principalId(principal));
      else enforce(addresses, address);
    },
  };
}
