// Cards on a billing profile. The number and CVC go to the processor to be tokenized and nowhere
// else: this database keeps the token, brand, last four digits, expiry and holder name.
import { and, count, eq, isNull, ne } from 'drizzle-orm';
import type { StoreDb } from '../db/store.js';
import type { paymentMethods } from '../db/tables.js';
import { principalId, type AccessView } from './access.js';
import { recordAudit } from './audit.js';
import { checkCardExpiry, validateNewCard, validHolderName } from './cards.js';
import { type RecordEvent, transactionWithEvents } from './event-log.js';
import {
  NotAuthorizedError,
  NotFoundError,
  PaymentMethodNotRemovableError,
  PaymentMethodUnusableError,
  type PaymentMethodNotRemovableReason,
} from './errors.js';
import type { CardDetails } from './payment-processor.js';
import { assertCardKindAccepted, mayChargeRecurring } from './payment-rules.js';
import type { BillingServices } from './services.js';

export type PaymentMethodRow = typeof paymentMethods.$inferSelect;

export interface AddPaymentMethodInput {
  billingProfileId: number;
  card: CardDetails;
  /** Make it the profile's default. A profile without a live default gets its new card as default anyway. */
  makeDefault?: boolean;
}

const NOT_ALLOWED = 'Only billing account owners and contributors can manage payment methods.';

interface ProfileTarget {
  billingAccountId: number;
  billingProfileId: number;
}

/** Visible: the principal reads billing data on that profile; otherwise it must look missing. */
function checkManage(access: AccessView, target: ProfileTarget, resource: 'BillingProfile' | 'PaymentMethod'): string {
  if (!access.principal || !access.can('READ_BILLING', target)) throw new NotFoundError(resource);
  if (!access.can('MANAGE_PAYMENT_METHODS', target)) throw new NotAuthorizedError(NOT_ALLOWED);
  return principalId(access.principal);
}

/** A card the principal may manage, or the refusal. */
async function loadManageable(
  services: BillingServices,
  access: AccessView,
  paymentMethodId: number,
): Promise<{ method: PaymentMethodRow; actor: string }> {
  const method = await services.store.db.query.paymentMethods.findFirst({ where: { id: paymentMethodId } });
  if (!method) throw new NotFoundError('PaymentMethod');
  const actor = checkManage(access, method, 'PaymentMethod');
  return { method, actor };
}

function audit(
  services: BillingServices,
  tx: StoreDb,
  actor: string,
  action: string,
  method: PaymentMethodRow,
  at: Date,
  extra: Record<string, unknown> = {},
): Promise<void> {
  return recordAudit(
    services,
    {
      actor,
      action,
      target: `payment-method:${method.id}`,
      outcome: 'succeeded',
      billingAccountId: method.billingAccountId,
      detail: { billingProfileId: method.billingProfileId, brand: method.brand, last4: method.last4, ...extra },
    },
    at,
    tx,
  );
}

async function setProfileDefault(
  services: BillingServices,
  tx: StoreDb,
  billingProfileId: number,
  paymentMethodId: number | null,
): Promise<void> {
  const { billingProfiles } = services.store.t;
  await tx
    .update(billingProfiles)
    .set({ defaultPaymentMethodId: paymentMethodId })
    .where(eq(billingProfiles.id, billingProfileId));
}

