// Closing a billing period: the period's invoice is issued and the account's credits are applied to
// it, in one transaction, before anything is charged; on an autopay profile the rest is then charged
// to the default card (autopay.ts). Closing the same period again finds the invoice it issued (its
// number is derived from the profile and the period) and only finishes what a crash interrupted.
import { eq } from 'drizzle-orm';
import { recordAudit } from './audit.js';
import { recordInvoiceCreated, transactionWithEvents } from './event-log.js';
import { chargeInvoiceAutomatically, type AutopayOutcome } from './autopay.js';
import { addDays, isValidIsoDate, isoDate } from './clock.js';
import { applyStoredCredits } from './credit-ledger.js';
import { NotFoundError, ValidationError } from './errors.js';
import type { BillingServices } from './services.js';

/** Days from the invoice date to the due date. */
export const PAYMENT_TERMS_DAYS = 30;
export const PERIOD_CLOSE_ACTOR = 'system:period-close';

export interface UsageLine {
  description: string;
  serviceName: string;
  quantity: number;
  unitPriceMinor: number;
}

export interface ClosePeriodInput {
  billingProfileId: number;
  /** First and last day (inclusive, UTC `YYYY-MM-DD`). */
  periodStart: string;
  periodEnd: string;
  lineItems: readonly UsageLine[];
  /** Tax on the period, in minor units (the tax rules are not this gateway's). */
  taxMinor: number;
}

export interface ClosedPeriod {
  invoiceId: number;
  invoiceNumber: string;
  /** False when an earlier close already issued this period's invoice. */
  created: boolean;
  totalMinor: number;
  creditAppliedMinor: number;
  amountDueMinor: number;
  /** What autopay did with it (not-due when the profile pays otherwise, or nothing is left to pay). */
  autopay: AutopayOutcome;
}

/** The period's invoice number: one per profile and period end, so a rerun finds it. */
export function periodInvoiceNumber(billingProfileId: number, periodEnd: string): string {
  return `A${String(billingProfileId).padStart(6, '0')}${periodEnd.replaceAll('-', '')}`;
}

const isMinorUnits = (n: number) => Number.isSafeInteger(n) && n >= 0;

function validate(input: ClosePeriodInput): void {
  if (!isValidIsoDate(input.periodStart)) throw new ValidationError('input.periodStart', 'Not a date (YYYY-MM-DD).');
  if (!isValidIsoDate(input.periodEnd)) throw new ValidationError('input.periodEnd', 'Not a date (YYYY-MM-DD).');
  if (input.periodStart > input.periodEnd)
    throw new ValidationError('input.periodEnd', 'The period ends before it starts.');
  if (!isMinorUnits(input.taxMinor))
    throw new ValidationError('input.taxMinor', 'Tax is a non-negative whole number of minor units.');
  input.lineItems.forEach((line, i) => {
    if (
      !isMinorUnits(line.quantity) ||
      !isMinorUnits(line.unitPriceMinor) ||
      !isMinorUnits(line.quantity * line.unitPriceMinor)
    )
      throw new ValidationError(`input.lineItems.${i}`, 'Quantities and prices are non-negative whole numbers.');
  });
}

/** Issues the period's invoice with credits applied, then charges the rest on an autopay profile. */
export async function closeBillingPeriod(services: BillingServices, input: ClosePeriodInput): Promise<ClosedPeriod> {
  const issued = await issuePeriodInvoice(services, input);
  return { ...issued, autopay: await chargeInvoiceAutomatically(services, issued.invoiceId) };
}

