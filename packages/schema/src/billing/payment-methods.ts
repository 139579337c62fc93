// Cards on a billing profile. The number and CVC go to the processor to be tokenized and nowhere
// else: this database keeps the token, brand, last four digits, expiry and holder name.
import { and, desc, eq, gte, isNull, or } from 'drizzle-orm';
import type { StoreDb } from '../db/store.js';
import type { paymentMethods } from '../db/tables.js';
import { principalId, type AccessView } from './access.js';
import { recordAudit } from './audit.js';
import { validateNewCard } from './cards.js';
import type { Clock } from './clock.js';
import { NotAuthorizedError, NotFoundError, PaymentMethodUnusableError } from './errors.js';
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
): Promise<void> {
  return recordAudit(
    services,
    {
      actor,
      action,
      target: `payment-method:${method.id}`,
      outcome: 'succeeded',
      billingAccountId: method.billingAccountId,
      detail: { billingProfileId: method.billingProfileId, brand: method.brand, last4: method.last4 },
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

async function nextDefault(
  services: BillingServices,
  tx: StoreDb,
  billingProfileId: number,
  clock: Clock,
): Promise<number | null> {
  const { paymentMethods } = services.store.t;
  const now = clock.now();
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth() + 1;
  const [row] = await tx
    .select({ id: paymentMethods.id })
    .from(paymentMethods)
    .where(
      and(
        eq(paymentMethods.billingProfileId, billingProfileId),
        isNull(paymentMethods.removedAt),
        or(
          gte(paymentMethods.expYear, year + 1),
          and(eq(paymentMethods.expYear, year), gte(paymentMethods.expMonth, month)),
        ),
      ),
    )
    .orderBy(desc(paymentMethods.createdAt), desc(paymentMethods.id))
    .limit(1);
  return row?.id ?? null;
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
  return services.store.transaction(async (tx) => {
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
    if (input.makeDefault || !hasLiveDefault) await setProfileDefault(services, tx, profile.id, method.id);
    await audit(services, tx, actor, 'payment-method.add', method, now);
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
  await services.store.transaction(async (tx) => {
    await setProfileDefault(services, tx, method.billingProfileId, method.id);
    // Choosing a default card makes the profile pay by card again (after wire transfer).
    await tx
      .update(services.store.t.billingProfiles)
      .set({ defaultPaymentType: 'CARD' })
      .where(eq(services.store.t.billingProfiles.id, method.billingProfileId));
    await audit(services, tx, actor, 'payment-method.set-default', method, now);
  });
  return method;
}

/**
 * Removes a card (soft delete, so past payments still show which card paid them). Removing the
 * default makes the newest live unexpired card the default, or leaves none. Removing a removed card
 * changes nothing.
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
  return services.store.transaction(async (tx) => {
    const [removed] = await tx
      .update(paymentMethods)
      .set({ removedAt: now.toISOString() })
      .where(and(eq(paymentMethods.id, method.id), isNull(paymentMethods.removedAt)))
      .returning();
    if (!removed) {
      const [current] = await tx.select().from(paymentMethods).where(eq(paymentMethods.id, method.id));
      return current ?? method;
    }
    const [wasDefault] = await tx
      .select({ id: billingProfiles.id })
      .from(billingProfiles)
      .where(
        and(eq(billingProfiles.id, method.billingProfileId), eq(billingProfiles.defaultPaymentMethodId, method.id)),
      );
    if (wasDefault) {
      const next = await nextDefault(services, tx, method.billingProfileId, services.clock);
      await setProfileDefault(services, tx, method.billingProfileId, next);
    }
    await audit(services, tx, actor, 'payment-method.remove', removed, now);
    return removed;
  });
}
