import {
  NotFoundError,
  CardDeclinedError,
  IdempotencyKeyConflictError,
  IdempotencyKeyInUseError,
  InvoiceNotPayableError,
  PaymentMethodNotAllowedError,
  PaymentMethodUnusableError,
} from '../billing/errors.js';
import { payInvoiceReturningRows } from '../billing/payments.js';
import { invoiceReadRow, paymentReadRow, type PaymentRow } from '../db/reads.js';
import { PAYMENT_STATUSES } from '../db/tables.js';
import { groupedBy, loadWritten, primeAfterWrite, primed } from './loaders.js';
import { builder } from './builder.js';
import { COMMON_ERRORS, DeclineCodeEnum } from './errors.js';
import { fromGlobalId, parseNodeId } from './ids.js';
import { Invoice } from './invoice.js';
import { Money } from './money.js';
import { PaymentMethod } from './payment-method.js';

export const PaymentStatusEnum = builder.enumType('PaymentStatus', {
  description:
    'PROCESSING until the processor answers; a lost answer is settled by reconciliation, never by charging again.',
  values: PAYMENT_STATUSES,
});

export const Payment = builder.loadableNode('Payment', {
  description: 'One attempt to pay an invoice.',
  id: { resolve: (p: PaymentRow) => p.id, parse: parseNodeId },
  load: (ids: number[], ctx) => ctx.services.store.reads.paymentsByIds(ids),
  sort: (p) => p.id,
  fields: (t) => ({
    amount: t.field({ type: Money, resolve: (p) => ({ minorUnits: p.amountMinor, currency: p.currency }) }),
    status: t.expose('status', { type: PaymentStatusEnum }),
    failureCode: t.field({
      type: DeclineCodeEnum,
      nullable: true,
      resolve: (p) => (p.failureCode as typeof DeclineCodeEnum.$inferType | null) ?? null,
    }),
    processorReference: t.exposeString('processorReference', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    invoice: t.field({ type: Invoice, resolve: (p) => p.invoiceId }),
    paymentMethod: t.field({
      type: PaymentMethod,
      nullable: true,
      description: 'The card used. Null without permission to read payment methods.',
      authScopes: (p) => ({
        billing: {
          action: 'READ_PAYMENT_METHODS',
          billingAccountId: p.billingAccountId,
          billingProfileId: p.billingProfileId,
        },
      }),
      resolve: (p) => p.paymentMethodId,
    }),
  }),
});

builder.objectField(Invoice, 'payments', (t) =>
  t.loadableList({
    type: Payment,
    description: 'Every payment attempt, newest first, failed ones included.',
    load: async (invoiceIds: number[], ctx) =>
      groupedBy(invoiceIds, await ctx.services.store.reads.paymentsByInvoiceIds(invoiceIds), (p) => p.invoiceId),
    resolve: (invoice) => invoice.id,
  }),
);

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
    invoice: t.field({
      type: Invoice,
      resolve: (parent, _args, ctx) => loadWritten(ctx, Invoice, parent.invoiceId),
    }),
    payment: t.field({
      type: Payment,
      resolve: (parent, _args, ctx) => loadWritten(ctx, Payment, parent.paymentId),
    }),
  }),
});

builder.mutationField('payInvoice', (t) =>
  t.field({
    type: PayInvoiceSuccess,
    description:
      'Pays the amount due on an invoice with a card of its billing profile. Refused (PaymentMethodNotAllowedError, nothing charged) for Enterprise Agreement accounts and above the card ceiling of the currency (see `Invoice.payNow`). Only the billing account admin may pay, or a partner API key with PAYMENTS_WRITE (which only the admin can create); profile owners, contributors and readers may not. Exactly once per invoice, whatever the retries.',
    args: { input: t.arg({ type: PayInvoiceInput, required: true }) },
    authScopes: { authenticated: true },
    errors: {
      types: [
        ...COMMON_ERRORS,
        InvoiceNotPayableError,
        PaymentMethodUnusableError,
        PaymentMethodNotAllowedError,
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
      const { result, settled } = await payInvoiceReturningRows(ctx.services, ctx.access, {
        invoiceId,
        paymentMethodId,
        idempotencyKey: input.idempotencyKey,
      });
      // The answer shows the payment and the invoice as this request's settlement committed them (its
      // RETURNING rows), not read again; a replay, or an answer still PROCESSING, reads them afresh.
      primeAfterWrite(
        ctx,
        ...(settled
          ? [
              primed(Invoice, settled.invoice.id, invoiceReadRow(settled.invoice)),
              primed(Payment, settled.payment.id, paymentReadRow(settled.payment, settled.invoice)),
            ]
          : []),
      );
      return result;
    },
  }),
);
