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
