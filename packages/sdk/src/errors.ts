import type { CombinedError } from '@urql/core';
import type { ErrorCode } from './generated/graphql.js';

/** How a call failed before any typed result came back. */
export type BillingClientErrorKind =
  /** No usable HTTP response: the gateway was unreachable, or the connection dropped. */
  | 'network'
  /** The gateway answered with an HTTP error (401 bad credentials, 429 rate limited, 5xx...). */
  | 'http'
  /** The request was executed (or validated) and returned GraphQL errors. */
  | 'graphql';

export interface BillingGraphQLError {
  message: string;
  /**
   * `extensions.code`: what went wrong and what to do, one of the schema's `ErrorCode` values (each documented).
   * A gateway newer than this SDK may send a value it does not list yet: treat an unknown one as `INTERNAL_SERVER_ERROR`.
   *
   * @example
   * if (error.graphQLErrors.some((e) => e.code === 'UNAUTHENTICATED')) signInAgain();
   */
  code: ErrorCode | null;
  path: readonly (string | number)[] | null;
}

/** Seconds to wait: the RATE_LIMITED error's `retryAfterSeconds`, else a `Retry-After` header in seconds. */
function retryAfterOf(
  graphQLErrors: CombinedError['graphQLErrors'],
  response: { headers?: { get(name: string): string | null } } | undefined,
): number | null {
  for (const error of graphQLErrors) {
    const seconds = error.extensions?.retryAfterSeconds;
    if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0) return seconds;
  }
  const header = response?.headers?.get?.('retry-after')?.trim();
  return header && /^\d+$/.test(header) ? Number(header) : null;
}

/**
 * Transport and GraphQL errors, as one class. Expected business failures (a declined card, no
 * permission) are not thrown: they come back as typed members of each mutation's result union.
 *
 * @example
 * try {
 *   await billing.checkMyAccess();
 * } catch (error) {
 *   if (error instanceof BillingClientError && error.status === 401) signInAgain();
 *   else if (error instanceof BillingClientError && error.retryAfterSeconds !== null) retryIn(error.retryAfterSeconds);
 * }
 */
export class BillingClientError extends Error {
  readonly kind: BillingClientErrorKind;
  readonly operation: string;
  readonly status: number | null;
  readonly graphQLErrors: readonly BillingGraphQLError[];
  /**
   * When the gateway said how long to wait before asking again, in seconds: on a 429 (`RATE_LIMITED`, whose
   * `retryAfterSeconds` it is, or too many open streams) and on a 503 from an instance shutting down; else null.
   * The SDK has already waited and retried queries and `PayInvoice` within `retry.rateLimitWaitMs`; this one
   * asked for longer than was left, or was not safe to repeat.
   *
   * @example
   * if (error.retryAfterSeconds !== null) setTimeout(tryAgain, error.retryAfterSeconds * 1000);
   */
  readonly retryAfterSeconds: number | null;

  constructor(
    kind: BillingClientErrorKind,
    message: string,
    operation: string,
    details: {
      status?: number | null;
      graphQLErrors?: readonly BillingGraphQLError[];
      retryAfterSeconds?: number | null;
      cause?: unknown;
    } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'BillingClientError';
    this.kind = kind;
    this.operation = operation;
    this.status = details.status ?? null;
    this.graphQLErrors = details.graphQLErrors ?? [];
    this.retryAfterSeconds = details.retryAfterSeconds ?? null;
  }

  /**
   * Whether repeating the same request could succeed: lost connections, 502/503/504, and a 429 once
   * `retryAfterSeconds` have passed.
   *
   * @example
   * if (error.retryable) showRetryButton();
   */
  get retryable(): boolean {
    return (
      this.kind === 'network' ||
      (this.kind === 'http' && this.status !== null && [429, 502, 503, 504].includes(this.status))
    );
  }

  /**
   * The data of an urql result, or the result's failure thrown as a `BillingClientError`: what the SDK's own
   * functions do, for results of urql's hooks and `client.urql`.
   *
   * @example
   * const [, payInvoice] = useMutation(PayInvoiceDocument);
   * const result = BillingClientError.dataOf(await payInvoice({ input }), 'PayInvoice').payInvoice;
   */
  static dataOf<T>(result: { data?: T; error?: CombinedError }, operation: string): T {
    if (result.error) throw BillingClientError.from(result.error, operation);
    if (result.data === undefined) throw new BillingClientError('network', `${operation}: empty response`, operation);
    return result.data;
  }

  /**
   * Classifies an urql `CombinedError` (network, HTTP status, GraphQL errors).
   *
   * @example
   * const [{ error }] = useQuery({ query: CheckMyAccessDocument });
   * if (error && BillingClientError.from(error, 'CheckMyAccess').status === 401) signInAgain();
   */
  static from(error: CombinedError, operation: string): BillingClientError {
    const response = error.response as { status?: number; headers?: { get(name: string): string | null } } | undefined;
    const status = typeof response?.status === 'number' ? response.status : null;
    const retryAfterSeconds = retryAfterOf(error.graphQLErrors, response);
    const graphQLErrors = error.graphQLErrors.map((e) => ({
      message: e.message,
      code: typeof e.extensions?.code === 'string' ? (e.extensions.code as ErrorCode) : null,
      path: e.path ?? null,
    }));
    if (graphQLErrors.length > 0) {
      const kind = status !== null && status >= 400 && status !== 400 ? 'http' : 'graphql';
      return new BillingClientError(
        kind,
        `${operation}: ${graphQLErrors.map((e) => e.message).join('; ')}`,
        operation,
        {
          status,
          graphQLErrors,
          retryAfterSeconds,
          cause: error,
        },
      );
    }
    if (status !== null && status >= 400) {
      return new BillingClientError('http', `${operation}: HTTP ${status}`, operation, {
        status,
        retryAfterSeconds,
        cause: error,
      });
    }
    return new BillingClientError(
      'network',
      `${operation}: ${error.networkError?.message ?? error.message}`,
      operation,
      { cause: error },
    );
  }
}
