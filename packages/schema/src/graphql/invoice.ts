import { GraphQLError } from 'graphql';
import { readTarget } from './visibility.js';
import {
  invoiceStatus,
  INVOICE_STATUSES,
  notPayableReason,
  statusCondition,
  type InvoiceStatus,
} from '../billing/invoice-status.js';
import type { GraphQLContext } from './context.js';
import { visibleRowsWhere } from './access.js';
import { builder } from './builder.js';
import { fromGlobalId } from './ids.js';
import { Money } from './money.js';
import { MAX_PAGE_SIZE } from './page-sizes.js';

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

interface InvoiceConnectionArgs {
  first?: number | null;
  last?: number | null;
  filter?: {
    statuses?: InvoiceStatus[] | null;
    dueOnOrAfter?: string | null;
    dueOnOrBefore?: string | null;
    number?: string | null;
  } | null;
  orderBy?: { field: 'DUE_DATE' | 'INVOICE_DATE'; direction: 'ASC' | 'DESC' } | null;
}

/** Filter, order and visibility of an invoice list, as a Drizzle relational query. */
export function invoiceConnectionQuery(args: InvoiceConnectionArgs, ctx: GraphQLContext) {
  // Say so rather than silently return fewer rows than asked for (as GitHub's API does).
  for (const [name, value] of [
    ['first', args.first],
    ['last', args.last],
  ] as const) {
    if (value != null && (value < 0 || value > MAX_PAGE_SIZE)) {
      throw new GraphQLError(
        `\`${name}\` must be between 0 and ${MAX_PAGE_SIZE}; page through larger lists with cursors.`,
        {
          extensions: { code: 'BAD_USER_INPUT' },
        },
      );
    }
  }
  const conditions: Record<string, unknown>[] = [visibleRowsWhere(ctx.access)];
  const filter = args.filter;
  if (filter?.statuses) {
    conditions.push({
      OR: [...new Set(filter.statuses)].map((status) => {
        const c = statusCondition(status, ctx.services.clock);
        return {
          lifecycle: { in: c.lifecycles },
          ...(c.dueBefore || c.dueOnOrAfter
            ? {
                dueDate: {
                  ...(c.dueBefore ? { lt: c.dueBefore } : {}),
                  ...(c.dueOnOrAfter ? { gte: c.dueOnOrAfter } : {}),
                },
              }
            : {}),
        };
      }),
    });
  }
  if (filter?.dueOnOrAfter) conditions.push({ dueDate: { gte: filter.dueOnOrAfter } });
  if (filter?.dueOnOrBefore) conditions.push({ dueDate: { lte: filter.dueOnOrBefore } });
  if (filter?.number) conditions.push({ number: filter.number });
  const column = args.orderBy?.field === 'DUE_DATE' ? 'dueDate' : 'invoiceDate';
  const direction = args.orderBy?.direction === 'ASC' ? 'asc' : 'desc';
  return {
    where: conditions.length === 1 ? conditions[0]! : { AND: conditions },
    orderBy: { [column]: direction, id: direction } as {
      dueDate?: 'asc' | 'desc';
      invoiceDate?: 'asc' | 'desc';
      id: 'asc' | 'desc';
    },
  };
}

export const BillingPeriod = builder.objectRef<{ start: string; end: string }>('BillingPeriod').implement({
  fields: (t) => ({
    start: t.expose('start', { type: 'Date' }),
    end: t.expose('end', { type: 'Date', description: 'Inclusive.' }),
  }),
});

export const InvoiceLineItem = builder.drizzleObject('invoiceLineItems', {
  name: 'InvoiceLineItem',
  select: {
    columns: { unitPriceMinor: true, amountMinor: true, quantity: true },
    with: { invoice: { columns: { currency: true } } },
  },
  fields: (t) => ({
    position: t.exposeInt('position'),
    description: t.exposeString('description'),
    serviceName: t.exposeString('serviceName'),
    quantity: t.exposeInt('quantity'),
    unitPrice: t.field({
      type: Money,
      resolve: (l) => ({ minorUnits: l.unitPriceMinor, currency: l.invoice.currency }),
    }),
    amount: t.field({ type: Money, resolve: (l) => ({ minorUnits: l.amountMinor, currency: l.invoice.currency }) }),
  }),
});

export const Invoice = builder.drizzleNode('invoices', {
  name: 'Invoice',
  id: { column: (i) => i.id },
  authScopes: (invoice) => ({ billing: readTarget.invoice(invoice) }),
  fields: (t) => {
    const money = (column: 'subtotalMinor' | 'taxMinor' | 'totalMinor' | 'amountDueMinor', description: string) =>
      t.field({ type: Money, description, resolve: (i) => ({ minorUnits: i[column], currency: i.currency }) });
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
      currency: t.exposeString('currency'),
      subtotal: money('subtotalMinor', 'Before tax.'),
      tax: money('taxMinor', 'Tax.'),
      total: money('totalMinor', 'Subtotal plus tax.'),
      amountDue: money('amountDueMinor', 'What remains to pay: zero once paid or void.'),
      viewerCanPay: t.boolean({
        description:
          'True exactly when the portal shows "Pay now": the invoice is due or past due, something is due, and the viewer may pay (billing account admin).',
        resolve: (i, _args, ctx) => notPayableReason(i) === null && ctx.access.can('PAY_INVOICES', i),
      }),
      lineItems: t.relation('lineItems', { query: { orderBy: { position: 'asc' } } }),
      billingProfile: t.relation('profile'),
      billingAccount: t.relation('account'),
      payments: t.relation('payments', {
        description: 'Every payment attempt, newest first, failed ones included.',
        query: { orderBy: { id: 'desc' } },
      }),
    };
  },
});

builder.queryFields((t) => ({
  invoice: t.drizzleField({
    type: 'invoices',
    nullable: true,
    description: 'An invoice by global ID; null if it does not exist or the viewer may not see it.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) => {
      const id = fromGlobalId(String(args.id), 'Invoice');
      if (id === null) return null;
      return ctx.services.db.query.invoices.findFirst(
        query({ where: { AND: [{ id }, visibleRowsWhere(ctx.access)] } }),
      );
    },
  }),
  invoiceByNumber: t.drizzleField({
    type: 'invoices',
    nullable: true,
    description: 'An invoice by its number (as printed on the PDF); null if none the viewer may see.',
    args: { number: t.arg.string({ required: true }) },
    resolve: (query, _root, args, ctx) => {
      if (args.number.length > 64) return null;
      return ctx.services.db.query.invoices.findFirst(
        query({ where: { AND: [{ number: args.number }, visibleRowsWhere(ctx.access)] } }),
      );
    },
  }),
}));
