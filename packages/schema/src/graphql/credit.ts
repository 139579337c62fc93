// An account's credit balances and what they paid for. Visible to whoever reads the account's
// billing data as a whole (credits belong to the account, not to one profile).
import type { CreditApplicationRow, CreditRow } from '../db/reads.js';
import { BillingAccount } from './billing-account.js';
import { builder } from './builder.js';
import { Invoice } from './invoice.js';
import { groupedBy } from './loaders.js';
import { Money } from './money.js';

export const CreditApplication = builder.objectRef<CreditApplicationRow>('CreditApplication').implement({
  description: 'What one credit paid towards one invoice.',
  fields: (t) => ({
    amount: t.field({ type: Money, resolve: (a) => ({ minorUnits: a.amountMinor, currency: a.currency }) }),
    appliedAt: t.expose('createdAt', { type: 'DateTime' }),
    invoice: t.field({ type: Invoice, resolve: (a) => a.invoiceId }),
  }),
});

export const Credit = builder.objectRef<CreditRow>('Credit').implement({
  description: 'A credit balance (for example Azure credits), applied automatically when a billing period closes.',
  fields: (t) => ({
    description: t.exposeString('description'),
    amount: t.field({
      type: Money,
      description: 'As granted.',
      resolve: (c) => ({ minorUnits: c.amountMinor, currency: c.currency }),
    }),
    remaining: t.field({
      type: Money,
      description: 'What is left to apply.',
      resolve: (c) => ({ minorUnits: c.remainingMinor, currency: c.currency }),
    }),
    expiresOn: t.expose('expiresOn', {
      type: 'Date',
      nullable: true,
      description: 'The last day it can be used; null: it does not expire.',
    }),
    applications: t.loadableList({
      type: CreditApplication,
      load: async (creditIds: number[], ctx) =>
        groupedBy(
          creditIds,
          await ctx.services.store.reads.creditApplicationsByCreditIds(creditIds),
          (a) => a.creditId,
        ),
      resolve: (c) => c.id,
    }),
  }),
});

builder.objectField(BillingAccount, 'credits', (t) =>
  t.loadableList({
    type: Credit,
    description: "The account's credits, oldest first; empty unless the viewer reads the whole account's billing.",
    load: async (accountIds: number[], ctx) => {
      const visible = accountIds.filter((id) => ctx.access.readableIn('READ_BILLING', id).wholeAccount);
      return groupedBy(
        accountIds,
        await ctx.services.store.reads.creditsByAccountIds(visible),
        (c) => c.billingAccountId,
      );
    },
    resolve: (account) => account.id,
  }),
);
