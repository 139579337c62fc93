// Credits as stored data: granting a balance, and applying an account's balances to one invoice
// inside the period-close transaction. The arithmetic is credits.ts (pure, property-tested); this
// file only loads the balances and writes back what it decided.
import { and, asc, eq } from 'drizzle-orm';
import type { StoreDb } from '../db/store.js';
import { isValidIsoDate } from './clock.js';
import { applyCredits, type CreditsAppliedToInvoice } from './credits.js';
import { ValidationError } from './errors.js';
import type { BillingServices } from './services.js';

export interface GrantCreditInput {
  billingAccountId: number;
  description: string;
  amountMinor: number;
  currency: string;
  /** Last usable day (UTC `YYYY-MM-DD`); null: never expires. */
  expiresOn: string | null;
}

/** Adds a credit balance to an account (operators, the seed, tests). Returns its id. */
export async function grantCredit(services: BillingServices, input: GrantCreditInput, tx?: StoreDb): Promise<number> {
  if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor <= 0)
    throw new ValidationError('input.amountMinor', 'A credit is a positive whole number of minor units.');
  if (!/^[A-Z]{3}$/.test(input.currency))
    throw new ValidationError('input.currency', 'The currency is an ISO 4217 code such as USD.');
  if (input.expiresOn !== null && !isValidIsoDate(input.expiresOn))
    throw new ValidationError('input.expiresOn', 'The expiry is a date (YYYY-MM-DD).');
  if (input.description.trim() === '') throw new ValidationError('input.description', 'Describe the credit.');
  const write = async (db: StoreDb) => {
    const [row] = await db
      .insert(services.store.t.credits)
      .values({
        billingAccountId: input.billingAccountId,
        description: input.description,
        currency: input.currency,
        amountMinor: input.amountMinor,
        remainingMinor: input.amountMinor,
        expiresOn: input.expiresOn,
        createdAt: services.clock.now().toISOString(),
      })
      .returning({ id: services.store.t.credits.id });
    return row!.id;
  };
  return tx ? write(tx) : services.store.transaction(write);
}

/** Two closes spent the same balance at once; the transaction rolls back and the close can be rerun. */
export class CreditBalanceChangedError extends Error {
  constructor(creditId: number) {
    super(`credit ${creditId} changed while it was being applied`);
    this.name = 'CreditBalanceChangedError';
  }
}

/**
 * Applies the account's usable credits to an invoice, inside `tx` (the transaction that creates the
 * invoice): each use is a conditional decrement of the balance it read, so two concurrent uses of one
 * balance cannot both succeed, and one application row per credit records it.
 */
export async function applyStoredCredits(
  services: BillingServices,
  tx: StoreDb,
  invoice: { id: number; billingAccountId: number; totalMinor: number; currency: string; closesOn: string },
): Promise<CreditsAppliedToInvoice> {
  const { credits, creditApplications } = services.store.t;
  const balances = await tx
    .select()
    .from(credits)
    .where(and(eq(credits.billingAccountId, invoice.billingAccountId), eq(credits.currency, invoice.currency)))
    .orderBy(asc(credits.id));
  const applied = applyCredits(
    { totalMinor: invoice.totalMinor, currency: invoice.currency, closesOn: invoice.closesOn },
    balances.map((c) => ({ id: c.id, currency: c.currency, remainingMinor: c.remainingMinor, expiresOn: c.expiresOn })),
  );
  const createdAt = services.clock.now().toISOString();
  for (const application of applied.applications) {
    const before = balances.find((c) => c.id === application.creditId)!;
    const [updated] = await tx
      .update(credits)
      .set({ remainingMinor: application.remainingAfterMinor })
      .where(and(eq(credits.id, application.creditId), eq(credits.remainingMinor, before.remainingMinor)))
      .returning({ id: credits.id });
    if (!updated) throw new CreditBalanceChangedError(application.creditId);
    await tx.insert(creditApplications).values({
      billingAccountId: invoice.billingAccountId,
      creditId: application.creditId,
      invoiceId: invoice.id,
      amountMinor: application.amountMinor,
      createdAt,
    });
  }
  return applied;
}
