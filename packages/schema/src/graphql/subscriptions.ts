import { filter, pipe } from '@graphql-yoga/subscription';
import { isPublicEvent, type PublicBillingEvent } from '../billing/events.js';
import { loadAfterWrite } from './loaders.js';
import { builder } from './builder.js';
import { fromGlobalId } from './ids.js';
import { Invoice } from './invoice.js';
import { Payment } from './payment.js';

export const BillingEventTypeEnum = builder.enumType('BillingEventType', {
  values: ['INVOICE_UPDATED', 'PAYMENT_UPDATED'] as const,
});

export const BillingEventRef = builder.objectRef<PublicBillingEvent>('BillingEvent').implement({
  description: 'Something changed on an invoice or its payments. Re-read what you display from `invoice`.',
  fields: (t) => ({
    type: t.field({ type: BillingEventTypeEnum, resolve: (e) => e.type }),
    // A subscription keeps one context for its lifetime: every event reads its rows afresh.
    invoice: t.field({ type: Invoice, resolve: (e, _args, ctx) => loadAfterWrite(ctx, Invoice, e.invoiceId) }),
    payment: t.field({
      type: Payment,
      nullable: true,
      resolve: (e, _args, ctx) => (e.type === 'PAYMENT_UPDATED' ? loadAfterWrite(ctx, Payment, e.paymentId) : null),
    }),
  }),
});

builder.subscriptionField('billingEvents', (t) =>
  t.field({
    type: BillingEventRef,
    description:
      'Live invoice and payment changes on every billing account the subscriber may read (or one, with `billingAccountId`). Served as server-sent events.',
    args: { billingAccountId: t.arg.id({ required: false }) },
    authScopes: { authenticated: true },
    subscribe: (_root, args, ctx) => {
      const onlyAccount =
        args.billingAccountId == null ? null : fromGlobalId(String(args.billingAccountId), 'BillingAccount');
      // A malformed or foreign account ID reads like one that does not exist: a stream that ends at once.
      const stop = new AbortController();
      const events = ctx.services.events.subscribe(stop.signal);
      if (args.billingAccountId != null && onlyAccount === null) stop.abort();
      return pipe(
        events,
        // Authorization applies to every event exactly as it would to a query for it.
        filter(
          (e): e is PublicBillingEvent =>
            isPublicEvent(e) &&
            (onlyAccount === null || e.billingAccountId === onlyAccount) &&
            ctx.access.can('READ_BILLING', e),
        ),
      );
    },
    resolve: (event) => event,
  }),
);
