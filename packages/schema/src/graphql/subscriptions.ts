import { filter, pipe } from '@graphql-yoga/subscription';
import type { BillingEvent } from '../billing/events.js';
import { builder } from './builder.js';
import { fromGlobalId } from './ids.js';

export const BillingEventTypeEnum = builder.enumType('BillingEventType', {
  values: ['INVOICE_UPDATED', 'PAYMENT_UPDATED'] as const,
});

export const BillingEventRef = builder.objectRef<BillingEvent>('BillingEvent').implement({
  description: 'Something changed on an invoice or its payments. Re-read what you display from `invoice`.',
  fields: (t) => ({
    type: t.field({ type: BillingEventTypeEnum, resolve: (e) => e.type }),
    invoice: t.drizzleField({
      type: 'invoices',
      resolve: async (query, e, _args, ctx) =>
        (await ctx.services.db.query.invoices.findFirst(query({ where: { id: e.invoiceId } })))!,
    }),
    payment: t.drizzleField({
      type: 'payments',
      nullable: true,
      resolve: (query, e, _args, ctx) =>
        e.type === 'PAYMENT_UPDATED'
          ? ctx.services.db.query.payments.findFirst(query({ where: { id: e.paymentId } }))
          : null,
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
          (e: BillingEvent) =>
            (onlyAccount === null || e.billingAccountId === onlyAccount) && ctx.access.can('READ_BILLING', e),
        ),
      );
    },
    resolve: (event) => event,
  }),
);