export async function addPaymentMethod(
  services: BillingServices,
  access: AccessView,
  input: AddPaymentMethodInput,
): Promise<PaymentMethodRow> {
  const profile = await services.store.db.query.billingProfiles.findFirst({ where: { id: input.billingProfileId } });
  if (!profile) throw new NotFoundError('BillingProfile');
  const actor = checkManage(
    access,
    { billingAccountId: profile.billingAccountId, billingProfileId: profile.id },
    'BillingProfile',
  );
  const card = validateNewCard(input.card, services.clock);
  const tokenized = await services.processor.tokenizeCard(card);
  // Only the processor knows what kind of card a number is; a refused one is never stored.
  assertCardKindAccepted(tokenized, services.settings.paymentRules);

  const now = services.clock.now();
  const { billingProfiles, paymentMethods } = services.store.t;
  return transactionWithEvents(services, async (tx, record) => {
    const [method] = await tx
      .insert(paymentMethods)
      .values({
        billingAccountId: profile.billingAccountId,
        billingProfileId: profile.id,
        brand: tokenized.brand,
        last4: tokenized.last4,
        expMonth: tokenized.expMonth,
        expYear: tokenized.expYear,
        holderName: card.holderName,
        processorToken: tokenized.token,
        // The issuing country decides it once, when the card is saved (paymentRules.noRecurringChargeCountries).
        notForRecurring: !mayChargeRecurring(tokenized, services.settings.paymentRules),
        createdAt: now.toISOString(),
      })
      .returning();
    if (!method) throw new Error('insert returned no row');
    // Read inside the transaction: the default may have changed since the profile was loaded.
    const [current] = await tx
      .select({ defaultId: billingProfiles.defaultPaymentMethodId, removedAt: paymentMethods.removedAt })
      .from(billingProfiles)
      .leftJoin(paymentMethods, eq(paymentMethods.id, billingProfiles.defaultPaymentMethodId))
      .where(eq(billingProfiles.id, profile.id));
    const hasLiveDefault = current?.defaultId != null && current.removedAt === null;
    const isDefault = input.makeDefault || !hasLiveDefault;
    if (isDefault) await setProfileDefault(services, tx, profile.id, method.id);
    await audit(services, tx, actor, 'payment-method.add', method, now);
    await recordCardEvent(record, 'PAYMENT_METHOD_ADDED', method, isDefault);
    return method;
  });
}

export async function setDefaultPaymentMethod(
  services: BillingServices,
  access: AccessView,
  paymentMethodId: number,
): Promise<PaymentMethodRow> {
  const { method, actor } = await loadManageable(services, access, paymentMethodId);
  if (method.removedAt) throw new PaymentMethodUnusableError('REMOVED');
  const now = services.clock.now();
  await transactionWithEvents(services, async (tx, record) => {
    await setProfileDefault(services, tx, method.billingProfileId, method.id);
    // Choosing a default card makes the profile pay by card again (after wire transfer).
    await tx
      .update(services.store.t.billingProfiles)
      .set({ defaultPaymentType: 'CARD' })
      .where(eq(services.store.t.billingProfiles.id, method.billingProfileId));
    await audit(services, tx, actor, 'payment-method.set-default', method, now);
    await recordCardEvent(record, 'PAYMENT_METHOD_UPDATED', method, true);
  });
  return method;
}

/** What `updatePaymentMethod` may change: the details printed on the card. Absent fields stay as they are. */
export interface PaymentMethodChanges {
  expMonth?: number;
  expYear?: number;
  holderName?: string;
}

/**
 * Updates a card's expiry and holder name (a renewed card keeps its number). The new expiry must be a
 * real month, not past; the name follows the free-text rule. A removed card cannot be updated.
 */
export async function updatePaymentMethod(
  services: BillingServices,
  access: AccessView,
  paymentMethodId: number,
  changes: PaymentMethodChanges,
): Promise<PaymentMethodRow> {
  const { method, actor } = await loadManageable(services, access, paymentMethodId);
  if (method.removedAt) throw new PaymentMethodUnusableError('REMOVED');
  const expiry = { expMonth: changes.expMonth ?? method.expMonth, expYear: changes.expYear ?? method.expYear };
  if (changes.expMonth !== undefined || changes.expYear !== undefined) checkCardExpiry(expiry, services.clock);
  const holderName = changes.holderName === undefined ? method.holderName : validHolderName(changes.holderName);
  const changed = [
    ...(expiry.expMonth !== method.expMonth ? ['expMonth'] : []),
    ...(expiry.expYear !== method.expYear ? ['expYear'] : []),
    ...(holderName !== method.holderName ? ['holderName'] : []),
  ];
  if (changed.length === 0) return method;

  const now = services.clock.now();
  const { paymentMethods } = services.store.t;
  return transactionWithEvents(services, async (tx, record) => {
    const [updated] = await tx
      .update(paymentMethods)
      .set({ ...expiry, holderName })
      .where(and(eq(paymentMethods.id, method.id), isNull(paymentMethods.removedAt)))
      .returning();
    // Removed by another request since it was loaded.
    if (!updated) throw new PaymentMethodUnusableError('REMOVED');
    // The field names only: the holder's name is personal data and stays out of the audit trail.
    await audit(services, tx, actor, 'payment-method.update', updated, now, { changed });
    await recordCardEvent(record, 'PAYMENT_METHOD_UPDATED', updated, await isProfileDefault(services, tx, updated));
    return updated;
  });
}

