// Paying an invoice, exactly once, whatever the retries, races and crashes.
//
// 1. One transaction claims the client's idempotency key (idempotency.ts), checks the request,
//    reserves the invoice (OPEN -> PAYMENT_IN_PROGRESS, conditionally, so of many concurrent payers
//    exactly one wins) and inserts a PROCESSING payment attempt. The partial unique index
//    `payments_one_active_per_invoice` backs the reservation up in the database itself. A refusal
//    (not found, not allowed, not payable, unusable card, lost race) rolls the claim back with the
//    rest, so a retry runs again; a claim never commits without its attempt.
// 2. The processor is charged outside any transaction, under the attempt's own processor key, so
//    asking again later can never charge twice.
// 3. One transaction settles the attempt: payment and invoice state, audit event and the client's
//    idempotency answer commit together. If the answer was lost (timeout, crash), the attempt stays
//    PROCESSING and reconciliation (reconciliation.ts) settles it later by asking the processor,
//    through the same `settlePayment`.
import { randomBytes } from 'node:crypto';
import { and, eq, gt, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { ONE_LIVE_ATTEMPT_INDEX, type StoreDb } from '../db/store.js';
import type { invoices, paymentMethods, payments } from '../db/tables.js';
import { principalId, type AccessView } from './access.js';
import { recordAudit } from './audit.js';
import { isCardExpired } from './cards.js';
import {
  CardDeclinedError,
  DECLINE_CODES,
  deserializeBillingError,
  IdempotencyKeyConflictError,
  IdempotencyKeyInUseError,
  InvoiceNotPayableError,
  NotAuthorizedError,
  NotFoundError,
  PaymentMethodUnusableError,
  serializeBillingError,
  ValidationError,
  type DeclineCode,
  type SerializedBillingError,
} from './errors.js';
import { type RecordEvent, recordInvoiceUpdated, recordPaymentUpdated, transactionWithEvents } from './event-log.js';
import { claimIdempotent, completeIdempotentRecord, requestFingerprint, type IdempotencyBegin } from './idempotency.js';
import { notPayableReason } from './invoice-status.js';
import type { ChargeOutcome } from './payment-processor.js';
import { assertCardPaymentAllowed } from './payment-rules.js';
import type { BillingServices } from './services.js';

export const PAY_INVOICE_OPERATION = 'payInvoice';
/** The audit actor for settlements made by the reconciler rather than by a request. */
export const RECONCILER_ACTOR = 'system:reconciler';

export type PaymentRow = typeof payments.$inferSelect;
type InvoiceRow = typeof invoices.$inferSelect;
type PaymentMethodRow = typeof paymentMethods.$inferSelect;

export interface PayInvoiceInput {
  invoiceId: number;
  paymentMethodId: number;
  /** Chosen by the client per payment intent; 1 to 255 characters. */
  idempotencyKey: string;
}

export interface PayInvoiceResult {
  paymentId: number;
  invoiceId: number;
  /**
   * SUCCEEDED: the invoice is paid. PROCESSING: the processor's answer was lost (timeout); the
   * invoice stays PAYMENT_IN_PROGRESS until reconciliation settles the attempt, and a retry with the
   * same key answers IdempotencyKeyInUseError until then, and the settled outcome after.
   */
  status: 'SUCCEEDED' | 'PROCESSING';
}

/** What payInvoice's idempotency record holds: the success, or the decline to throw again. */
export type StoredPayInvoiceOutcome =
  | { ok: true; result: PayInvoiceResult }
  | { ok: false; error: SerializedBillingError };

/** Who settled an attempt: the paying request itself, or the reconciler. */
export type SettledBy = 'request' | 'reconciler';

export interface SettledPayment {
  payment: PaymentRow;
  invoice: InvoiceRow;
  /** False when the attempt had already been settled (by the other of request and reconciler). */
  changed: boolean;
}

// --- The attempt's processor key -----------------------------------------------------------------

const PROCESSOR_KEY_SHAPE = /^pay_\d+_(\d+)_[0-9a-f]+$/;

/**
 * `pay_<invoiceId>_<idempotencyRecordId>_<random>`. The record id links the attempt to the client's
 * idempotency record without a column for it, so whoever settles the attempt (the request, or the
 * reconciler after a crash) completes that record. Record ids are never reused (AUTOINCREMENT, and an
 * expired record is replaced under a new id). The random part keeps keys unique at the processor even
 * if this database is recreated (ids restart) while the processor remembers old keys.
 */
export function processorKeyFor(invoiceId: number, idempotencyRecordId: number): string {
  return `pay_${invoiceId}_${idempotencyRecordId}_${randomBytes(8).toString('hex')}`;
}

export function idempotencyRecordIdOf(processorKey: string): number | null {
  const match = PROCESSOR_KEY_SHAPE.exec(processorKey);
  return match ? Number(match[1]) : null;
}

/** SQL condition: the payment attempt was started under idempotency record `recordId` (see processorKeyFor). */
export function isAttemptOfRecord(services: BillingServices, recordId: SQLWrapper): SQL {
  // `!_` is a literal `_` (LIKE's wildcard escaped, the same on both dialects); invoice ids are digits
  // and the random part is hex, so `_<id>_` after the invoice id is unambiguous.
  return sql`${services.store.t.payments.processorIdempotencyKey} LIKE 'pay!_%!_' || ${recordId} || '!_%' ESCAPE '!'`;
}

// --- Outcomes ------------------------------------------------------------------------------------

function declineCodeOf(payment: PaymentRow): DeclineCode {
  return (DECLINE_CODES as readonly string[]).includes(payment.failureCode ?? '')
    ? (payment.failureCode as DeclineCode)
    : 'PROCESSING_ERROR';
}

/** The stored answer for a settled attempt. */
function storedOutcomeOf(payment: PaymentRow): StoredPayInvoiceOutcome {
  if (payment.status === 'SUCCEEDED') {
    return { ok: true, result: { paymentId: payment.id, invoiceId: payment.invoiceId, status: 'SUCCEEDED' } };
  }
  return { ok: false, error: serializeBillingError(new CardDeclinedError(declineCodeOf(payment))) };
}

/** Returns the stored success, or throws the stored error (rebuilt as its own class). */
function replay(outcome: StoredPayInvoiceOutcome): PayInvoiceResult {
  if (outcome.ok) return outcome.result;
  throw deserializeBillingError(outcome.error);
}

/** The caller's answer for an attempt in any state. */
function resultOf(payment: PaymentRow): PayInvoiceResult {
  if (payment.status === 'PROCESSING')
    return { paymentId: payment.id, invoiceId: payment.invoiceId, status: 'PROCESSING' };
  return replay(storedOutcomeOf(payment));
}

// --- Settling an attempt -------------------------------------------------------------------------

/**
 * Writes a processor outcome to a PROCESSING attempt, in one transaction: the payment, the invoice
 * (PAID, or OPEN again after a failure), the audit event and the client's idempotency answer. Only a
 * PROCESSING attempt changes, so when the request and the reconciler race, the first one wins and
 * the other just reads the result.
 */
export async function settlePayment(
  services: BillingServices,
  paymentId: number,
  outcome: ChargeOutcome,
  settledBy: SettledBy,
): Promise<SettledPayment> {
  const now = services.clock.now();
  const nowIso = now.toISOString();
  const { invoices, payments } = services.store.t;
  return transactionWithEvents(services, async (tx, record): Promise<SettledPayment> => {
    const [payment] = await tx
      .update(payments)
      .set(
        outcome.status === 'SUCCEEDED'
          ? { status: 'SUCCEEDED', processorReference: outcome.reference, failureCode: null, updatedAt: nowIso }
          : {
              status: 'FAILED',
              processorReference: outcome.reference,
              failureCode: outcome.declineCode,
              updatedAt: nowIso,
            },
      )
      .where(and(eq(payments.id, paymentId), eq(payments.status, 'PROCESSING')))
      .returning();
    if (!payment) {
      const [current] = await tx.select().from(payments).where(eq(payments.id, paymentId));
      if (!current) throw new Error(`payment ${paymentId} does not exist`);
      const [invoice] = await tx.select().from(invoices).where(eq(invoices.id, current.invoiceId));
      return { payment: current, invoice: invoice!, changed: false };
    }

    // Guarded on PAYMENT_IN_PROGRESS: only the reservation this attempt made is released. The
    // invoice row comes back from the same statement, whether or not it changed (a RETURNING of
    // zero rows only if someone else moved it, which the guard forbids for a live attempt).
    const [released] = await tx
      .update(invoices)
      .set(
        payment.status === 'SUCCEEDED'
          ? { lifecycle: 'PAID', paidAt: nowIso, amountDueMinor: 0, updatedAt: nowIso }
          : { lifecycle: 'OPEN', updatedAt: nowIso },
      )
      .where(and(eq(invoices.id, payment.invoiceId), eq(invoices.lifecycle, 'PAYMENT_IN_PROGRESS')))
      .returning();
    const invoice = released ?? (await tx.select().from(invoices).where(eq(invoices.id, payment.invoiceId)))[0]!;

    await recordAudit(
      services,
      {
        actor: settledBy === 'request' ? payment.initiatedBy : RECONCILER_ACTOR,
        action: settledBy === 'request' ? 'invoice.pay' : 'payment.reconcile',
        target: `invoice:${payment.invoiceId}`,
        outcome: payment.status === 'SUCCEEDED' ? 'succeeded' : `failed:${declineCodeOf(payment)}`,
        billingAccountId: payment.billingAccountId,
        detail: {
          paymentId: payment.id,
          paymentMethodId: payment.paymentMethodId,
          amountMinor: payment.amountMinor,
          currency: payment.currency,
          processorReference: payment.processorReference,
          initiatedBy: payment.initiatedBy,
        },
      },
      now,
      tx,
    );

    const recordId = idempotencyRecordIdOf(payment.processorIdempotencyKey);
    if (recordId !== null) {
      await completeIdempotentRecord(services, tx, recordId, storedOutcomeOf(payment), {
        principal: payment.initiatedBy,
        operation: PAY_INVOICE_OPERATION,
      });
    }
    await recordPaymentUpdated(record, payment, invoice, services.clock);
    if (released?.lifecycle === 'PAID') await recordInvoiceUpdated(record, invoice, services.clock);
    return { payment, invoice, changed: true };
  });
}

/**
 * Asks the processor what happened to a PROCESSING attempt and settles it if the processor knows.
 * When the processor never saw the charge: with `writeOffMissing` the attempt is FAILED
 * (PROCESSING_ERROR) and the invoice reopened (never charged again); without it, it stays PROCESSING
 * (the request may still be on its way). An unreachable processor leaves it PROCESSING too.
 */
export async function settleFromProcessor(
  services: BillingServices,
  payment: PaymentRow,
  options: { writeOffMissing: boolean; settledBy: SettledBy },
): Promise<PaymentRow> {
  if (payment.status !== 'PROCESSING') return payment;
  let found: ChargeOutcome | null;
  try {
    found = await services.processor.findCharge(payment.processorIdempotencyKey);
  } catch {
    return payment; // Unknown is unknown: try again on the next pass.
  }
  const outcome: ChargeOutcome | null =
    found ?? (options.writeOffMissing ? { status: 'FAILED', reference: null, declineCode: 'PROCESSING_ERROR' } : null);
  if (!outcome) return payment;
  return (await settlePayment(services, payment.id, outcome, options.settledBy)).payment;
}

// --- The request ---------------------------------------------------------------------------------

const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

interface Reserved {
  kind: 'reserved';
  attempt: ReservedAttempt;
}

/** Resolves and checks everything the payment needs, reading through `db`; throws the refusal otherwise. Writes nothing. */
async function loadPayable(
  services: BillingServices,
  db: StoreDb,
  access: AccessView,
  input: PayInvoiceInput,
): Promise<{ invoice: InvoiceRow; method: PaymentMethodRow }> {
  // One statement: the invoice, its account's agreement (it decides the card rules below) and the card,
  // looked up among the account's cards, so another account's card is not found.
  const invoice = await db.query.invoices.findFirst({
    where: { id: input.invoiceId },
    with: {
      account: {
        columns: { agreementType: true },
        with: { paymentMethods: { where: { id: input.paymentMethodId } } },
      },
    },
  });
  const target = invoice && { billingAccountId: invoice.billingAccountId, billingProfileId: invoice.billingProfileId };
  // Another tenant's invoice (or another profile's, for a profile-level role) reads exactly like a missing one.
  if (!invoice || !target || !access.can('READ_BILLING', target)) throw new NotFoundError('Invoice');
  if (!access.can('PAY_INVOICES', target))
    throw new NotAuthorizedError('Only the billing account admin can pay invoices.');
  const reason = notPayableReason(invoice);
  if (reason) throw new InvoiceNotPayableError(reason);

  // Checked only now, so the invoice's refusals come first, as when the card was a statement of its own.
  const method = invoice.account.paymentMethods[0];
  if (!method || method.billingAccountId !== invoice.billingAccountId) throw new NotFoundError('PaymentMethod');
  if (method.removedAt) throw new PaymentMethodUnusableError('REMOVED');
  if (method.billingProfileId !== invoice.billingProfileId) throw new PaymentMethodUnusableError('OTHER_PROFILE');
  if (isCardExpired(method, services.clock)) throw new PaymentMethodUnusableError('EXPIRED');
  // The agreement and the amount decide whether a card may pay at all (payment-rules.ts), after the
  // card itself was found, so a foreign card still reads as missing.
  assertCardPaymentAllowed(
    {
      agreementType: invoice.account.agreementType,
      amount: { minorUnits: invoice.amountDueMinor, currency: invoice.currency },
    },
    services.settings.paymentRules,
  );
  return { invoice, method };
}

export interface AttemptSpec {
  invoiceId: number;
  method: PaymentMethodRow;
  initiatedBy: string;
  /** The attempt's own processor key: payInvoice's (processorKeyFor) or autopay's (autopay.ts). */
  processorKey: string;
  /** Further conditions the invoice must meet to be reserved, and columns set with the reservation. */
  guard?: SQL;
  set?: Partial<typeof invoices.$inferInsert>;
}

/** A reserved invoice, its PROCESSING attempt, and the token to charge. */
export interface ReservedAttempt {
  payment: PaymentRow;
  invoice: InvoiceRow;
  token: string;
}

/**
 * Reserves the invoice and creates the PROCESSING attempt, atomically, in a transaction of its own.
 * Throws InvoiceNotPayableError if someone else won (or, with a `guard`, if it no longer holds).
 */
export function reserveAttempt(services: BillingServices, spec: AttemptSpec): Promise<ReservedAttempt> {
  return transactionWithEvents(services, (tx, record) => reserveAttemptIn(services, tx, record, spec));
}

/**
 * reserveAttempt in the caller's transaction (`tx`, `record` from transactionWithEvents). A refusal
 * throws: the caller must let it end the transaction (PostgreSQL's is aborted by the index's refusal).
 */
async function reserveAttemptIn(
  services: BillingServices,
  tx: StoreDb,
  record: RecordEvent,
  spec: AttemptSpec,
): Promise<ReservedAttempt> {
  const nowIso = services.clock.now().toISOString();
  const { invoices, payments } = services.store.t;
  const { invoiceId, method } = spec;
  // One conditional statement: of many concurrent payers exactly one sees the row come back.
  const [invoice] = await tx
    .update(invoices)
    .set({ ...spec.set, lifecycle: 'PAYMENT_IN_PROGRESS', updatedAt: nowIso })
    .where(and(eq(invoices.id, invoiceId), eq(invoices.lifecycle, 'OPEN'), gt(invoices.amountDueMinor, 0), spec.guard))
    .returning();
  if (!invoice) {
    const [current] = await tx.select().from(invoices).where(eq(invoices.id, invoiceId));
    if (!current) throw new NotFoundError('Invoice');
    throw new InvoiceNotPayableError(notPayableReason(current) ?? 'PAYMENT_IN_PROGRESS');
  }
  try {
    // No savepoint around it: the index's refusal ends this transaction anyway (the reservation
    // rolls back with it), so PostgreSQL's aborted transaction is never used again.
    const [payment] = await tx
      .insert(payments)
      .values({
        billingAccountId: invoice.billingAccountId,
        invoiceId: invoice.id,
        paymentMethodId: method.id,
        amountMinor: invoice.amountDueMinor,
        currency: invoice.currency,
        status: 'PROCESSING',
        processorIdempotencyKey: spec.processorKey,
        initiatedBy: spec.initiatedBy,
        createdAt: nowIso,
        updatedAt: nowIso,
      })
      .returning();
    await recordPaymentUpdated(record, payment!, invoice, services.clock);
    return { payment: payment!, invoice, token: method.processorToken };
  } catch (error) {
    if (services.store.isUniqueViolation(error, ONE_LIVE_ATTEMPT_INDEX))
      throw new InvoiceNotPayableError('PAYMENT_IN_PROGRESS');
    throw error;
  }
}

/**
 * Charges a reserved attempt outside any transaction, under its own processor key, and settles it;
 * a lost answer asks the processor, and an attempt still unknown stays PROCESSING for reconciliation.
 * Returns the attempt as it is afterwards. The one charging path of payInvoice and autopay.
 */
export async function chargeReservedAttempt(
  services: BillingServices,
  attempt: ReservedAttempt,
  actor: string,
): Promise<PaymentRow> {
  return (await chargeAndSettle(services, attempt, actor)).payment;
}

/**
 * The rows a request's settlement transaction left (its RETURNING rows, or what it read when the
 * reconciler had settled first): what reading them right after the commit gives.
 */
export interface SettledRows {
  payment: PaymentRow;
  invoice: InvoiceRow;
}

/** chargeReservedAttempt, with the rows of its settlement transaction when it ran one (null when it did not). */
async function chargeAndSettle(
  services: BillingServices,
  attempt: ReservedAttempt,
  actor: string,
): Promise<{ payment: PaymentRow; settled: SettledRows | null }> {
  const { payment, invoice, token } = attempt;

  let outcome: ChargeOutcome | null = null;
  try {
    outcome = await services.processor.charge(
      {
        idempotencyKey: payment.processorIdempotencyKey,
        token,
        amountMinor: payment.amountMinor,
        currency: payment.currency,
        description: `Invoice ${invoice.number}`,
      },
      { timeoutMs: services.settings.processorTimeoutMs },
    );
  } catch {
    // A timeout, or any failure mid-call: the charge may or may not have happened, so the attempt
    // stays PROCESSING and the processor is asked, never charged again.
  }
  await services.faults?.afterChargeBeforeFinalize?.();

  if (outcome) {
    const settled = await settlePayment(services, payment.id, outcome, 'request');
    return { payment: settled.payment, settled: { payment: settled.payment, invoice: settled.invoice } };
  }

  const checked = await settleFromProcessor(services, payment, { writeOffMissing: false, settledBy: 'request' });
  if (checked.status === 'PROCESSING') {
    await recordAudit(
      services,
      {
        actor,
        action: 'invoice.pay',
        target: `invoice:${invoice.id}`,
        outcome: 'unknown',
        billingAccountId: invoice.billingAccountId,
        detail: {
          paymentId: payment.id,
          paymentMethodId: payment.paymentMethodId,
          amountMinor: payment.amountMinor,
          currency: payment.currency,
        },
      },
      services.clock.now(),
    );
  }
  return { payment: checked, settled: null };
}

/**
 * Pays the amount due on an invoice with a card of its billing profile. Throws the domain errors of
 * errors.ts; a processor decline is a CardDeclinedError, recorded and replayed for the same key like
 * a success. See PayInvoiceResult for the lost-answer case.
 */
export async function payInvoice(
  services: BillingServices,
  access: AccessView,
  input: PayInvoiceInput,
): Promise<PayInvoiceResult> {
  return (await payInvoiceReturningRows(services, access, input)).result;
}

/**
 * payInvoice, with the payment and invoice rows as this request's settlement committed them, so the
 * answer can show them without reading them again; null when it settled nothing itself (a replay, an
 * answer still PROCESSING, or one found by asking the processor).
 */
export async function payInvoiceReturningRows(
  services: BillingServices,
  access: AccessView,
  input: PayInvoiceInput,
): Promise<{ result: PayInvoiceResult; settled: SettledRows | null }> {
  if (!access.principal) throw new NotAuthorizedError('Sign in to pay invoices.');
  if (input.idempotencyKey.length < 1 || input.idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new ValidationError(
      'input.idempotencyKey',
      `The idempotency key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters.`,
    );
  }
  const actor = principalId(access.principal);
  // Claim, checks and reservation in one transaction: a refusal thrown anywhere in it rolls the claim
  // back, so nothing of a refused request is left and a retry with the key is a fresh request.
  const started = await transactionWithEvents(
    services,
    async (tx, record): Promise<Exclude<IdempotencyBegin<StoredPayInvoiceOutcome>, { kind: 'new' }> | Reserved> => {
      const begun = await claimIdempotent<StoredPayInvoiceOutcome>(services, tx, {
        principal: actor,
        operation: PAY_INVOICE_OPERATION,
        key: input.idempotencyKey,
        fingerprint: requestFingerprint({ invoiceId: input.invoiceId, paymentMethodId: input.paymentMethodId }),
      });
      if (begun.kind !== 'new') return begun;
      const { invoice, method } = await loadPayable(services, tx, access, input);
      const attempt = await reserveAttemptIn(services, tx, record, {
        invoiceId: invoice.id,
        method,
        initiatedBy: actor,
        processorKey: processorKeyFor(invoice.id, begun.recordId),
      });
      return { kind: 'reserved', attempt };
    },
  );
  switch (started.kind) {
    case 'replay':
      return { result: replay(started.response), settled: null };
    case 'in-progress':
      throw new IdempotencyKeyInUseError();
    case 'conflict':
      throw new IdempotencyKeyConflictError();
    case 'reserved':
      break;
  }
  const { payment, settled } = await chargeAndSettle(services, started.attempt, actor);
  return { result: resultOf(payment), settled };
}
