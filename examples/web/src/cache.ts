// The page renders from urql's normalized cache (@urql/exchange-graphcache): every Invoice is stored once, by
// its id, so a payInvoice answer, a refetched invoice or a billingEvents event that carries an invoice
// updates each row that shows it, with no code that finds and replaces rows.
import { billingSchema } from '@billing/sdk';
import { cacheExchange, type Cache, type KeyingConfig, type UpdateResolver } from '@urql/exchange-graphcache';

/**
 * Object types without an `id` (money, page info, connections, mutation answers, ...) are stored inside their
 * parent, not as entities of their own; saying so keeps graphcache from warning about each one.
 */
const embeddedTypes: KeyingConfig = Object.fromEntries(
  billingSchema.__schema.types
    .filter((type) => type.kind === 'OBJECT' && !('fields' in type && type.fields.some((field) => field.name === 'id')))
    .map((type) => [type.name, () => null]),
);

/** A profile's card list and default, dropped from the cache: every page showing them asks the gateway again. */
function forgetCardsOf(cache: Cache, billingProfileId: string): void {
  const profile = { __typename: 'BillingProfile', id: billingProfileId };
  cache.invalidate(profile, 'paymentMethods');
  cache.invalidate(profile, 'defaultPaymentMethod');
}

/**
 * Adding, removing or choosing the default card changes which cards a profile lists and which one is the
 * default (the old default's `isDefault` too), which no single returned card can say. An updated card needs
 * nothing: its answer carries its new fields, stored by its id.
 */
const cardListChanged: UpdateResolver = (result, _args, cache, info) => {
  const answer = result[info.fieldName] as { paymentMethod?: { billingProfile?: { id: string } } } | null;
  const profileId = answer?.paymentMethod?.billingProfile?.id;
  if (profileId) forgetCardsOf(cache, profileId);
};

/** An invoice's payment attempts and documents, dropped: a detail page showing them asks again. */
function forgetPaymentsOf(cache: Cache, invoiceId: string): void {
  const invoice = { __typename: 'Invoice', id: invoiceId };
  cache.invalidate(invoice, 'payments');
  cache.invalidate(invoice, 'documents'); // a receipt once paid
}

/** Any answer to payInvoice, a decline included, may have added an attempt to the invoice's payments. */
const paymentAttempted: UpdateResolver = (_result, args, cache) => {
  const { invoiceId } = args.input as { invoiceId: string };
  forgetPaymentsOf(cache, invoiceId);
};

/** A payment made elsewhere (another tab, user or API key) reaches the page as an event. */
const eventReceived: UpdateResolver = (result, _args, cache) => {
  const event = result.billingEvents as { invoice?: { id: string } | null } | null;
  if (event?.invoice) forgetPaymentsOf(cache, event.invoice.id);
};

export function billingCache() {
  return cacheExchange({
    schema: billingSchema,
    keys: embeddedTypes,
    updates: {
      Mutation: {
        addPaymentMethod: cardListChanged,
        setDefaultPaymentMethod: cardListChanged,
        removePaymentMethod: cardListChanged,
        payInvoice: paymentAttempted,
      },
      Subscription: { billingEvents: eventReceived },
    },
  });
}
