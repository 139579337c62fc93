// The page renders from urql's normalized cache (@urql/exchange-graphcache): every Invoice is stored once, by
// its id, so a payInvoice answer, a refetched invoice or a billingEvents event that carries an invoice
// updates each row that shows it, with no code that finds and replaces rows.
import { billingSchema } from '@billing/sdk';
import { cacheExchange, type KeyingConfig } from '@urql/exchange-graphcache';

/**
 * Object types without an `id` (money, page info, connections, mutation answers, ...) are stored inside their
 * parent, not as entities of their own; saying so keeps graphcache from warning about each one.
 */
const embeddedTypes: KeyingConfig = Object.fromEntries(
  billingSchema.__schema.types
    .filter((type) => type.kind === 'OBJECT' && !('fields' in type && type.fields.some((field) => field.name === 'id')))
    .map((type) => [type.name, () => null]),
);

export function billingCache() {
  return cacheExchange({ schema: billingSchema, keys: embeddedTypes });
}
