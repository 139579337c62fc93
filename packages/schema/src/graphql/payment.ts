import { readTarget } from './visibility.js';
import {
  NotFoundError,
  CardDeclinedError,
  IdempotencyKeyConflictError,
  IdempotencyKeyInUseError,
  InvoiceNotPayableError,
  PaymentMethodUnusableError,
} from '../billing/errors.js';
import { payInvoice } from '../billing/payments.js';
import { PAYMENT_STATUSES } from '../db/tables.js';
import { builder } from './builder.js';
import { COMMON_ERRORS, DeclineCodeEnum } from './errors.js';
import { fromGlobalId } from './ids.js';
import { Money } from './money.js';

export const PaymentStatusEnum = builder.enumType('PaymentStatus', {
  description:
    'PROCESSING until the processor answers; a lost answer is settled by reconciliation, never by charging again.',
  values: PAYMENT_STATUSES,
});

export const Payment = builder.drizzleNode('payments', {
  name: 'Payment',
  description: 'One attempt to pay an invoice.',
  id: { column: (p) => p.id },
  authScopes: (p) => ({ billing: readTarget.payment(p) }),
  select: { columns: { billingAccountId: true }, with: { invoice: { columns: { billingProfileId: true } } } },
  fields: (t) => ({
    amount: t.field({
      type: Money,
      select: { columns: { amountMinor: true, currency: true } },
      resolve: (p) => ({ minorUnits: p.amountMinor, currency: p.currency }),
    }),
    status: t.expose('status', { type: PaymentStatusEnum }),
    failureCode: t.field({
      type: DeclineCodeEnum,
      nullable: true,
      select: { columns: { failureCode: true } },
      resolve: (p) => (p.failureCode as typeof DeclineCodeEnum.$inferType | null) ?? null,
    }),
    processorReference: t.exposeString('processorReference', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    invoice: t.relation('invoice'),
    paymentMethod: t.relation('paymentMethod', {
      nullable: true,
      description: 'The card used. Null without permission to read payment methods.',
      authScopes: (p) => ({
        billing: {
          action: 'READ_PAYMENT_METHODS',
          billingAccountId: p.billingAccountId,
          billingProfileId: p.invoice.billingProfileId,
        },
      }),
    }),
  }),
});

const PayInvoiceInput = builder.inputType('PayInvoiceInput', {
  fields: (t) => ({
    invoiceId: t.id({ required: true }),
    paymentMethodId: t.id({ required: true }),
    idempotencyKey: t.string({
      required: true,
      description:
        'Any unique string (a UUID) chosen by the client per payment intent. Retrying with the same key never charges twice and returns the first answer; a different request with the same key is refused.',
    }),
  }),
});

const PayInvoiceSuccess = builder.objectRef<{ invoiceId: number; paymentId: number }>('PayInvoiceSuccess').implement({
  fields: (t) => ({
    invoice: t.drizzleField({
      type: 'invoices',
      resolve: async (query, parent, _args, ctx) =>
        (await ctx.services.db.query.invoices.findFirst(query({ where: { id: parent.invoiceId } })))!,
    }),
    payment: t.drizzleField({
      type: 'payments',
      resolve: async (query, parent, _args, ctx) =>
        (await ctx.services.db.query.payments.findFirst(query({ where: { id: parent.paymentId } })))!,
    }),
  }),
});

builder.mutationField('payInvoice', (t) =>
  t.field({
    type: PayInvoiceSuccess,
    description:
      'Pays the amount due on an invoice with a card of its billing profile. Only the billing account admin may pay, or a partner API key with PAYMENTS_WRITE (which only the admin can create); profile owners, contributors and readers may not. Exactly once per invoice, whatever the retries.',
    args: { input: t.arg({ type: PayInvoiceInput, required: true }) },
    authScopes: { authenticated: true },
    errors: {
      types: [
        ...COMMON_ERRORS,
        InvoiceNotPayableError,
        PaymentMethodUnusableError,
        CardDeclinedError,
        IdempotencyKeyConflictError,
        IdempotencyKeyInUseError,
      ],
      directResult: true,
      union: { name: 'PayInvoiceResult' },
    },
    resolve: async (_root, { input }, ctx) => {
      const invoiceId = fromGlobalId(String(input.invoiceId), 'Invoice');
      if (invoiceId === null) throw new NotFoundError('Invoice');
      const paymentMethodId = fromGlobalId(String(input.paymentMethodId), 'PaymentMethod');
      if (paymentMethodId === null) throw new NotFoundError('PaymentMethod');
      return payInvoice(ctx.services, ctx.access, { invoiceId, paymentMethodId, idempotencyKey: input.idempotencyKey });
    },
  }),
);
