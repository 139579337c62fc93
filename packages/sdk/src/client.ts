// createBillingClient: one urql client, typed functions for each flow, nothing clever.
import { Client, fetchExchange, type AnyVariables, type Exchange, type TypedDocumentNode } from '@urql/core';
import { makeSubject, pipe, takeUntil, takeWhile, toAsyncIterable } from 'wonka';
import {
  AccountCreditsDocument,
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
  SetAutopayDocument,
  SetDefaultPaymentMethodDocument,
  UpdatePaymentMethodDocument,
  SetDefaultPaymentTypeDocument,
  CreateWebhookEndpointDocument,
  DeleteWebhookEndpointDocument,
  RedeliverWebhookDeliveryDocument,
  ReplayWebhookEventsDocument,
  RotateWebhookEndpointSecretDocument,
  UpdateWebhookEndpointDocument,
  WebhookDeliveriesDocument,
  WebhookEndpointsDocument,
  type CreateWebhookEndpointInput,
  type CreateWebhookEndpointMutation,
  type DeleteWebhookEndpointMutation,
  type RedeliverWebhookDeliveryMutation,
  type ReplayWebhookEventsInput,
  type ReplayWebhookEventsMutation,
  type RotateWebhookEndpointSecretMutation,
  type UpdateWebhookEndpointInput,
  type UpdateWebhookEndpointMutation,
  type WebhookDeliveriesQuery,
  type WebhookEndpointsQuery,
  type AccountCreditsQuery,
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
  type SetAutopayMutation,
  type DefaultPaymentType,
  type SetDefaultPaymentMethodMutation,
  type UpdatePaymentMethodInput,
  type UpdatePaymentMethodMutation,
  type SetDefaultPaymentTypeMutation,
} from './generated/graphql.js';
import { BillingClientError } from './errors.js';
import { newIdempotencyKey } from './internal/idempotency-key.js';
import { endStreamQuietlyOnAbort } from './internal/quiet-abort.js';
import { billingExchanges, type RetryOptions } from './internal/exchanges.js';

/**
 * How to reach the gateway and who is calling.
 *
 * @example
 * const billing = createBillingClient({ url: 'http://127.0.0.1:4000/graphql', token: () => session.accessToken });
 */
export interface BillingClientOptions {
  /**
   * The gateway's GraphQL endpoint.
   *
   * @example
   * { url: 'http://127.0.0.1:4000/graphql' }
   */
  url: string;
  /**
   * A user's bearer token, or a function that returns the current one (called per request).
   *
   * @example
   * { token: () => sessionStorage.getItem('token') }
   */
  token?: string | (() => string | null | undefined | Promise<string | null | undefined>);
  /**
   * A partner API key (`bgk_...`). Use either this or `token`.
   *
   * @example
   * { apiKey: process.env.BILLING_API_KEY }
   */
  apiKey?: string;
  /**
   * A fetch implementation (defaults to the global one): tests and custom agents.
   *
   * @example
   * { fetch: (input, init) => fetch(input, { ...init, keepalive: true }) }
   */
  fetch?: typeof fetch;
  /**
   * Extra headers on every request.
   *
   * @example
   * { headers: { 'x-request-id': crypto.randomUUID() } }
   */
  headers?: Record<string, string>;
  /**
   * How queries (and `PayInvoice`, which is idempotent) retry network failures and 502/503/504, and how long
   * they may wait out a rate limit (429) before asking again. Other mutations and subscriptions never retry.
   *
   * @example
   * { retry: { attempts: 5, baseDelayMs: 500, rateLimitWaitMs: 30_000 } }
   */
  retry?: RetryOptions;
  /**
   * A caching exchange, placed before the SDK's retry, persisted-documents and fetch exchanges. Without one
   * (the default) every call asks the gateway. A web app that renders from a normalized cache passes
   * `@urql/exchange-graphcache`; the SDK's documents select `__typename` everywhere for it.
   *
   * @example
   * import { cacheExchange } from '@urql/exchange-graphcache';
   * createBillingClient({ url, token, cache: cacheExchange({ schema: billingSchema }) });
   */
  cache?: Exchange;
}

/**
 * Whose invoices: a billing account's (all its profiles) or one billing profile's.
 *
 * @example
 * billing.listInvoices({ accountId }); billing.listInvoices({ profileId });
 */
export type InvoiceScope = { accountId: string } | { profileId: string };

