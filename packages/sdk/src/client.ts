// createBillingClient: one urql client, typed functions for each flow, nothing clever.
import { Client, fetchExchange, type AnyVariables, type CombinedError, type TypedDocumentNode } from '@urql/core';
import { pipe, subscribe } from 'wonka';
import {
  AccountInvoicesDocument,
  AddPaymentMethodDocument,
  ApiKeysDocument,
  BillingEventsDocument,
  CheckMyAccessDocument,
  CreateApiKeyDocument,
  InvoiceByNumberDocument,
  InvoiceDetailDocument,
  PayInvoiceDocument,
  PaymentMethodsDocument,
  ProfileInvoicesDocument,
  RemovePaymentMethodDocument,
  RevokeApiKeyDocument,
  SetDefaultPaymentMethodDocument,
  type AccountInvoicesQuery,
  type AddPaymentMethodInput,
  type AddPaymentMethodMutation,
  type ApiKeyScope,
  type ApiKeysQuery,
  type BillingEventsSubscription,
  type CheckMyAccessQuery,
  type CreateApiKeyMutation,
  type InvoiceByNumberQuery,
  type InvoiceDetailQuery,
  type InvoiceFilter,
  type InvoiceOrder,
  type InvoicePageFragment,
  type InvoiceSummaryFragment,
  type PayInvoiceMutation,
  type PaymentMethodsQuery,
  type RemovePaymentMethodMutation,
  type RevokeApiKeyMutation,
  type SetDefaultPaymentMethodMutation,
} from './generated/graphql.js';
import { BillingClientError } from './errors.js';
import { newIdempotencyKey } from './internal/idempotency-key.js';
import { endStreamQuietlyOnAbort } from './internal/quiet-abort.js';
import { withRetries, type RetryOptions } from './internal/retry.js';

export interface BillingClientOptions {
  /** The gateway's GraphQL endpoint, e.g. `http://127.0.0.1:4000/graphql`. */
  url: string;
  /** A user's bearer token, or a function that returns the current one (called per request). */
  token?: string | (() => string | null | undefined | Promise<string | null | undefined>);
  /** A partner API key (`bgk_...`). Use either this or `token`. */
  apiKey?: string;
  /** A fetch implementation (defaults to the global one): tests and custom agents. */
  fetch?: typeof fetch;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** How safe queries (and payInvoice, which is idempotent) retry network failures. */
  retry?: RetryOptions;
}

export type InvoiceScope = { accountId: string } | { profileId: string };

export interface ListInvoicesOptions {
  first?: number;
  after?: string | null;
  filter?: InvoiceFilter;
  orderBy?: InvoiceOrder;
}

/** One page of invoices, the same shape for an account's and a profile's list. */
export type InvoicePage = InvoicePageFragment;

export interface PayInvoiceArgs {
  invoiceId: string;
  paymentMethodId: string;
  /** One key per payment intent. Generated when omitted; reuse it to retry safely. */
  idempotencyKey?: string;
}

/** A live stream of billing events; iterate it with `for await`, stop it with `close()`. */
export interface BillingEventStream extends AsyncIterable<BillingEventsSubscription['billingEvents']> {
  close(): void;
}

export type BillingClient = ReturnType<typeof createBillingClient>;