async function issuePeriodInvoice(
  services: BillingServices,
  input: ClosePeriodInput,
): Promise<Omit<ClosedPeriod, 'autopay'>> {
  validate(input);
  const { invoices, invoiceLineItems } = services.store.t;
  const profile = await services.store.db.query.billingProfiles.findFirst({ where: { id: input.billingProfileId } });
  if (!profile) throw new NotFoundError('BillingProfile');
  const number = periodInvoiceNumber(profile.id, input.periodEnd);
  const now = services.clock.now();
  const nowIso = now.toISOString();
  const subtotalMinor = input.lineItems.reduce((sum, l) => sum + l.quantity * l.unitPriceMinor, 0);
  const totalMinor = subtotalMinor + input.taxMinor;
  const invoiceDate = addDays(input.periodEnd, 1);

  return transactionWithEvents(services, async (tx, record): Promise<Omit<ClosedPeriod, 'autopay'>> => {
    const [inserted] = await tx
      .insert(invoices)
      .values({
        number,
        billingAccountId: profile.billingAccountId,
        billingProfileId: profile.id,
        periodStart: input.periodStart,
        periodEnd: input.periodEnd,
        invoiceDate,
        dueDate: addDays(invoiceDate, PAYMENT_TERMS_DAYS),
        currency: profile.currency,
        subtotalMinor,
        taxMinor: input.taxMinor,
        totalMinor,
        amountDueMinor: totalMinor,
        lifecycle: 'OPEN',
        createdAt: nowIso,
        updatedAt: nowIso,
      })
      .onConflictDoNothing({ target: invoices.number })
      .returning();
    if (!inserted) {
      const [existing] = await tx.select().from(invoices).where(eq(invoices.number, number));
      if (!existing || existing.billingProfileId !== profile.id) throw new Error(`invoice number ${number} is taken`);
      return {
        invoiceId: existing.id,
        invoiceNumber: number,
        created: false,
        totalMinor: existing.totalMinor,
        creditAppliedMinor: existing.creditAppliedMinor,
        amountDueMinor: existing.amountDueMinor,
      };
    }
    if (input.lineItems.length) {
      await tx.insert(invoiceLineItems).values(
        input.lineItems.map((l, i) => ({
          billingAccountId: profile.billingAccountId,
          invoiceId: inserted.id,
          position: i + 1,
          description: l.description,
          serviceName: l.serviceName,
          quantity: l.quantity,
          unitPriceMinor: l.unitPriceMinor,
          amountMinor: l.quantity * l.unitPriceMinor,
        })),
      );
    }
    const credited = await applyStoredCredits(services, tx, {
      id: inserted.id,
      billingAccountId: profile.billingAccountId,
      totalMinor,
      currency: profile.currency,
      // A credit expiring on the last day of the period still pays for it.
      closesOn: input.periodEnd,
    });
    // Fully covered by credits: paid, with nothing to charge.
    const paid = credited.amountDueMinor === 0;
    const [closed] = await tx
      .update(invoices)
      .set({
        creditAppliedMinor: credited.creditAppliedMinor,
        amountDueMinor: credited.amountDueMinor,
        ...(paid ? { lifecycle: 'PAID' as const, paidAt: nowIso } : {}),
        // Scheduled in the same commit as the invoice, so a crash before the charge leaves it due for the pass.
        ...(!paid && profile.autopay && profile.defaultPaymentType === 'CARD' ? { nextAutopayAt: nowIso } : {}),
      })
      .where(eq(invoices.id, inserted.id))
      .returning();
    await recordInvoiceCreated(record, closed!, services.clock);
    await recordAudit(
      services,
      {
        actor: PERIOD_CLOSE_ACTOR,
        action: 'period.close',
        target: `invoice:${inserted.id}`,
        outcome: 'succeeded',
        billingAccountId: profile.billingAccountId,
        detail: {
          billingProfileId: profile.id,
          periodEnd: input.periodEnd,
          totalMinor,
          creditAppliedMinor: credited.creditAppliedMinor,
          amountDueMinor: credited.amountDueMinor,
          closedOn: isoDate(now),
        },
      },
      now,
      tx,
    );
    return {
      invoiceId: inserted.id,
      invoiceNumber: number,
      created: true,
      totalMinor,
      creditAppliedMinor: credited.creditAppliedMinor,
      amountDueMinor: credited.amountDueMinor,
    };
  });
}
