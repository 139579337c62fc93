// Paying by wire transfer: which invoices are paid that way (and so show the bank details and the
// reference to quote), and recording a transfer the bank reported. A transfer is applied only when it
// matches its invoice exactly (reference = invoice number, same currency, the whole amount due); a
// short, over or otherwise unmatched one is held for a person to review and changes no invoice.
import { and, eq, gt } from 'drizzle-orm';
import type { AgreementType, DefaultPaymentType, WireTransferHoldReason, wireTransfers } from '../db/tables.js';
import { principalAllowedOnProfile, type AccessView } from './access.js';
import { recordAudit } from './audit.js';
import { recordInvoiceUpdated, transactionWithEvents } from './event-log.js';
import { publishProfileSettingsChanged } from './events.js';
import { isValidIsoDate } from './clock.js';
import type { WireTransferAccount } from './documents/document-data.js';
import { NotFoundError, ValidationError } from './errors.js';
import { cardPaymentRefusal, type PaymentRules } from './payment-rules.js';
import type { BillingServices } from './services.js';

export type WireTransferRow = typeof wireTransfers.$inferSelect;
export const WIRE_TRANSFER_ACTOR = 'system:bank-feed';

/**
 * Whether an invoice is paid by wire transfer: its profile chose it, or a card may not pay it (an
 * agreement without card payments, or an amount above the card ceiling). One rule for the API's
 * `paymentInstructions`, the invoice PDF and autopay.
 */
export function paysByWireTransfer(
  input: {
    defaultPaymentType: DefaultPaymentType;
    agreementType: AgreementType;
    amount: { minorUnits: number; currency: string };
  },
  rules: PaymentRules,
): boolean {
  return (
    input.defaultPaymentType === 'WIRE_TRANSFER' ||
    cardPaymentRefusal({ agreementType: input.agreementType, amount: input.amount }, rules) !== null
  );
}

export interface PaymentInstructions extends WireTransferAccount {
  /** What the payer must quote: the invoice number. */
  reference: string;
}

export function paymentInstructionsFor(invoice: { number: string }, account: WireTransferAccount): PaymentInstructions {
  return { ...account, reference: invoice.number };
}

export interface RecordWireTransferInput {
  /** What the payer quoted; matched to an invoice number. */
  reference: string;
  amountMinor: number;
  currency: string;
  receivedOn: string;
  /** The bank's id of the transfer. */
  bankReference: string;
}

function holdReasonFor(
  invoice: { lifecycle: string; amountDueMinor: number; currency: string },
  transfer: { amountMinor: number; currency: string },
): WireTransferHoldReason | null {
  if (invoice.lifecycle !== 'OPEN' || invoice.amountDueMinor <= 0) return 'NOT_PAYABLE';
  if (transfer.currency !== invoice.currency) return 'CURRENCY';
  if (transfer.amountMinor < invoice.amountDueMinor) return 'SHORT_PAYMENT';
  if (transfer.amountMinor > invoice.amountDueMinor) return 'OVERPAYMENT';
  return null;
}

/**
 * Records a received transfer (operators, from the bank feed or the CLI: `recordedBy` names them).
 * Recording the same bank reference again returns the first record and changes nothing.
 */
