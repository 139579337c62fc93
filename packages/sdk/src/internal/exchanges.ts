// The SDK's cross-cutting behaviour as urql exchanges, so that every operation through the client gets it:
// the SDK's own functions and anything sent through `client.urql` (urql's React bindings included).
import { persistedExchange } from '@urql/exchange-persisted';
import { retryExchange } from '@urql/exchange-retry';
import type { CombinedError, Exchange, Operation } from '@urql/core';
import { getOperationAST, type DocumentNode } from 'graphql';
import { BillingClientError } from '../errors.js';

/**
 * How operations that are safe to repeat (queries, and `PayInvoice` with its unchanged idempotency key)
 * retry network failures and HTTP 502/503/504.
 *
 * @example
 * createBillingClient({ url, token, retry: { attempts: 5, baseDelayMs: 500 } });
 */
export interface RetryOptions {
  /**
   * Attempts in all, the first included. Default 3; 1 turns retries off.
   *
   * @example
   * { attempts: 1 } // never retry
   */
  attempts?: number;
  /**
   * Delay before the first retry, in milliseconds; each further one waits about twice as long, with jitter.
   * Default 200.
   *
   * @example
   * { baseDelayMs: 1_000 }
   */
  baseDelayMs?: number;
}

/** Whether repeating the same request could succeed: the same rule as `BillingClientError.retryable`. */
export function isTransient(error: CombinedError): boolean {
  return BillingClientError.from(error, '').retryable;
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
  return [
    retryExchange({
      maxNumberAttempts: Math.max(1, retry.attempts ?? 3),
      initialDelayMs: retry.baseDelayMs ?? 200,
      retryIf: (error, operation) => isTransient(error) && mayRetry(operation),
    }),
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
