// The SDK's cross-cutting behaviour as urql exchanges, so that every operation through the client gets it:
// the SDK's own functions and anything sent through `client.urql` (urql's React bindings included).
import { persistedExchange } from '@urql/exchange-persisted';
import { retryExchange } from '@urql/exchange-retry';
import { makeOperation, type CombinedError, type Exchange, type Operation, type OperationResult } from '@urql/core';
import { getOperationAST, type DocumentNode } from 'graphql';
import { delay, filter, fromValue, makeSubject, merge, mergeMap, pipe, takeUntil } from 'wonka';
import { BillingClientError } from '../errors.js';

/**
 * How operations that are safe to repeat (queries, and `PayInvoice` with its unchanged idempotency key)
 * retry network failures and HTTP 502/503/504, and wait out a rate limit (429) before asking again.
 *
 * @example
 * createBillingClient({ url, token, retry: { attempts: 5, baseDelayMs: 500, rateLimitWaitMs: 30_000 } });
 */
export interface RetryOptions {
  /**
   * Attempts in all, the first included, for each kind of retry. Default 3; 1 turns retries off.
   *
   * @example
   * { attempts: 1 } // never retry
   */
  attempts?: number;
  /**
   * The longest one call waits in all for a rate limit (429 `RATE_LIMITED`) to refill, in milliseconds. The SDK
   * waits the `Retry-After` the gateway sends, then repeats the operation (queries, and `PayInvoice` with the
   * same idempotency key, so it never charges twice); a wait that would go past this bound is not made, and the
   * call fails at once with a `BillingClientError` whose `retryAfterSeconds` says how long to wait. Default
   * 10_000; 0 never waits.
   *
   * @example
   * { rateLimitWaitMs: 0 } // fail fast, and schedule the retry yourself from error.retryAfterSeconds
   */
  rateLimitWaitMs?: number;
  /**
   * Delay before the first retry, in milliseconds; each further one waits about twice as long, with jitter.
   * Default 200.
   *
   * @example
   * { baseDelayMs: 1_000 }
   */
  baseDelayMs?: number;
}

/**
 * Whether repeating the same request at once could succeed: the rule of `BillingClientError.retryable`, but a
 * 429, which must wait its Retry-After first (`rateLimitExchange`).
 */
export function isTransient(error: CombinedError): boolean {
  const classified = BillingClientError.from(error, '');
  return classified.retryable && classified.status !== 429;
}

/** How long a rate-limited result asks to wait (ms), or null when it is not a 429 that says so. */
function rateLimitWaitMs(error: CombinedError | undefined): number | null {
  if (!error) return null;
  const classified = BillingClientError.from(error, '');
  return classified.status === 429 && classified.retryAfterSeconds !== null
    ? classified.retryAfterSeconds * 1000
    : null;
}

interface RateLimitRetry {
  count: number;
  waitedMs: number;
  nextWaitMs: number;
}

/**
 * Repeats an operation that may be repeated (`mayRetry`) after a 429, once its `Retry-After` has passed, at most
 * `attempts - 1` times and for `maxWaitMs` in all. Otherwise the 429 result goes on, to be thrown by the caller.
 * A teardown (or the same query sent again) while waiting cancels the retry.
 */
export function rateLimitExchange(options: { attempts: number; maxWaitMs: number }): Exchange {
  return ({ forward }) =>
    (operations$) => {
      const { source: retries$, next: retry } = makeSubject<Operation>();
      const waited$ = pipe(
        retries$,
        mergeMap((operation) => {
          const cancelled$ = pipe(
            operations$,
            filter((op) => (op.kind === 'teardown' || op.kind === 'query') && op.key === operation.key),
          );
          const { nextWaitMs } = operation.context.rateLimitRetry as RateLimitRetry;
          return pipe(fromValue(operation), delay(nextWaitMs), takeUntil(cancelled$));
        }),
      );
      return pipe(
        merge([operations$, waited$]),
        forward,
        filter((result: OperationResult) => {
          const waitMs = rateLimitWaitMs(result.error);
          const { operation } = result;
          if (waitMs === null || !mayRetry(operation)) return true;
          const previous = (operation.context.rateLimitRetry as RateLimitRetry | undefined) ?? {
            count: 0,
            waitedMs: 0,
            nextWaitMs: 0,
          };
          if (previous.count + 1 >= options.attempts || previous.waitedMs + waitMs > options.maxWaitMs) return true;
          const rateLimitRetry: RateLimitRetry = {
            count: previous.count + 1,
            waitedMs: previous.waitedMs + waitMs,
            nextWaitMs: waitMs,
          };
          retry(makeOperation(operation.kind, operation, { ...operation.context, rateLimitRetry }));
          return false;
        }),
      );
    };
}

/**
 * Queries are safe to repeat. Of the mutations only `PayInvoice` is: a retry re-sends the same operation,
 * hence the same idempotency key, and the gateway answers it with the first attempt's outcome.
 * Other mutations and subscriptions never retry.
 */
export function mayRetry(operation: Operation): boolean {
  if (operation.kind === 'query') return true;
  return operation.kind === 'mutation' && getOperationAST(operation.query)?.name?.value === 'PayInvoice';
}

/** The sha256 hash graphql-codegen embedded in a generated document (bare hex), or null for any other document. */
export function generatedDocumentHash(document: DocumentNode): string | null {
  const hash = (document as DocumentNode & { __meta__?: { hash?: unknown } }).__meta__?.hash;
  return typeof hash === 'string' ? hash.replace(/^sha256:/, '') : null;
}

export function billingExchanges(retry: RetryOptions = {}): Exchange[] {
  const attempts = Math.max(1, retry.attempts ?? 3);
  return [
    retryExchange({
      maxNumberAttempts: attempts,
      initialDelayMs: retry.baseDelayMs ?? 200,
      retryIf: (error, operation) => isTransient(error) && mayRetry(operation),
    }),
    rateLimitExchange({ attempts, maxWaitMs: Math.max(0, retry.rateLimitWaitMs ?? 10_000) }),
    // Operations go out by hash: the gateway looks them up in its trusted-documents manifest (or its
    // automatic persisted queries store) and runs its own copy of the text. Documents that are not the
    // SDK's (an empty hash) go out as text. POST, not GET: billing answers are per caller, so there is no
    // shared HTTP cache to gain, and a GET would need the CSRF header.
    persistedExchange({
      generateHash: async (_text, document) => generatedDocumentHash(document) ?? '',
      enableForMutation: true,
      enableForSubscriptions: true,
      preferGetForPersistedQueries: false,
    }),
  ];
}
