import { GraphQLError } from 'graphql';
import type { AccessView } from '../billing/access.js';
import type { ErrorCode } from '../billing/errors.js';
import { EVENT_LOG_PAGE_SIZE, eventsAfter, findLoggedEvent, type LoggedBillingEvent } from '../billing/event-log.js';
import { isPublicEvent, STREAMED_EVENT_TYPES, type BillingEvent } from '../billing/events.js';
import type { InvoiceStatus } from '../billing/invoice-status.js';
import type { BillingEventType, PaymentStatus } from '../db/model.js';
import { builder } from './builder.js';
import type { GraphQLContext } from './context.js';
import { fromGlobalId } from './ids.js';
import { Invoice, InvoiceStatusEnum } from './invoice.js';
import { loadAfterWrite } from './loaders.js';
import { Money } from './money.js';
import { Payment, PaymentStatusEnum } from './payment.js';

export const BillingEventTypeEnum = builder.enumType('BillingEventType', {
  description:
    'What changed. `billingEvents` streams the invoice and payment types; webhook endpoints may subscribe to every type.',
  values: {
    INVOICE_CREATED: { description: 'A billing period closed into a new invoice.' },
    INVOICE_UPDATED: { description: "An invoice's status or amount due changed (paid by card or wire transfer)." },
    PAYMENT_UPDATED: { description: 'A payment attempt started (PROCESSING) or settled (SUCCEEDED or FAILED).' },
    PAYMENT_METHOD_ADDED: { description: 'A card was saved on a billing profile.' },
    PAYMENT_METHOD_UPDATED: {
      description: "A card's expiry or holder name changed, or it became the profile's default.",
    },
    PAYMENT_METHOD_REMOVED: { description: 'A card was removed from its billing profile.' },
    API_KEY_CREATED: { description: 'An API key was created on the billing account.' },
    API_KEY_REVOKED: { description: 'An API key was revoked.' },
  } satisfies Record<BillingEventType, { description: string }>,
});

/**
 * The id of the event each subscription result carries, per subscription context: the gateway
 * writes it as the SSE `id:` line (and `extensions.eventId`), so a reconnecting client's
 * `Last-Event-ID` says where it stopped.
 */
export const lastStreamedEventId = new WeakMap<object, string>();

const numberIn = (event: LoggedBillingEvent, key: string): number | null => {
  const value = event.data[key];
  return typeof value === 'number' ? value : null;
};

export const BillingEventRef = builder.objectRef<LoggedBillingEvent>('BillingEvent').implement({
  description:
    'One change to an invoice or its payments, from the event log. Its id resumes a stream (`billingEvents(after:)`, or the SSE `Last-Event-ID`). `invoiceStatus`, `amountDue` and `paymentStatus` are as the change left them; `invoice` and `payment` are those objects as they are now.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Stable and unique (`evt_...`): the `webhook-id` of its deliveries too.' }),
    sequence: t.exposeInt('sequence', { description: 'Orders events: a later change has a higher sequence.' }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime', description: 'When the change committed.' }),
    type: t.field({ type: BillingEventTypeEnum, resolve: (e) => e.type }),
    invoiceStatus: t.field({
      type: InvoiceStatusEnum,
      description: "The invoice's status right after this change.",
      resolve: (e) => e.data.invoiceStatus as InvoiceStatus,
    }),
    amountDue: t.field({
      type: Money,
      description: 'What the invoice had left to pay right after this change.',
      resolve: (e) => ({ minorUnits: numberIn(e, 'amountDueMinor') ?? 0, currency: String(e.data.currency) }),
    }),
    paymentStatus: t.field({
      type: PaymentStatusEnum,
      nullable: true,
      description: "For PAYMENT_UPDATED: the attempt's status right after this change.",
      resolve: (e) => (e.type === 'PAYMENT_UPDATED' ? (e.data.paymentStatus as PaymentStatus) : null),
    }),
    // A subscription keeps one context for its lifetime: every event reads its rows afresh.
    invoice: t.field({
      type: Invoice,
      description: 'The invoice as it is now.',
      resolve: (e, _args, ctx) => loadAfterWrite(ctx, Invoice, e.invoiceId!),
    }),
    payment: t.field({
      type: Payment,
      nullable: true,
      description: 'For PAYMENT_UPDATED: the attempt as it is now.',
      resolve: (e, _args, ctx) => {
        const paymentId = numberIn(e, 'paymentId');
        return e.type === 'PAYMENT_UPDATED' && paymentId !== null ? loadAfterWrite(ctx, Payment, paymentId) : null;
      },
    }),
  }),
});

