// Imports every type family (each registers itself on the builder), then builds the schema.
import { lexicographicSortSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
import { guardVisibility } from './visibility-guard.js';
import './scalars.js';
import './errors.js';
import './money.js';
import './access.js';
import './viewer.js';
import './billing-account.js';
import './billing-profile.js';
import './invoice.js';
import './document.js';
import './payment-method.js';
import './payment.js';
import './credit.js';
import './autopay.js';
import './wire-transfer.js';
import './api-key.js';
import './webhook.js';
import './subscriptions.js';

export type { GraphQLContext } from './context.js';
export { lastStreamedEventId } from './subscriptions.js';
export { toGlobalId, fromGlobalId, NODE_TYPE_NAMES, type NodeTypeName } from './ids.js';
export { measureOperation, type Measurement, type OperationSize } from './complexity.js';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, UNPAGED_LIST_SIZE } from './page-sizes.js';

let schema: GraphQLSchema | undefined;

/** The billing schema (built once per process). */
export function billingSchema(): GraphQLSchema {
  schema ??= guardVisibility(builder.toSchema());
  return schema;
}

/** The SDL as committed in `schema.graphql`: sorted, so diffs show real changes only. */
export function printBillingSchema(print: (schema: GraphQLSchema) => string): string {
  return print(lexicographicSortSchema(billingSchema()));
}