/**
 * One page of a forward-paged invoice list.
 *
 * @example
 * billing.listInvoices({ accountId }, { first: 20, filter: { statuses: ['PAST_DUE'] }, orderBy: { field: 'DUE_DATE', direction: 'ASC' } });
 */
export interface ListInvoicesOptions {
  /**
   * Page size. Default 50 (`listInvoices`), 100 (`allInvoices`).
   *
   * @example
   * { first: 10 }
   */
  first?: number;
  /**
   * The previous page's `pageInfo.endCursor`; null or absent for the first page.
   *
   * @example
   * { after: page.pageInfo.endCursor }
   */
  after?: string | null;
  /**
   * Which invoices.
   *
   * @example
   * { filter: { statuses: ['DUE', 'PAST_DUE'] } }
   */
  filter?: InvoiceFilter;
  /**
   * Sort order (the gateway's default when absent).
   *
   * @example
   * { orderBy: { field: 'DUE_DATE', direction: 'ASC' } }
   */
  orderBy?: InvoiceOrder;
}

/** One page of invoices, the same shape for an account's and a profile's list. */
export type InvoicePage = InvoicePageFragment;

/**
 * What to pay, with what.
 *
 * @example
 * billing.payInvoice({ invoiceId: invoice.id, paymentMethodId: card.id, idempotencyKey: intentKey });
 */
export interface PayInvoiceArgs {
  /**
   * The invoice's global ID.
   *
   * @example
   * { invoiceId: invoice.id }
   */
  invoiceId: string;
  /**
   * A saved card of the invoice's billing profile.
   *
   * @example
   * { paymentMethodId: profile.paymentMethods[0].id }
   */
  paymentMethodId: string;
  /**
   * One key per payment intent. Generated when omitted; pass the same one again to retry safely after a
   * lost answer.
   *
   * @example
   * { idempotencyKey: crypto.randomUUID() }
   */
  idempotencyKey?: string;
}

/**
 * A live stream of billing events, open from the moment `billingEvents()` returns; iterate it with
 * `for await`, stop it with `close()` (or by leaving the loop).
 *
 * @example
 * const events = billing.billingEvents({ accountId });
 * for await (const event of events) if (event.invoice.status === 'PAID') events.close();
 */
export interface BillingEventStream extends AsyncIterable<BillingEventsSubscription['billingEvents']> {
  /**
   * Ends the stream: a pending `for await` finishes, and the connection closes.
   *
   * @example
   * setTimeout(() => events.close(), 60_000);
   */
  close(): void;
}

/** What `createBillingClient` returns: the typed functions and the underlying urql client. */
export type BillingClient = ReturnType<typeof createBillingClient>;

