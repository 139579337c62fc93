import type { CombinedError } from '@urql/core';

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
  code: string | null;
  path: readonly (string | number)[] | null;
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
 * }
 */
export class BillingClientError extends Error {
  readonly kind: BillingClientErrorKind;
  readonly operation: string;
  readonly status: number | null;
  readonly graphQLErrors: readonly BillingGraphQLError[];

  constructor(
    kind: BillingClientErrorKind,
    message: string,
    operation: string,
    details: { status?: number | null; graphQLErrors?: readonly BillingGraphQLError[]; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'BillingClientError';
    this.kind = kind;
    this.operation = operation;
    this.status = details.status ?? null;
    this.graphQLErrors = details.graphQLErrors ?? [];
  }

  /**
   * Whether repeating the same request could succeed: lost connections and 502/503/504.
   *
   * @example
   * if (error.retryable) showRetryButton();
   */
  get retryable(): boolean {
    return (
      this.kind === 'network' || (this.kind === 'http' && this.status !== null && [502, 503, 504].includes(this.status))
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
    const response = error.response as { status?: number } | undefined;
    const status = typeof response?.status === 'number' ? response.status : null;
    const graphQLErrors = error.graphQLErrors.map((e) => ({
      message: e.message,
      code: typeof e.extensions?.code === 'string' ? e.extensions.code : null,
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
          cause: error,
        },
      );
    }
    if (status !== null && status >= 400) {
      return new BillingClientError('http', `${operation}: HTTP ${status}`, operation, { status, cause: error });
    }
    return new BillingClientError(
      'network',
      `${operation}: ${error.networkError?.message ?? error.message}`,
      operation,
      { cause: error },
    );
  }
}
