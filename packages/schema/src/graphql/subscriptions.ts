import type { BillingEvent } from '../billing/events.js';
import { loadAfterWrite } from './loaders.js';
import { builder } from './builder.js';
import { fromGlobalId } from './ids.js';
import { Invoice } from './invoice.js';
import { Payment } from './payment.js';

export const BillingEventTypeEnum = builder.enumType('BillingEventType', {
  values: ['INVOICE_UPDATED', 'PAYMENT_UPDATED'] as const,
});

export const BillingEventRef = builder.objectRef<BillingEvent>('BillingEvent').implement({
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
      const controller = new AbortController();
      const source = ctx.services.events.subscribe(controller.signal);
      const filtered: AsyncIterableIterator<BillingEvent> = {
        async next() {
          for (;;) {
            const next = await source.next();
            if (next.done) return next;
            const e = next.value;
            if (onlyAccount !== null && e.billingAccountId !== onlyAccount) continue;
            // Authorization applies to every event exactly as it would to a query for it.
            if (!ctx.access.can('READ_BILLING', e)) continue;
            return next;
          }
        },
        async return() {
          controller.abort();
          return { value: undefined, done: true };
        },
        [Symbol.asyncIterator]() {
          return filtered;
        },
      };
      if (args.billingAccountId != null && onlyAccount === null) controller.abort();
      return filtered;
    },
    resolve: (event) => event,
  }),
);
