import { resolveCursorConnection, type DefaultConnectionArguments } from '@pothos/plugin-relay';
import { GraphQLError } from 'graphql';
import { invoiceStatus, INVOICE_STATUSES, statusCondition, type InvoiceStatus } from '../billing/invoice-status.js';
import { PAY_NOW_UNAVAILABLE_REASONS, payNowDecision, type PayNowDecision } from '../billing/payment-rules.js';
import type {
  InvoiceKey,
  InvoiceListFilter,
  InvoiceOrder as InvoiceOrderSpec,
  InvoiceRow,
  InvoiceScope,
  LineItemRow,
} from '../db/reads.js';
import type { ErrorCode } from '../billing/error-codes.js';
import { BillingAccount } from './billing-account.js';
import { BillingProfile } from './billing-profile.js';
import { builder } from './builder.js';
import type { GraphQLContext } from './context.js';
import { fromGlobalId, parseNodeId } from './ids.js';
import { groupedBy } from './loaders.js';
import { Money } from './money.js';
import { readTarget } from './visibility.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './page-sizes.js';

export const InvoiceStatusEnum = builder.enumType('InvoiceStatus', {
  description: 'DUE and PAST_DUE are derived from the due date (UTC) at the time of the request.',
  values: INVOICE_STATUSES,
});

export const InvoiceOrderField = builder.enumType('InvoiceOrderField', {
  values: ['DUE_DATE', 'INVOICE_DATE'] as const,
});
export const OrderDirection = builder.enumType('OrderDirection', { values: ['ASC', 'DESC'] as const });

export const InvoiceFilter = builder.inputType('InvoiceFilter', {
  description: 'All given conditions must hold.',
  fields: (t) => ({
    statuses: t.field({ type: [InvoiceStatusEnum], required: false, description: 'Any of these statuses.' }),
    dueOnOrAfter: t.field({ type: 'Date', required: false }),
    dueOnOrBefore: t.field({ type: 'Date', required: false }),
    number: t.string({ required: false, description: 'Exact invoice number.' }),
  }),
});

export const InvoiceOrder = builder.inputType('InvoiceOrder', {
  fields: (t) => ({
    field: t.field({ type: InvoiceOrderField, required: true }),
    direction: t.field({ type: OrderDirection, required: true }),
  }),
});

type ArgBuilder = Parameters<Parameters<typeof builder.queryFields>[0]>[0]['arg'];

export function invoiceConnectionArgs(arg: ArgBuilder) {
  return {
    filter: arg({ type: InvoiceFilter, required: false }),
    orderBy: arg({
      type: InvoiceOrder,
      required: false,
      description: 'Default: newest invoice date first. Ties are broken by ID, so cursors are stable.',
    }),
  };
}

interface InvoiceConnectionArgs extends DefaultConnectionArguments {
  filter?: {
    statuses?: InvoiceStatus[] | null;
    dueOnOrAfter?: string | null;
    dueOnOrBefore?: string | null;
    number?: string | null;
  } | null;
  orderBy?: { field: 'DUE_DATE' | 'INVOICE_DATE'; direction: 'ASC' | 'DESC' } | null;
}

/** The stored conditions of a connection's `filter` argument. */
function listFilter(filter: InvoiceConnectionArgs['filter'], ctx: GraphQLContext): InvoiceListFilter {
  return {
    ...(filter?.statuses
      ? { statusConditions: [...new Set(filter.statuses)].map((s) => statusCondition(s, ctx.services.clock)) }
      : {}),
    ...(filter?.dueOnOrAfter ? { dueOnOrAfter: filter.dueOnOrAfter } : {}),
    ...(filter?.dueOnOrBefore ? { dueOnOrBefore: filter.dueOnOrBefore } : {}),
    ...(filter?.number ? { number: filter.number } : {}),
  };
}

// Cursors are opaque to clients: base64 of the ordering value and the id, a keyset position (no offset).
const CURSOR = /^I:(\d{4}-\d{2}-\d{2}):([1-9]\d{0,15})$/;
const toCursor = (row: InvoiceRow, order: InvoiceOrderSpec) =>
  Buffer.from(`I:${row[order.column]}:${row.id}`).toString('base64');

function fromCursor(cursor: string | undefined): InvoiceKey | undefined {
  if (cursor === undefined) return undefined;
  const match = CURSOR.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  if (!match)
    throw new GraphQLError('Invalid cursor: pass a cursor returned by this list.', {
      extensions: { code: 'BAD_USER_INPUT' satisfies ErrorCode },
    });
  return { value: match[1]!, id: Number(match[2]) };
}

/** What a connection object carries besides its page: the count, computed only when asked for. */
interface InvoiceConnectionExtras {
  totalCount: () => Promise<number>;
}

/**
 * One page of invoices of `scope`, keyset-paged. The scope is the visibility decision, made once for
 * the whole list by the caller, so no row of it needs another check.
 */
