// Autopay: a closed period's invoice is charged to its profile's default card, through the same
// reserve -> charge -> settle path as payInvoice (payments.ts), and retried on a schedule (dunning)
// after a decline until it is paid or the schedule runs out.
//
// At most one charge per invoice, whatever reruns, crashes and instances do:
// - attempt N is reserved by one conditional write that also moves `autopay_attempts` from N-1 to N
//   (so two instances, or a rerun, cannot both take attempt N), and schedules the next try before the
//   charge, so a crash after it needs no further bookkeeping;
// - its processor key is `autopay_<invoice>_<N>`: derived, never random, so whoever retries attempt N
//   asks the processor under the same key and cannot charge again;
// - `payments_one_active_per_invoice` and the invoice's PAYMENT_IN_PROGRESS state still hold, and a
//   lost answer is settled by the reconciler like any other attempt.
import { and, asc, eq, gt, isNotNull, lte } from 'drizzle-orm';
import { principalAllowedOnProfile, type AccessView } from './access.js';
import { runPeriodically } from './periodic.js';
import { recordAudit } from './audit.js';
import { publishProfileSettingsChanged } from './events.js';
import { isCardExpired } from './cards.js';
import {
  InvoiceNotPayableError,
  PaymentMethodNotAllowedError,
  type PaymentMethodNotAllowedReason,
  type PaymentMethodUnusableReason,
} from './errors.js';
import { chargeReservedAttempt, reserveAttempt, type PaymentRow, type ReservedAttempt } from './payments.js';
import { cardPaymentRefusal } from './payment-rules.js';
import type { BillingServices } from './services.js';

export const AUTOPAY_ACTOR = 'system:autopay';
/** The advisory lock name under which one instance at a time runs the pass. */
export const AUTOPAY_LOCK = 'billing-gateway:autopay';

export interface AutopaySettings {
  /**
   * Days after each failed automatic charge before the next one: `[1, 3, 7]` tries again one day after
   * the first decline, three days after the second and seven after the third, then stops (the invoice
   * stays due, with Pay now).
   */
  retryDelaysDays: readonly number[];
}

export const DEFAULT_AUTOPAY_SETTINGS: AutopaySettings = { retryDelaysDays: [1, 3, 7] };

/** The processor key of automatic attempt `attempt` (1-based) on an invoice. */
export function autopayProcessorKey(invoiceId: number, attempt: number): string {
  return `autopay_${invoiceId}_${attempt}`;
}

/** When the try after failed attempt `attempt` is due, or null when the schedule has run out. */
export function nextAutopayAt(settings: AutopaySettings, attempt: number, from: Date): string | null {
  const days = settings.retryDelaysDays[attempt - 1];
  return days === undefined ? null : new Date(from.getTime() + days * 24 * 60 * 60 * 1000).toISOString();
}

/** Why an automatic charge was not tried; the invoice stays due and Pay now is offered. */
export type AutopaySkipReason =
  | 'AUTOPAY_OFF'
  | 'WIRE_TRANSFER'
  | 'NO_DEFAULT_PAYMENT_METHOD'
  | Extract<PaymentMethodUnusableReason, 'EXPIRED' | 'REMOVED'>
  | Exclude<PaymentMethodNotAllowedReason, 'CARD_KIND'>;

export type AutopayOutcome =
  | { kind: 'charged'; payment: PaymentRow }
  | { kind: 'declined'; payment: PaymentRow; nextAttemptAt: string | null }
  /** The processor's answer was lost; reconciliation settles the attempt. */
  | { kind: 'processing'; payment: PaymentRow }
  | { kind: 'skipped'; reason: AutopaySkipReason }
  /** Not scheduled yet, already paid, or another instance took this attempt. */
  | { kind: 'not-due' };

/** Stops scheduling an invoice (nothing can be charged automatically) and records why. */
async function skip(
  services: BillingServices,
  invoice: { id: number; billingAccountId: number; autopayAttempts: number },
  reason: AutopaySkipReason,
): Promise<AutopayOutcome> {
  const { invoices } = services.store.t;
  const now = services.clock.now();
  await services.store.transaction(async (tx) => {
    const [cleared] = await tx
      .update(invoices)
      .set({ nextAutopayAt: null, updatedAt: now.toISOString() })
      .where(and(eq(invoices.id, invoice.id), eq(invoices.autopayAttempts, invoice.autopayAttempts)))
      .returning({ id: invoices.id });
    if (!cleared) return;
    await recordAudit(
      services,
      {
        actor: AUTOPAY_ACTOR,
        action: 'autopay.skip',
        target: `invoice:${invoice.id}`,
        outcome: reason,
        billingAccountId: invoice.billingAccountId,
      },
      now,
      tx,
    );
  });
  return { kind: 'skipped', reason };
}

