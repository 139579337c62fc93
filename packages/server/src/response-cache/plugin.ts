// Yoga's response cache, made safe for billing data:
// - Per principal, and only for callers whose sign-in succeeded on this very request: the key is
//   computed after authentication (a revoked key or an expired token is refused, never answered
//   from the cache), and anonymous callers, failed sign-ins and conditional requests
//   (If-None-Match) skip the cache entirely.
// - Never stale: the key also holds the caller's grants (a role change is a new key), the UTC date
//   by the billing clock (DUE becomes PAST_DUE at midnight with no write: the day is in the key),
//   and the generation of every account the caller has a grant on (see generations.ts), which
//   every billing event raises.
// - Only queries are cached; a mutation's response waits until its events' raises have landed.
// - Answers with fields that change without any write (signed download links, a key's last use)
//   are not cached at all.
import { createHash, randomUUID } from 'node:crypto';
import { type Cache, createInMemoryCache, useResponseCache } from '@graphql-yoga/plugin-response-cache';
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { type BillingServices, isoDate, principalId } from '@billing/schema/billing';
import type { Authenticator } from '../auth.js';
import { accessForRequest } from '../context.js';
import type { CacheGenerations } from './generations.js';

export interface BillingResponseCacheOptions {
  services: BillingServices;
  authenticator: Authenticator;
  generations: CacheGenerations;
  /**
   * How long an answer may be kept, in milliseconds; it is never served once a change or the UTC
   * day has moved its key on, so this only bounds memory.
   * @example ttlMs: 60_000
   */
  ttlMs: number;
  /** Answers kept at most. @default 10_000 */
  maxEntries?: number;
}

type CachedResult = Parameters<Cache['set']>[1];

/**
 * Each answer is serialized once, when it is first served from the cache, not on every hit: Yoga
 * writes a result with its own `stringify` through that function. Only for what a cached answer
 * is (data, no errors, no extensions but Yoga's own `http` headers, which Yoga strips before
 * stringifying); anything else goes through JSON.stringify as before, so the text is the same.
 */
function servedAsStoredText(cache: Cache): Cache {
  const texts = new WeakMap<object, string>();
  const stringify = (result: CachedResult): string => {
    const plain = !result.errors && (!result.extensions || Object.keys(result.extensions).length === 0) && result.data;
    if (!plain) return JSON.stringify(result);
    let text = texts.get(result.data!);
    if (text === undefined) {
      text = JSON.stringify(result);
      texts.set(result.data!, text);
    }
    return text;
  };
  return {
    get: (id) => cache.get(id),
    set: (id, result, entities, ttl) => cache.set(id, Object.assign({ ...result }, { stringify }), entities, ttl),
    invalidate: (entities) => cache.invalidate(entities),
  };
}

export function useBillingResponseCache(options: BillingResponseCacheOptions): Plugin {
  const { services, authenticator, generations } = options;
  const cacheable = new WeakSet<Request>();
  const sessionOf = async (request: Request): Promise<string | null> => {
    let access: Awaited<ReturnType<typeof accessForRequest>>;
    try {
      access = await accessForRequest(services, authenticator, request);
    } catch {
      return null; // the context reports the failed sign-in; nothing is cached or served
    }
    if (!access.principal) return null;
    const accounts = access.grantedAccountIds();
    let current: readonly number[];
    try {
      current = await generations.read(accounts);
    } catch {
      return null; // the generations are unknown: serve this one uncached
    }
    cacheable.add(request);
    const stamps = accounts.map((id, i) => `${id}:${current[i]}`).join(',');
    return `${principalId(access.principal)}|${isoDate(services.clock.now())}|${access.grantsSignature()}|${stamps}`;
  };
  const responseCache = useResponseCache({
    session: sessionOf,
    // Called before `session` for If-None-Match requests, and after it for all others.
    enabled: (request) => cacheable.has(request),
    ttl: options.ttlMs,
    // Answers holding these are never cached: they change with no write (a download link is signed
    // for a few minutes from now; a key's last use is stamped by every request made with it; webhook
    // deliveries move on in the delivery worker, and endpoint changes raise no billing event).
    ttlPerSchemaCoordinate: {
      'Invoice.documents': 0,
      'ApiKey.lastUsedAt': 0,
      WebhookEndpoint: 0,
      WebhookDelivery: 0,
    },
    // Keys move on instead: see generations.ts.
    invalidateViaMutation: false,
    // The default key's parts, hashed synchronously: the default hashes through WebCrypto, an
    // asynchronous thread-pool job that cost a cache hit more than its lookup. (Variables in another
    // key order make another key: a miss, never a wrong answer.)
    buildResponseCacheKey: ({ documentString, operationName, variableValues, sessionId, request }) => {
      let variables: string;
      try {
        variables = JSON.stringify(variableValues ?? {});
      } catch {
        // Too deeply nested to write out (a hostile variable): served uncached, under a key no one shares.
        cacheable.delete(request);
        return `uncacheable:${randomUUID()}`;
      }
      return createHash('sha256')
        .update([documentString, operationName ?? '', variables, sessionId ?? ''].join('|'))
        .digest('hex');
    },
    // In this process: a key that moved on is a miss on every instance alike (see generations.ts).
    cache: servedAsStoredText(createInMemoryCache({ max: options.maxEntries ?? 10_000 })),
  });
  const waitForRaises: Plugin = {
    onExecute({ args }) {
      const mutation = getOperationAST(args.document, args.operationName)?.operation === 'mutation';
      if (!mutation) return;
      return { onExecuteDone: () => generations.settled() };
    },
  };
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(responseCache);
      addPlugin(waitForRaises);
    },
  };
}