export async function recordWireTransfer(
  services: BillingServices,
  input: RecordWireTransferInput,
  recordedBy: string,
): Promise<WireTransferRow> {
  if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor <= 0)
    throw new ValidationError('input.amountMinor', 'The amount is a positive whole number of minor units.');
  if (!/^[A-Z]{3}$/.test(input.currency))
    throw new ValidationError('input.currency', 'The currency is an ISO 4217 code.');
  if (!isValidIsoDate(input.receivedOn)) throw new ValidationError('input.receivedOn', 'Not a date (YYYY-MM-DD).');
  if (input.bankReference.trim() === '' || input.bankReference.length > 128)
    throw new ValidationError('input.bankReference', "The bank's reference is 1 to 128 characters.");
  const reference = input.reference.trim();
  const { invoices, wireTransfers } = services.store.t;
  const now = services.clock.now();
  const nowIso = now.toISOString();

  const existing = await services.store.db.query.wireTransfers.findFirst({
    where: { bankReference: input.bankReference },
  });
  if (existing) return existing;
  const invoice = await services.store.db.query.invoices.findFirst({ where: { number: reference } });
  if (!invoice) throw new NotFoundError('Invoice', `No invoice has the number ${JSON.stringify(reference)}.`);

  return transactionWithEvents(services, async (tx, record) => {
    const [current] = await tx.select().from(invoices).where(eq(invoices.id, invoice.id));
    let holdReason = holdReasonFor(current!, input);
    if (holdReason === null) {
      // Conditional, like a card payment's reservation: an invoice paid meanwhile is not paid twice.
      const [paid] = await tx
        .update(invoices)
        .set({ lifecycle: 'PAID', paidAt: nowIso, amountDueMinor: 0, nextAutopayAt: null, updatedAt: nowIso })
        .where(
          and(
            eq(invoices.id, invoice.id),
            eq(invoices.lifecycle, 'OPEN'),
            eq(invoices.amountDueMinor, input.amountMinor),
            gt(invoices.amountDueMinor, 0),
          ),
        )
        .returning();
      if (paid) await recordInvoiceUpdated(record, paid, services.clock);
      else holdReason = 'NOT_PAYABLE';
    }
    const [row] = await tx
      .insert(wireTransfers)
      .values({
        billingAccountId: invoice.billingAccountId,
        invoiceId: invoice.id,
        bankReference: input.bankReference,
        reference,
        amountMinor: input.amountMinor,
        currency: input.currency,
        receivedOn: input.receivedOn,
        status: holdReason ? 'HELD_FOR_REVIEW' : 'APPLIED',
        holdReason,
        recordedBy,
        createdAt: nowIso,
      })
      .returning();
    await recordAudit(
      services,
      {
        actor: recordedBy,
        action: 'wire-transfer.record',
        target: `invoice:${invoice.id}`,
        outcome: holdReason ? `held:${holdReason}` : 'applied',
        billingAccountId: invoice.billingAccountId,
        detail: { wireTransferId: row!.id, amountMinor: input.amountMinor, currency: input.currency },
      },
      now,
      tx,
    );
    return row!;
  });
}

/** Makes wire transfer (or the default card again) how a profile pays: owners and contributors. */
export async function setDefaultPaymentType(
  services: BillingServices,
  access: AccessView,
  input: { billingProfileId: number; type: DefaultPaymentType },
) {
  const { billingProfiles, invoices } = services.store.t;
  const found = await services.store.db.query.billingProfiles.findFirst({ where: { id: input.billingProfileId } });
  const { actor, profile } = principalAllowedOnProfile(
    access,
    found,
    'MANAGE_PAYMENT_METHODS',
    'Only billing account owners and contributors can manage payment methods.',
  );
  const now = services.clock.now();
  const updated = await services.store.transaction(async (tx) => {
    const [updated] = await tx
      .update(billingProfiles)
      .set({ defaultPaymentType: input.type })
      .where(eq(billingProfiles.id, profile.id))
      .returning();
    // Wire-transfer invoices are never charged automatically: nothing stays scheduled.
    if (input.type === 'WIRE_TRANSFER')
      await tx.update(invoices).set({ nextAutopayAt: null }).where(eq(invoices.billingProfileId, profile.id));
    await recordAudit(
      services,
      {
        actor,
        action: 'billing-profile.set-default-payment-type',
        target: `billing-profile:${profile.id}`,
        outcome: input.type,
        billingAccountId: profile.billingAccountId,
      },
      now,
      tx,
    );
    return updated!;
  });
  publishProfileSettingsChanged(services, updated);
  return updated;
}