/** Charges one scheduled invoice to its profile's default card, if it is due for autopay now. */
export async function chargeInvoiceAutomatically(
  services: BillingServices,
  invoiceId: number,
): Promise<AutopayOutcome> {
  const now = services.clock.now();
  const nowIso = now.toISOString();
  const invoice = await services.store.db.query.invoices.findFirst({ where: { id: invoiceId } });
  if (
    invoice?.lifecycle !== 'OPEN' ||
    invoice.amountDueMinor <= 0 ||
    invoice.nextAutopayAt === null ||
    invoice.nextAutopayAt > nowIso
  ) {
    return { kind: 'not-due' };
  }
  const profile = await services.store.db.query.billingProfiles.findFirst({
    where: { id: invoice.billingProfileId },
    with: { account: true, defaultPaymentMethod: true },
  });
  if (!profile) throw new Error(`invoice ${invoice.id} has no profile`);
  if (!profile.autopay) return skip(services, invoice, 'AUTOPAY_OFF');
  if (profile.defaultPaymentType === 'WIRE_TRANSFER') return skip(services, invoice, 'WIRE_TRANSFER');
  const method = profile.defaultPaymentMethod;
  if (!method) return skip(services, invoice, 'NO_DEFAULT_PAYMENT_METHOD');
  if (method.removedAt) return skip(services, invoice, 'REMOVED');
  if (isCardExpired(method, services.clock)) return skip(services, invoice, 'EXPIRED');
  if (method.notForRecurring) return skip(services, invoice, 'NOT_FOR_RECURRING');
  const refusal = cardPaymentRefusal(
    {
      agreementType: profile.account.agreementType,
      amount: { minorUnits: invoice.amountDueMinor, currency: invoice.currency },
    },
    services.settings.paymentRules,
  );
  if (refusal?.reason === 'AGREEMENT_TYPE' || refusal?.reason === 'ABOVE_CARD_CEILING')
    return skip(services, invoice, refusal.reason);

  const { invoices } = services.store.t;
  const attemptNumber = invoice.autopayAttempts + 1;
  const following = nextAutopayAt(services.settings.autopay, attemptNumber, now);
  let reserved: ReservedAttempt;
  try {
    reserved = await reserveAttempt(services, {
      invoiceId: invoice.id,
      method,
      initiatedBy: AUTOPAY_ACTOR,
      processorKey: autopayProcessorKey(invoice.id, attemptNumber),
      guard: and(
        eq(invoices.autopayAttempts, invoice.autopayAttempts),
        isNotNull(invoices.nextAutopayAt),
        lte(invoices.nextAutopayAt, nowIso),
      ),
      set: { autopayAttempts: attemptNumber, nextAutopayAt: following },
    });
  } catch (error) {
    // Someone else (another instance, a rerun, a person paying by hand) got there first.
    if (error instanceof InvoiceNotPayableError) return { kind: 'not-due' };
    throw error;
  }
  const payment = await chargeReservedAttempt(services, reserved, AUTOPAY_ACTOR);
  if (payment.status === 'SUCCEEDED') return { kind: 'charged', payment };
  if (payment.status === 'FAILED') return { kind: 'declined', payment, nextAttemptAt: following };
  return { kind: 'processing', payment };
}

export interface AutopayPassSummary {
  examined: number;
  charged: number;
  declined: number;
  processing: number;
  skipped: number;
}

/**
 * Charges every invoice whose automatic charge is due, one at a time. Runs under `store.exclusively`,
 * so with several instances one runs it and the others return null.
 */
export function runAutopayPass(services: BillingServices): Promise<AutopayPassSummary | null> {
  return services.store.exclusively(AUTOPAY_LOCK, async () => {
    const { invoices } = services.store.t;
    const due = await services.store.db
      .select({ id: invoices.id })
      .from(invoices)
      .where(
        and(
          lte(invoices.nextAutopayAt, services.clock.now().toISOString()),
          eq(invoices.lifecycle, 'OPEN'),
          gt(invoices.amountDueMinor, 0),
        ),
      )
      .orderBy(asc(invoices.nextAutopayAt), asc(invoices.id));
    const summary: AutopayPassSummary = { examined: due.length, charged: 0, declined: 0, processing: 0, skipped: 0 };
    for (const { id } of due) {
      const outcome = await chargeInvoiceAutomatically(services, id);
      if (outcome.kind === 'charged') summary.charged += 1;
      else if (outcome.kind === 'declined') summary.declined += 1;
      else if (outcome.kind === 'processing') summary.processing += 1;
      else if (outcome.kind === 'skipped') summary.skipped += 1;
    }
    return summary;
  });
}

/** Runs the autopay pass every `intervalMs` (see runPeriodically). */
export function startAutopayScheduler(
  services: BillingServices,
  intervalMs: number,
  options: { onError?: (error: unknown) => void } = {},
): () => void {
  const onError = options.onError ?? ((error: unknown) => console.error('autopay pass failed', error));
  return runPeriodically(intervalMs, () => runAutopayPass(services), onError);
}

/**
 * Turns a profile's autopay on or off: the billing account admin's decision (it authorizes charges
 * without anyone present). Turning it on is refused while the default card may not be charged
 * recurringly. Turning it off unschedules the profile's pending automatic charges.
 */
export async function setAutopay(
  services: BillingServices,
  access: AccessView,
  input: { billingProfileId: number; enabled: boolean },
) {
  const { billingProfiles, invoices } = services.store.t;
  const found = await services.store.db.query.billingProfiles.findFirst({
    where: { id: input.billingProfileId },
    with: { defaultPaymentMethod: true },
  });
  const { actor, profile } = principalAllowedOnProfile(
    access,
    found,
    'PAY_INVOICES',
    'Only the billing account admin can change autopay.',
  );
  const card = profile.defaultPaymentMethod;
  if (input.enabled && card && !card.removedAt && card.notForRecurring) {
    throw new PaymentMethodNotAllowedError({ reason: 'NOT_FOR_RECURRING', issuingCountry: null });
  }
  const now = services.clock.now();
  const updated = await services.store.transaction(async (tx) => {
    const [updated] = await tx
      .update(billingProfiles)
      .set({ autopay: input.enabled })
      .where(eq(billingProfiles.id, profile.id))
      .returning();
    if (!input.enabled) {
      await tx
        .update(invoices)
        .set({ nextAutopayAt: null })
        .where(and(eq(invoices.billingProfileId, profile.id), isNotNull(invoices.nextAutopayAt)));
    }
    await recordAudit(
      services,
      {
        actor,
        action: input.enabled ? 'autopay.enable' : 'autopay.disable',
        target: `billing-profile:${profile.id}`,
        outcome: 'succeeded',
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