/**
 * Why a card may not be removed now, or null. The default goes only as the profile's last live card:
 * while there are others, one of them must be made the default first, so the profile is never left
 * without a default it could have. The last card of a profile with autopay on stays, or the next
 * period's charge would have nothing to charge.
 */
export function removalRefusal(
  card: { isDefault: boolean },
  profile: { autopay: boolean },
  otherLiveCards: number,
): PaymentMethodNotRemovableReason | null {
  if (card.isDefault && otherLiveCards > 0) return 'DEFAULT_PAYMENT_METHOD';
  if (profile.autopay && otherLiveCards === 0) return 'ONLY_CARD_ON_AUTOPAY';
  return null;
}

/**
 * Removes a card (soft delete, so past payments still show which card paid them), unless
 * `removalRefusal` refuses it. Removing a removed card changes nothing.
 */
export async function removePaymentMethod(
  services: BillingServices,
  access: AccessView,
  paymentMethodId: number,
): Promise<PaymentMethodRow> {
  const { method, actor } = await loadManageable(services, access, paymentMethodId);
  if (method.removedAt) return method;
  const now = services.clock.now();
  const { billingProfiles, paymentMethods } = services.store.t;
  return transactionWithEvents(services, async (tx, record) => {
    // Decided inside the write transaction: another request may have changed the default or the cards.
    const [profile] = await tx
      .select({ defaultId: billingProfiles.defaultPaymentMethodId, autopay: billingProfiles.autopay })
      .from(billingProfiles)
      .where(eq(billingProfiles.id, method.billingProfileId));
    const isDefault = profile?.defaultId === method.id;
    const [others] = await tx
      .select({ n: count() })
      .from(paymentMethods)
      .where(
        and(
          eq(paymentMethods.billingProfileId, method.billingProfileId),
          isNull(paymentMethods.removedAt),
          ne(paymentMethods.id, method.id),
        ),
      );
    const refusal = removalRefusal({ isDefault }, { autopay: profile?.autopay ?? false }, Number(others?.n ?? 0));
    if (refusal) throw new PaymentMethodNotRemovableError(refusal);
    const [removed] = await tx
      .update(paymentMethods)
      .set({ removedAt: now.toISOString() })
      .where(and(eq(paymentMethods.id, method.id), isNull(paymentMethods.removedAt)))
      .returning();
    if (!removed) {
      const [current] = await tx.select().from(paymentMethods).where(eq(paymentMethods.id, method.id));
      return current ?? method;
    }
    // The last card was the default: the profile has none now.
    if (isDefault) await setProfileDefault(services, tx, method.billingProfileId, null);
    await audit(services, tx, actor, 'payment-method.remove', removed, now);
    await recordCardEvent(record, 'PAYMENT_METHOD_REMOVED', removed, false);
    return removed;
  });
}

async function isProfileDefault(services: BillingServices, tx: StoreDb, method: PaymentMethodRow): Promise<boolean> {
  const { billingProfiles } = services.store.t;
  const [profile] = await tx
    .select({ defaultId: billingProfiles.defaultPaymentMethodId })
    .from(billingProfiles)
    .where(eq(billingProfiles.id, method.billingProfileId));
  return profile?.defaultId === method.id;
}

/** A card's change as partners see it: the printed details, never the token or the holder's name. */
function recordCardEvent(
  record: RecordEvent,
  type: 'PAYMENT_METHOD_ADDED' | 'PAYMENT_METHOD_UPDATED' | 'PAYMENT_METHOD_REMOVED',
  method: PaymentMethodRow,
  isDefault: boolean,
) {
  return record({
    type,
    billingAccountId: method.billingAccountId,
    billingProfileId: method.billingProfileId,
    data: {
      paymentMethodId: method.id,
      billingProfileId: method.billingProfileId,
      brand: method.brand,
      last4: method.last4,
      expMonth: method.expMonth,
      expYear: method.expYear,
      isDefault,
      removedAt: method.removedAt,
    },
  });
}