export function createBillingClient(options: BillingClientOptions) {
  if (options.token && options.apiKey) throw new TypeError('Pass either `token` or `apiKey`, not both.');

  async function authHeaders(): Promise<Record<string, string>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.apiKey) headers['x-api-key'] = options.apiKey;
    const token = typeof options.token === 'function' ? await options.token() : options.token;
    if (token) headers.authorization = `Bearer ${token}`;
    return headers;
  }

  const fetchWithAuth: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    for (const [name, value] of Object.entries(await authHeaders())) headers.set(name, value);
    const response = await (options.fetch ?? globalThis.fetch)(input, { ...init, headers });
    return endStreamQuietlyOnAbort(response, init?.signal);
  };

  const urql = new Client({
    url: options.url,
    exchanges: [fetchExchange],
    fetch: fetchWithAuth,
    // Billing data must be current: no document cache, every call asks the gateway.
    requestPolicy: 'network-only',
    preferGetMethod: false,
    fetchSubscriptions: true,
  });

  function unwrap<T>(result: { data?: T; error?: CombinedError }, operation: string): T {
    if (result.error) throw BillingClientError.from(result.error, operation);
    if (result.data === undefined) throw new BillingClientError('network', `${operation}: empty response`, operation);
    return result.data;
  }

  /** Queries are safe to repeat, so a network failure is retried with backoff. */
  function query<TData, TVariables extends AnyVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables: TVariables,
    operation: string,
  ) {
    return withRetries(
      async () => unwrap(await urql.query(document, variables).toPromise(), operation),
      (error) => error instanceof BillingClientError && error.retryable,
      options.retry,
    );
  }

  /** Mutations run once: retrying a non-idempotent write could do it twice. */
  async function mutate<TData, TVariables extends AnyVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables: TVariables,
    operation: string,
  ) {
    return unwrap(await urql.mutation(document, variables).toPromise(), operation);
  }

  async function listInvoices(scope: InvoiceScope, page: ListInvoicesOptions = {}): Promise<InvoicePage | null> {
    const variables = {
      first: page.first ?? 50,
      after: page.after ?? null,
      filter: page.filter ?? null,
      orderBy: page.orderBy ?? null,
    };
    if ('accountId' in scope) {
      const data: AccountInvoicesQuery = await query(
        AccountInvoicesDocument,
        { accountId: scope.accountId, ...variables },
        'AccountInvoices',
      );
      return data.billingAccount?.invoices ?? null;
    }
    const data = await query(ProfileInvoicesDocument, { profileId: scope.profileId, ...variables }, 'ProfileInvoices');
    return data.billingProfile?.invoices ?? null;
  }

  return {
    /** The underlying urql client, e.g. for urql's React bindings. */
    urql,

    /** Who am I: accounts, role, agreement type and permissions on each. Null when anonymous. */
    async checkMyAccess(): Promise<CheckMyAccessQuery['viewer']> {
      return (await query(CheckMyAccessDocument, {}, 'CheckMyAccess')).viewer;
    },

    /** One page of invoices of an account or a profile; null if the account/profile is not visible. */
    listInvoices,

    /** Every invoice of an account or profile, fetching page by page as you iterate. */
    async *allInvoices(
      scope: InvoiceScope,
      options: Omit<ListInvoicesOptions, 'after'> = {},
    ): AsyncGenerator<InvoiceSummaryFragment> {
      let after: string | null = null;
      for (;;) {
        const page: InvoicePage | null = await listInvoices(scope, { ...options, first: options.first ?? 100, after });
        if (!page) return;
        yield* page.nodes;
        if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return;
        after = page.pageInfo.endCursor;
      }
    },

    async invoice(id: string): Promise<InvoiceDetailQuery['invoice']> {
      return (await query(InvoiceDetailDocument, { id }, 'InvoiceDetail')).invoice;
    },

    async invoiceByNumber(number: string): Promise<InvoiceByNumberQuery['invoiceByNumber']> {
      return (await query(InvoiceByNumberDocument, { number }, 'InvoiceByNumber')).invoiceByNumber;
    },

    async paymentMethods(profileId: string): Promise<PaymentMethodsQuery['billingProfile']> {
      return (await query(PaymentMethodsDocument, { profileId }, 'PaymentMethods')).billingProfile;
    },

    async addPaymentMethod(input: AddPaymentMethodInput): Promise<AddPaymentMethodMutation['addPaymentMethod']> {
      return (await mutate(AddPaymentMethodDocument, { input }, 'AddPaymentMethod')).addPaymentMethod;
    },

    async setDefaultPaymentMethod(
      paymentMethodId: string,
    ): Promise<SetDefaultPaymentMethodMutation['setDefaultPaymentMethod']> {
      return (await mutate(SetDefaultPaymentMethodDocument, { input: { paymentMethodId } }, 'SetDefaultPaymentMethod'))
        .setDefaultPaymentMethod;
    },

    async removePaymentMethod(paymentMethodId: string): Promise<RemovePaymentMethodMutation['removePaymentMethod']> {
      return (await mutate(RemovePaymentMethodDocument, { input: { paymentMethodId } }, 'RemovePaymentMethod'))
        .removePaymentMethod;
    },

    /**
     * Pays an invoice. The idempotency key (generated if not given) is reused on every retry of
     * this call, so a lost response never becomes a second charge.
     */
    async payInvoice(args: PayInvoiceArgs): Promise<PayInvoiceMutation['payInvoice']> {
      const input = { ...args, idempotencyKey: args.idempotencyKey ?? newIdempotencyKey() };
      return withRetries(
        async () => unwrap(await urql.mutation(PayInvoiceDocument, { input }).toPromise(), 'PayInvoice').payInvoice,
        (error) => error instanceof BillingClientError && error.retryable,
        options.retry,
      );
    },

    async apiKeys(accountId: string): Promise<NonNullable<ApiKeysQuery['billingAccount']>['apiKeys'] | null> {
      return (await query(ApiKeysDocument, { accountId }, 'ApiKeys')).billingAccount?.apiKeys ?? null;
    },

    async createApiKey(input: {
      billingAccountId: string;
      name: string;
      scopes: ApiKeyScope[];
    }): Promise<CreateApiKeyMutation['createApiKey']> {
      return (await mutate(CreateApiKeyDocument, { input }, 'CreateApiKey')).createApiKey;
    },

    async revokeApiKey(apiKeyId: string): Promise<RevokeApiKeyMutation['revokeApiKey']> {
      return (await mutate(RevokeApiKeyDocument, { input: { apiKeyId } }, 'RevokeApiKey')).revokeApiKey;
    },

    /** Live invoice and payment changes (server-sent events), for every readable account or one. */
    billingEvents(filter: { accountId?: string } = {}): BillingEventStream {
      const queue: BillingEventsSubscription['billingEvents'][] = [];
      type Event = BillingEventsSubscription['billingEvents'];
      const waiting: {
        resolve: (result: IteratorResult<Event>) => void;
        reject: (error: BillingClientError) => void;
      }[] = [];
      let failure: BillingClientError | null = null;
      let closed = false;
      const settle = () => {
        while (waiting.length > 0 && (queue.length > 0 || closed)) {
          const reader = waiting.shift()!;
          if (queue.length > 0) reader.resolve({ value: queue.shift()!, done: false });
          else if (failure) reader.reject(failure);
          else reader.resolve({ value: undefined, done: true });
        }
      };
      const { unsubscribe } = pipe(
        urql.subscription(BillingEventsDocument, { accountId: filter.accountId ?? null }),
        subscribe((result) => {
          if (result.error) {
            failure = BillingClientError.from(result.error, 'BillingEvents');
            closed = true;
          } else if (result.data) {
            queue.push(result.data.billingEvents);
          }
          settle();
        }),
      );
      const close = () => {
        closed = true;
        unsubscribe();
        settle();
      };
      return {
        close,
        [Symbol.asyncIterator]() {
          return {
            next: () =>
              new Promise<IteratorResult<BillingEventsSubscription['billingEvents']>>((resolve, reject) => {
                if (queue.length > 0) return resolve({ value: queue.shift()!, done: false });
                if (failure) return reject(failure);
                if (closed) return resolve({ value: undefined, done: true });
                waiting.push({ resolve, reject });
              }),
            return: async () => {
              close();
              return { value: undefined, done: true };
            },
          };
        },
      };
    },
  };
}