function cursorExpired(): GraphQLError {
  return new GraphQLError(
    'This event id is unknown or older than the event log keeps: re-read what you display, then subscribe without a cursor.',
    { extensions: { code: 'EVENT_CURSOR_EXPIRED' satisfies ErrorCode } },
  );
}

/** The principal may read the event, of the account asked for (null: any) and of a streamed type. */
function visibleTo(access: AccessView, onlyAccount: number | null) {
  const types: readonly BillingEventType[] = STREAMED_EVENT_TYPES;
  return (e: BillingEvent): e is LoggedBillingEvent =>
    isPublicEvent(e) &&
    types.includes(e.type) &&
    (onlyAccount === null || e.billingAccountId === onlyAccount) &&
    access.can('READ_BILLING', e);
}

/**
 * What the subscriber missed after `after` (read from the log), then live events. The live
 * subscription is opened first, so an event committed while the log is read is not lost; events
 * already replayed are not sent twice.
 */
async function* streamEvents(
  ctx: GraphQLContext,
  onlyAccount: number | null,
  after: LoggedBillingEvent | null,
  stop: AbortController,
): AsyncGenerator<LoggedBillingEvent> {
  if (stop.signal.aborted) return;
  const live = ctx.services.events.subscribe(stop.signal);
  const visible = visibleTo(ctx.access, onlyAccount);
  try {
    const replayed = new Set<number>();
    if (after !== null) {
      const billingAccountIds = ctx.access
        .grantedAccountIds()
        .filter((id) => onlyAccount === null || id === onlyAccount);
      let sequence = after.sequence;
      for (;;) {
        const page = await eventsAfter(ctx.services, sequence, { billingAccountIds, types: STREAMED_EVENT_TYPES });
        for (const event of page) {
          sequence = event.sequence;
          replayed.add(event.sequence);
          if (visible(event)) yield event;
        }
        if (page.length < EVENT_LOG_PAGE_SIZE) break;
      }
    }
    for await (const event of live) {
      if (visible(event) && !replayed.has(event.sequence)) yield event;
    }
  } finally {
    stop.abort();
  }
}

builder.subscriptionField('billingEvents', (t) =>
  t.field({
    type: BillingEventRef,
    description:
      'Live invoice and payment changes on every billing account the subscriber may read (or one, with `billingAccountId`). Served as server-sent events, each with an `id:` line. To resume after a disconnect, reconnect with the `Last-Event-ID` header (EventSource does) or pass the last event id as `after`: the events missed since then arrive first, in order, if the event log still holds them (EVENT_CURSOR_EXPIRED otherwise).',
    args: {
      billingAccountId: t.arg.id({ required: false }),
      after: t.arg.id({ required: false, description: 'The id of the last event received: resume after it.' }),
    },
    authScopes: { authenticated: true },
    subscribe: async (_root, args, ctx) => {
      const onlyAccount =
        args.billingAccountId == null ? null : fromGlobalId(String(args.billingAccountId), 'BillingAccount');
      const stop = new AbortController();
      // A malformed or foreign account ID reads like one that does not exist: a stream that ends at once.
      if (args.billingAccountId != null && onlyAccount === null) stop.abort();
      const afterId = args.after == null ? (ctx.lastEventId ?? null) : String(args.after);
      // Checked before the stream starts, so the refusal is the stream's one result.
      const after = afterId === null ? null : await findLoggedEvent(ctx.services, afterId);
      // Another tenant's event id reads exactly like one that never existed.
      if (afterId !== null && (!after || !ctx.access.can('READ_BILLING', after))) throw cursorExpired();
      const events = streamEvents(ctx, onlyAccount, after, stop);
      // Not an async generator itself: a generator's `return` waits for its pending `next`, and a
      // quiet stream's next may never come. Aborting first ends the bus subscription at once.
      const stream: AsyncIterableIterator<LoggedBillingEvent> = {
        async next() {
          const next = await events.next();
          if (!next.done) lastStreamedEventId.set(ctx, next.value.id);
          return next;
        },
        async return() {
          stop.abort();
          return events.return(undefined);
        },
        [Symbol.asyncIterator]() {
          return stream;
        },
      };
      return stream;
    },
    resolve: (event) => event,
  }),
);
