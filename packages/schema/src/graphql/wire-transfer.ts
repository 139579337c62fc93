// Paying by wire transfer: a profile's default payment type, the instructions its invoices show, and
// the transfers received against an invoice (applied, or held for review).
import { NotFoundError } from '../billing/errors.js';
import { paymentInstructionsFor, paysByWireTransfer, setDefaultPaymentType } from '../billing/wire-transfers.js';
import type { InvoiceRow, WireTransferReadRow } from '../db/reads.js';
import { DEFAULT_PAYMENT_TYPES, WIRE_TRANSFER_HOLD_REASONS, WIRE_TRANSFER_STATUSES } from '../db/tables.js';
import { BillingAccount } from './billing-account.js';
import { BillingProfile } from './billing-profile.js';
import { builder } from './builder.js';
import type { GraphQLContext } from './context.js';
import { COMMON_ERRORS } from './errors.js';
import { fromGlobalId } from './ids.js';
import { Invoice } from './invoice.js';
import { groupedBy, loadAfterWrite } from './loaders.js';
import { Money } from './money.js';

export const DefaultPaymentTypeEnum = builder.enumType('DefaultPaymentType', {
  description: 'CARD: the default card pays (automatically with autopay, or by Pay now). WIRE_TRANSFER: bank transfer.',
  values: DEFAULT_PAYMENT_TYPES,
});
export const WireTransferStatusEnum = builder.enumType('WireTransferStatus', { values: WIRE_TRANSFER_STATUSES });
export const WireTransferHoldReasonEnum = builder.enumType('WireTransferHoldReason', {
  values: WIRE_TRANSFER_HOLD_REASONS,
});

builder.objectField(BillingProfile, 'defaultPaymentType', (t) =>
  t.expose('defaultPaymentType', { type: DefaultPaymentTypeEnum }),
);

const PaymentInstructions = builder
  .objectRef<ReturnType<typeof paymentInstructionsFor>>('PaymentInstructions')
  .implement({
    description:
      'Where to send a wire transfer for this invoice. Quote the reference, or the payment cannot be matched.',
    fields: (t) => ({
      bankName: t.exposeString('bankName'),
      accountHolder: t.exposeString('accountHolder'),
      accountNumber: t.exposeString('accountNumber', { description: 'IBAN or account number.' }),
      bankCode: t.exposeString('bankCode', { description: 'SWIFT/BIC, or a national routing code.' }),
      reference: t.exposeString('reference', { description: 'The invoice number.' }),
    }),
  });

async function instructionsFor(invoice: InvoiceRow, ctx: GraphQLContext) {
  const [profile, account] = await Promise.all([
    BillingProfile.getDataloader(ctx).load(invoice.billingProfileId),
    BillingAccount.getDataloader(ctx).load(invoice.billingAccountId),
  ]);
  const { paymentRules, documents } = ctx.services.settings;
  const byWire = paysByWireTransfer(
    {
      defaultPaymentType: profile.defaultPaymentType,
      agreementType: account.agreementType,
      amount: { minorUnits: invoice.totalMinor, currency: invoice.currency },
    },
    paymentRules,
  );
  return byWire ? paymentInstructionsFor(invoice, documents.wireTransferAccount) : null;
}

const WireTransfer = builder.objectRef<WireTransferReadRow>('WireTransfer').implement({
  description:
    'A wire transfer received against an invoice. Only an exact match is applied; others are held for review.',
  fields: (t) => ({
    reference: t.exposeString('reference', { description: 'What the payer quoted.' }),
    amount: t.field({ type: Money, resolve: (w) => ({ minorUnits: w.amountMinor, currency: w.currency }) }),
    receivedOn: t.expose('receivedOn', { type: 'Date' }),
    status: t.expose('status', { type: WireTransferStatusEnum }),
    holdReason: t.expose('holdReason', { type: WireTransferHoldReasonEnum, nullable: true }),
  }),
});

builder.objectFields(Invoice, (t) => ({
  paymentInstructions: t.field({
    type: PaymentInstructions,
    nullable: true,
    description:
      "Bank details and the reference to quote, when this invoice is paid by wire transfer (the profile's choice, an Enterprise Agreement, or above the card ceiling); such invoices are never charged automatically.",
    resolve: (i, _args, ctx) => instructionsFor(i, ctx),
  }),
  wireTransfers: t.loadableList({
    type: WireTransfer,
    description: 'Wire transfers received against this invoice, oldest first.',
    load: async (invoiceIds: number[], ctx) =>
      groupedBy(invoiceIds, await ctx.services.store.reads.wireTransfersByInvoiceIds(invoiceIds), (w) => w.invoiceId),
    resolve: (i) => i.id,
  }),
}));

const SetDefaultPaymentTypeInput = builder.inputType('SetDefaultPaymentTypeInput', {
  fields: (t) => ({
    billingProfileId: t.id({ required: true }),
    type: t.field({ type: DefaultPaymentTypeEnum, required: true }),
  }),
});

builder.mutationField('setDefaultPaymentType', (t) =>
  t.field({
    type: BillingProfile,
    description:
      'Makes wire transfer (or the default card) how a profile pays (owners and contributors). Wire-transfer invoices show `paymentInstructions` and are never charged automatically; choosing a default card switches back to CARD.',
    args: { input: t.arg({ type: SetDefaultPaymentTypeInput, required: true }) },
    authScopes: { authenticated: true },
    errors: {
      types: [...COMMON_ERRORS],
      result: { name: 'SetDefaultPaymentTypeSuccess' },
      union: { name: 'SetDefaultPaymentTypeResult' },
      dataField: { name: 'billingProfile' },
    },
    resolve: async (_root, { input }, ctx) => {
      const billingProfileId = fromGlobalId(String(input.billingProfileId), 'BillingProfile');
      if (billingProfileId === null) throw new NotFoundError('BillingProfile');
      const updated = await setDefaultPaymentType(ctx.services, ctx.access, { billingProfileId, type: input.type });
      return loadAfterWrite(ctx, BillingProfile, updated.id);
    },
  }),
);