async function resolveInvoiceConnection(scope: InvoiceScope, args: InvoiceConnectionArgs, ctx: GraphQLContext) {
  // Say so rather than silently return fewer rows than asked for (as GitHub's API does).
  for (const [name, value] of [
    ['first', args.first],
    ['last', args.last],
  ] as const) {
    if (value != null && (value < 0 || value > MAX_PAGE_SIZE)) {
      throw new GraphQLError(
        `\`${name}\` must be between 0 and ${MAX_PAGE_SIZE}; page through larger lists with cursors.`,
        { extensions: { code: 'BAD_USER_INPUT' satisfies ErrorCode } },
      );
    }
  }
  const filter = listFilter(args.filter, ctx);
  const order: InvoiceOrderSpec = {
    column: args.orderBy?.field === 'DUE_DATE' ? 'dueDate' : 'invoiceDate',
    descending: args.orderBy?.direction !== 'ASC',
  };
  const page = await resolveCursorConnection<Promise<InvoiceRow[]>>(
    {
      args,
      defaultSize: DEFAULT_PAGE_SIZE,
      maxSize: MAX_PAGE_SIZE,
      toCursor: (row: InvoiceRow) => toCursor(row, order),
    },
    ({ before, after, limit, inverted }) => {
      const afterKey = fromCursor(after);
      const beforeKey = fromCursor(before);
      return ctx.services.store.reads.invoicePage({
        scope,
        filter,
        order,
        limit,
        fromEnd: inverted,
        ...(afterKey ? { after: afterKey } : {}),
        ...(beforeKey ? { before: beforeKey } : {}),
      });
    },
  );
  const extras: InvoiceConnectionExtras = { totalCount: () => ctx.services.store.reads.invoiceCount(scope, filter) };
  return Object.assign(page, extras);
}

export const BillingPeriod = builder.objectRef<{ start: string; end: string }>('BillingPeriod').implement({
  fields: (t) => ({
    start: t.expose('start', { type: 'Date' }),
    end: t.expose('end', { type: 'Date', description: 'Inclusive.' }),
  }),
});

export const InvoiceLineItem = builder.objectRef<LineItemRow>('InvoiceLineItem').implement({
  fields: (t) => ({
    position: t.exposeInt('position'),
    description: t.exposeString('description'),
    serviceName: t.exposeString('serviceName'),
    quantity: t.exposeInt('quantity'),
    unitPrice: t.field({ type: Money, resolve: (l) => ({ minorUnits: l.unitPriceMinor, currency: l.currency }) }),
    amount: t.field({ type: Money, resolve: (l) => ({ minorUnits: l.amountMinor, currency: l.currency }) }),
  }),
});

export const PayNowUnavailableReasonEnum = builder.enumType('PayNowUnavailableReason', {
  values: PAY_NOW_UNAVAILABLE_REASONS,
});

export const PayNow = builder.objectRef<PayNowDecision>('PayNow').implement({
  description: 'Whether the portal offers "Pay now" (a card payment) for an invoice to this viewer, and if not, why.',
  fields: (t) => ({
    offered: t.exposeBoolean('offered'),
    reason: t.expose('reason', {
      type: PayNowUnavailableReasonEnum,
      nullable: true,
      description: 'Null when offered.',
    }),
    message: t.exposeString('message', {
      nullable: true,
      description: 'For people: why Pay now is not offered and what to do instead. Null when offered.',
    }),
    cardCeiling: t.expose('cardCeiling', {
      type: Money,
      nullable: true,
      description: "The largest card payment in the invoice's currency; null when there is none.",
    }),
  }),
});

/** The Pay now decision for the viewer; the account's agreement comes through its DataLoader. */
async function payNowFor(invoice: InvoiceRow, ctx: GraphQLContext): Promise<PayNowDecision> {
  const account = await BillingAccount.getDataloader(ctx).load(invoice.billingAccountId);
  return payNowDecision(
    { invoice, agreementType: account.agreementType, viewerMayPay: ctx.access.can('PAY_INVOICES', invoice) },
    ctx.services.settings.paymentRules,
  );
}