/**
 * One urql client with the SDK's exchanges (retries, persisted documents) and typed functions for each flow.
 *
 * @example
 * const billing = createBillingClient({ url: 'http://127.0.0.1:4000/graphql', token });
 * const viewer = await billing.checkMyAccess();
 */
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
    exchanges: [...(options.cache ? [options.cache] : []), ...billingExchanges(options.retry), fetchExchange],
    fetch: fetchWithAuth,
    // Billing data must be current: every call asks the gateway (a cache exchange still stores the answer).
    requestPolicy: 'network-only',
    preferGetMethod: false,
    fetchSubscriptions: true,
  });

  async function query<TData, TVariables extends AnyVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables: TVariables,
    operation: string,
  ) {
    return BillingClientError.dataOf(await urql.query(document, variables).toPromise(), operation);
  }

  async function mutate<TData, TVariables extends AnyVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables: TVariables,
    operation: string,
  ) {
    return BillingClientError.dataOf(await urql.mutation(document, variables).toPromise(), operation);
  }

  /**
   * One page of invoices of an account or a profile; null if the account/profile is not visible.
   *
   * @example
   * const page = await billing.listInvoices({ profileId }, { first: 20, after: previous.pageInfo.endCursor });
   */
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
    /**
     * The underlying urql client, with the SDK's exchanges: for urql's React bindings and other urql APIs.
     *
     * @example
     * <Provider value={billing.urql}><App /></Provider>
     */
    urql,

    /**
     * Who am I: accounts, role, agreement type and permissions on each. Null when anonymous.
     *
     * @example
     * const viewer = await billing.checkMyAccess();
     * const admin = viewer?.billingAccounts.filter((a) => a.viewerIsAdmin);
     */
    async checkMyAccess(): Promise<CheckMyAccessQuery['viewer']> {
      return (await query(CheckMyAccessDocument, {}, 'CheckMyAccess')).viewer;
    },

    listInvoices,

    /**
     * Every invoice of an account or profile, fetching page by page as you iterate.
     *
     * @example
     * for await (const invoice of billing.allInvoices({ accountId }, { filter: { statuses: ['DUE'] } })) {
     *   console.log(invoice.number);
     * }
     */
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

    /**
     * One invoice with its line items and payments; null if it does not exist or is not visible.
     *
     * @example
     * const invoice = await billing.invoice(invoiceId);
     */
    async invoice(id: string): Promise<InvoiceDetailQuery['invoice']> {
      return (await query(InvoiceDetailDocument, { id }, 'InvoiceDetail')).invoice;
    },

    /**
     * One invoice by its number, as printed on it; null if there is none the caller may see.
     *
     * @example
     * const invoice = await billing.invoiceByNumber('G000000003');
     */
    async invoiceByNumber(number: string): Promise<InvoiceByNumberQuery['invoiceByNumber']> {
      return (await query(InvoiceByNumberDocument, { number }, 'InvoiceByNumber')).invoiceByNumber;
    },

    /**
     * A billing profile's saved cards (default first) and the caller's permissions on it.
     *
     * @example
     * const cards = (await billing.paymentMethods(profileId))?.paymentMethods ?? [];
     */
    async paymentMethods(profileId: string): Promise<PaymentMethodsQuery['billingProfile']> {
      return (await query(PaymentMethodsDocument, { profileId }, 'PaymentMethods')).billingProfile;
    },

    /**
     * Saves a card on a billing profile (the processor tokenizes it; the gateway keeps no number or CVC).
     *
     * @example
     * const added = await billing.addPaymentMethod({ billingProfileId, cardNumber, expMonth: 12, expYear: 2030, cvc, holderName });
     * if (added.__typename === 'ValidationError') showError(added.field, added.message);
     */
    async addPaymentMethod(input: AddPaymentMethodInput): Promise<AddPaymentMethodMutation['addPaymentMethod']> {
      return (await mutate(AddPaymentMethodDocument, { input }, 'AddPaymentMethod')).addPaymentMethod;
    },

    /**
     * Updates a saved card's expiry or holder name (a renewed card keeps its number); omitted fields stay.
     *
     * @example
     * const updated = await billing.updatePaymentMethod({ paymentMethodId: card.id, expMonth: 8, expYear: 2031 });
     * if (updated.__typename === 'ValidationError') showError(updated.field, updated.message);
     */
    async updatePaymentMethod(
      input: UpdatePaymentMethodInput,
    ): Promise<UpdatePaymentMethodMutation['updatePaymentMethod']> {
      return (await mutate(UpdatePaymentMethodDocument, { input }, 'UpdatePaymentMethod')).updatePaymentMethod;
    },

    /**
     * Makes a saved card its profile's default.
     *
     * @example
     * await billing.setDefaultPaymentMethod(card.id);
     */
    async setDefaultPaymentMethod(
      paymentMethodId: string,
    ): Promise<SetDefaultPaymentMethodMutation['setDefaultPaymentMethod']> {
      return (await mutate(SetDefaultPaymentMethodDocument, { input: { paymentMethodId } }, 'SetDefaultPaymentMethod'))
        .setDefaultPaymentMethod;
    },

    /**
     * Removes a saved card from its profile. The default card is refused (`PaymentMethodNotRemovableError`)
     * while the profile has other cards: make another one the default first.
     *
     * @example
     * const removed = await billing.removePaymentMethod(card.id);
     */
    async removePaymentMethod(paymentMethodId: string): Promise<RemovePaymentMethodMutation['removePaymentMethod']> {
      return (await mutate(RemovePaymentMethodDocument, { input: { paymentMethodId } }, 'RemovePaymentMethod'))
        .removePaymentMethod;
    },

    /**
     * Turns a profile's autopay on or off (the billing account admin): each closed period's invoice is then
     * charged to the default card, and retried on a decline.
     *
     * @example
     * const result = await billing.setAutopay(profileId, false);
     */
    async setAutopay(billingProfileId: string, enabled: boolean): Promise<SetAutopayMutation['setAutopay']> {
      return (await mutate(SetAutopayDocument, { input: { billingProfileId, enabled } }, 'SetAutopay')).setAutopay;
    },

    /**
     * Makes wire transfer (or the default card) how a profile pays. Wire-transfer invoices carry
     * `paymentInstructions` and are never charged automatically.
     *
     * @example
     * await billing.setDefaultPaymentType(profileId, 'WIRE_TRANSFER');
     */
    async setDefaultPaymentType(
      billingProfileId: string,
      type: DefaultPaymentType,
    ): Promise<SetDefaultPaymentTypeMutation['setDefaultPaymentType']> {
      return (
        await mutate(SetDefaultPaymentTypeDocument, { input: { billingProfileId, type } }, 'SetDefaultPaymentType')
      ).setDefaultPaymentType;
    },

    /**
     * Pays an invoice. The idempotency key (generated if not given) goes with every retry of this call, so a
     * lost response never becomes a second charge.
     *
     * @example
     * const result = await billing.payInvoice({ invoiceId, paymentMethodId });
     * if (result.__typename === 'CardDeclinedError') console.log(result.declineCode);
     */
    async payInvoice(args: PayInvoiceArgs): Promise<PayInvoiceMutation['payInvoice']> {
      const input = { ...args, idempotencyKey: args.idempotencyKey ?? newIdempotencyKey() };
      return (await mutate(PayInvoiceDocument, { input }, 'PayInvoice')).payInvoice;
    },

    /**
     * A billing account's API keys (never their secrets); null if the account is not visible.
     *
     * @example
     * const keys = await billing.apiKeys(accountId);
     */
    async apiKeys(accountId: string): Promise<NonNullable<ApiKeysQuery['billingAccount']>['apiKeys'] | null> {
      return (await query(ApiKeysDocument, { accountId }, 'ApiKeys')).billingAccount?.apiKeys ?? null;
    },

    /**
     * The account's credit balances and what each paid towards (empty unless the viewer reads the whole
     * account); null when the account is not visible.
     *
     * @example
     * const credits = await billing.credits(accountId);
     */
    async credits(accountId: string): Promise<NonNullable<AccountCreditsQuery['billingAccount']>['credits'] | null> {
      return (await query(AccountCreditsDocument, { accountId }, 'AccountCredits')).billingAccount?.credits ?? null;
    },

    /**
     * Creates a partner API key; its secret is in this answer only.
     *
     * @example
     * const created = await billing.createApiKey({ billingAccountId, name: 'ERP sync', scopes: ['INVOICES_READ'] });
     * if (created.__typename === 'CreateApiKeySuccess') store(created.secret);
     */
    async createApiKey(input: {
      billingAccountId: string;
      name: string;
      scopes: ApiKeyScope[];
    }): Promise<CreateApiKeyMutation['createApiKey']> {
      return (await mutate(CreateApiKeyDocument, { input }, 'CreateApiKey')).createApiKey;
    },

    /**
     * Revokes an API key at once.
     *
     * @example
     * await billing.revokeApiKey(key.id);
     */
    async revokeApiKey(apiKeyId: string): Promise<RevokeApiKeyMutation['revokeApiKey']> {
      return (await mutate(RevokeApiKeyDocument, { input: { apiKeyId } }, 'RevokeApiKey')).revokeApiKey;
    },

    /**
     * A billing account's webhook endpoints (never their secrets); null unless the viewer may manage
     * webhooks (the billing account admin, or a key with `webhooks:manage` and `invoices:read`).
     *
     * @example
     * const endpoints = await billing.webhookEndpoints(accountId);
     */
    async webhookEndpoints(
      accountId: string,
    ): Promise<NonNullable<NonNullable<WebhookEndpointsQuery['billingAccount']>['webhookEndpoints']>['nodes'] | null> {
      const account = (await query(WebhookEndpointsDocument, { accountId }, 'WebhookEndpoints')).billingAccount;
      return account?.webhookEndpoints?.nodes ?? null;
    },

    /**
     * One page of an endpoint's deliveries, newest first, each with its event and every attempt; null when
     * the endpoint is not visible.
     *
     * @example
     * const page = await billing.webhookDeliveries(endpointId, { first: 20 });
     * for (const delivery of page?.nodes ?? []) console.log(delivery.status, delivery.attempts.length);
     */
    async webhookDeliveries(
      endpointId: string,
      page: { first?: number; after?: string } = {},
    ): Promise<NonNullable<WebhookDeliveriesQuery['webhookEndpoint']>['deliveries'] | null> {
      const variables = { endpointId, first: page.first ?? null, after: page.after ?? null };
      return (
        (await query(WebhookDeliveriesDocument, variables, 'WebhookDeliveries')).webhookEndpoint?.deliveries ?? null
      );
    },

    /**
     * Registers a webhook endpoint; its signing secret is in this answer only.
     *
     * @example
     * const created = await billing.createWebhookEndpoint({ billingAccountId, url, eventTypes: ['INVOICE_UPDATED'] });
     * if (created.__typename === 'CreateWebhookEndpointSuccess') store(created.secret);
     */
    async createWebhookEndpoint(
      input: CreateWebhookEndpointInput,
    ): Promise<CreateWebhookEndpointMutation['createWebhookEndpoint']> {
      return (await mutate(CreateWebhookEndpointDocument, { input }, 'CreateWebhookEndpoint')).createWebhookEndpoint;
    },

    /** Changes an endpoint's URL, description, event types or enabled state (omitted fields keep theirs). */
    async updateWebhookEndpoint(
      input: UpdateWebhookEndpointInput,
    ): Promise<UpdateWebhookEndpointMutation['updateWebhookEndpoint']> {
      return (await mutate(UpdateWebhookEndpointDocument, { input }, 'UpdateWebhookEndpoint')).updateWebhookEndpoint;
    },

    /** Deletes an endpoint and its deliveries. */
    async deleteWebhookEndpoint(endpointId: string): Promise<DeleteWebhookEndpointMutation['deleteWebhookEndpoint']> {
      return (await mutate(DeleteWebhookEndpointDocument, { input: { endpointId } }, 'DeleteWebhookEndpoint'))
        .deleteWebhookEndpoint;
    },

    /**
     * A new signing secret (in this answer only); the old one keeps signing for `overlapSeconds` (default 24 h).
     *
     * @example
     * const rotated = await billing.rotateWebhookEndpointSecret(endpointId, { overlapSeconds: 3600 });
     */
    async rotateWebhookEndpointSecret(
      endpointId: string,
      options: { overlapSeconds?: number } = {},
    ): Promise<RotateWebhookEndpointSecretMutation['rotateWebhookEndpointSecret']> {
      const input = { endpointId, overlapSeconds: options.overlapSeconds ?? null };
      return (await mutate(RotateWebhookEndpointSecretDocument, { input }, 'RotateWebhookEndpointSecret'))
        .rotateWebhookEndpointSecret;
    },

    /** Sends a delivery again from the start of the retry schedule (same event, same `webhook-id`). */
    async redeliverWebhookDelivery(
      deliveryId: string,
    ): Promise<RedeliverWebhookDeliveryMutation['redeliverWebhookDelivery']> {
      return (await mutate(RedeliverWebhookDeliveryDocument, { input: { deliveryId } }, 'RedeliverWebhookDelivery'))
        .redeliverWebhookDelivery;
    },

    /** Queues an endpoint's events again from the event log, after an event id or a sequence. */
    async replayWebhookEvents(
      input: ReplayWebhookEventsInput,
    ): Promise<ReplayWebhookEventsMutation['replayWebhookEvents']> {
      return (await mutate(ReplayWebhookEventsDocument, { input }, 'ReplayWebhookEvents')).replayWebhookEvents;
    },

    /**
     * Live invoice and payment changes (server-sent events), for every readable account or one. The stream
     * opens now; a failure ends the iteration with a `BillingClientError`. Pass the `id` of the last event
     * you handled as `after` to resume: the events missed since then come first, in order
     * (`EVENT_CURSOR_EXPIRED` if the gateway no longer keeps them).
     *
     * @example
     * const events = billing.billingEvents({ accountId, after: lastHandledEventId });
     * for await (const event of events) console.log(event.id, event.type, event.invoiceStatus);
     */
    billingEvents(filter: { accountId?: string; after?: string } = {}): BillingEventStream {
      const closing = makeSubject<void>();
      const results = toAsyncIterable(
        pipe(
          urql.subscription(BillingEventsDocument, {
            accountId: filter.accountId ?? null,
            after: filter.after ?? null,
          }),
          takeUntil(closing.source),
          takeWhile((result) => !result.error, true),
        ),
      );
      // toAsyncIterable subscribes on its first read: read now, so the stream is open before the caller iterates.
      const first = results.next();
      async function* events(): AsyncGenerator<BillingEventsSubscription['billingEvents']> {
        try {
          for (let next = first; ; next = results.next()) {
            const { value: result, done } = await next;
            if (done) return;
            if (result.error) throw BillingClientError.from(result.error, 'BillingEvents');
            if (result.data) yield result.data.billingEvents;
          }
        } finally {
          await results.return?.();
        }
      }
      const stream = events();
      return { close: () => closing.next(), [Symbol.asyncIterator]: () => stream };
    },
  };
}
