// The public surface of @billing/sdk.
export {
  createBillingClient,
  type BillingClient,
  type BillingClientOptions,
  type BillingEventStream,
  type InvoicePage,
  type InvoiceScope,
  type ListInvoicesOptions,
  type PayInvoiceArgs,
} from './client.js';
export { BillingClientError, type BillingClientErrorKind, type BillingGraphQLError } from './errors.js';
export type { RetryOptions } from './internal/exchanges.js';
// Operation documents and their result types, for urql's React bindings and other clients.
export * from './generated/graphql.js';
/**
 * The gateway's schema (types, unions, interfaces), minified, for a normalized cache: pass it as
 * `@urql/exchange-graphcache`'s `schema` option so the cache matches fragments on unions and interfaces exactly.
 *
 * @example
 * import { cacheExchange } from '@urql/exchange-graphcache';
 * createBillingClient({ url, token, cache: cacheExchange({ schema: billingSchema }) });
 */
export { default as billingSchema } from './generated/introspection.js';