// Its payments are added in payment.ts.
export const Invoice = builder.loadableNode('Invoice', {
  id: { resolve: (i: InvoiceRow) => i.id, parse: parseNodeId },
  load: (ids: number[], ctx) => ctx.services.store.reads.invoicesByIds(ids),
  sort: (i) => i.id,
  fields: (t) => {
    const money = (
      column: 'subtotalMinor' | 'taxMinor' | 'totalMinor' | 'amountDueMinor' | 'creditAppliedMinor',
      description: string,
    ) => t.field({ type: Money, description, resolve: (i) => ({ minorUnits: i[column], currency: i.currency }) });
    return {
      number: t.exposeString('number'),
      status: t.field({ type: InvoiceStatusEnum, resolve: (i, _args, ctx) => invoiceStatus(i, ctx.services.clock) }),
      paymentInProgress: t.boolean({
        description: 'A payment was accepted and is being processed; paying again is refused meanwhile.',
        resolve: (i) => i.lifecycle === 'PAYMENT_IN_PROGRESS',
      }),
      billingPeriod: t.field({ type: BillingPeriod, resolve: (i) => ({ start: i.periodStart, end: i.periodEnd }) }),
      invoiceDate: t.expose('invoiceDate', { type: 'Date' }),
      dueDate: t.expose('dueDate', { type: 'Date' }),
      paidAt: t.expose('paidAt', { type: 'DateTime', nullable: true }),
      nextAutomaticChargeAt: t.expose('nextAutopayAt', {
        type: 'DateTime',
        nullable: true,
        description:
          "When autopay next charges the profile's default card (after a decline: the dunning schedule); null when nothing is scheduled.",
      }),
      currency: t.exposeString('currency'),
      subtotal: money('subtotalMinor', 'Before tax.'),
      tax: money('taxMinor', 'Tax.'),
      total: money('totalMinor', 'Subtotal plus tax.'),
      creditApplied: money('creditAppliedMinor', 'Credits applied when the period closed, before any charge.'),
      amountDue: money(
        'amountDueMinor',
        'What remains to pay, net of credits: zero once paid or void, or when credits covered the total.',
      ),
      viewerCanPay: t.boolean({
        description:
          'True exactly when the portal shows "Pay now": the invoice is due or past due, something is due, the viewer may pay (billing account admin), and a card may pay it (not an Enterprise Agreement, not above the card ceiling). `payNow` says why not.',
        resolve: async (i, _args, ctx) => (await payNowFor(i, ctx)).offered,
      }),
      payNow: t.field({
        type: PayNow,
        description: 'The "Pay now" decision with its reason and the card ceiling, so a UI can say why.',
        resolve: (i, _args, ctx) => payNowFor(i, ctx),
      }),
      lineItems: t.loadableList({
        type: InvoiceLineItem,
        load: async (invoiceIds: number[], ctx) =>
          groupedBy(invoiceIds, await ctx.services.store.reads.lineItemsByInvoiceIds(invoiceIds), (l) => l.invoiceId),
        resolve: (i) => i.id,
      }),
      billingProfile: t.field({ type: BillingProfile, resolve: (i) => i.billingProfileId }),
      billingAccount: t.field({ type: BillingAccount, resolve: (i) => i.billingAccountId }),
    };
  },
});

/** One connection type for every invoice list, so clients need one page type. */
export const InvoiceConnection = builder.connectionObject({
  type: Invoice,
  name: 'InvoiceConnection',
  fields: (t) => ({
    totalCount: t.int({
      description: 'Every invoice that matches the filter, across all pages.',
      resolve: (connection) => (connection as typeof connection & InvoiceConnectionExtras).totalCount(),
    }),
  }),
});

builder.objectField(BillingAccount, 'invoices', (t) =>
  t.connection(
    {
      type: Invoice,
      description: 'Invoices of every profile the viewer can see in this account.',
      args: invoiceConnectionArgs(t.arg),
      resolve: (account, args, ctx) => {
        const readable = ctx.access.readableIn('READ_BILLING', account.id);
        const scope = {
          billingAccountId: account.id,
          billingProfileIds: readable.wholeAccount ? null : readable.profileIds,
        };
        return resolveInvoiceConnection(scope, args, ctx);
      },
    },
    InvoiceConnection,
  ),
);

builder.objectField(BillingProfile, 'invoices', (t) =>
  t.connection(
    {
      type: Invoice,
      args: invoiceConnectionArgs(t.arg),
      resolve: (profile, args, ctx) => {
        const visible = ctx.access.can('READ_BILLING', readTarget.profile(profile));
        const scope = { billingAccountId: profile.billingAccountId, billingProfileIds: visible ? [profile.id] : [] };
        return resolveInvoiceConnection(scope, args, ctx);
      },
    },
    InvoiceConnection,
  ),
);

/** An invoice the viewer may see, else null (missing and not visible read the same). */
function visibleInvoice(invoice: InvoiceRow | null | undefined, ctx: GraphQLContext): InvoiceRow | null {
  return invoice && ctx.access.can('READ_BILLING', readTarget.invoice(invoice)) ? invoice : null;
}

builder.queryFields((t) => ({
  invoice: t.field({
    type: Invoice,
    nullable: true,
    description: 'An invoice by global ID; null if it does not exist or the viewer may not see it.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const id = fromGlobalId(String(args.id), 'Invoice');
      return id === null ? null : visibleInvoice(await Invoice.getDataloader(ctx).load(id), ctx);
    },
  }),
  invoiceByNumber: t.field({
    type: Invoice,
    nullable: true,
    description: 'An invoice by its number (as printed on the PDF); null if none the viewer may see.',
    args: { number: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      if (args.number.length > 64) return null;
      const [invoice] = await ctx.services.store.reads.invoicesByNumbers([args.number]);
      return visibleInvoice(invoice, ctx);
    },
  }),
}));
