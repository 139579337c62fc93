import type { ProfileRow } from '../db/reads.js';
import { BillingPermissions, BillingRoleEnum, permissionsFor } from './access.js';
import { BillingAccount } from './billing-account.js';
import { builder } from './builder.js';
import { groupedBy } from './loaders.js';
import { fromGlobalId, parseNodeId } from './ids.js';
import { readTarget } from './visibility.js';

// Its invoices and cards are added where those types live (invoice.ts, payment-method.ts).
export const BillingProfile = builder.loadableNode('BillingProfile', {
  description: 'Where invoices are issued and paid from: currency, payment methods, invoices.',
  id: { resolve: (p: ProfileRow) => p.id, parse: parseNodeId },
  load: (ids: number[], ctx) => ctx.services.store.reads.profilesByIds(ids),
  sort: (p) => p.id,
  fields: (t) => ({
    displayName: t.exposeString('displayName'),
    currency: t.exposeString('currency'),
    invoiceEmail: t.exposeString('invoiceEmail', { nullable: true }),
    billingAccount: t.field({ type: BillingAccount, resolve: (profile) => profile.billingAccountId }),
    viewerRole: t.field({
      type: BillingRoleEnum,
      nullable: true,
      description: "The viewer's role on this profile: a profile-level role, else the account-level one.",
      resolve: (profile, _args, ctx) =>
        ctx.access.profileRoles(profile.billingAccountId).find((r) => r.billingProfileId === profile.id)?.role ??
        ctx.access.accountRole(profile.billingAccountId),
    }),
    viewerPermissions: t.field({
      type: BillingPermissions,
      resolve: (profile, _args, ctx) => permissionsFor(ctx.access, profile.billingAccountId, profile.id),
    }),
  }),
});

builder.objectField(BillingAccount, 'billingProfiles', (t) =>
  t.loadableList({
    type: BillingProfile,
    description: 'The profiles the viewer can see, in creation order.',
    // Visibility is decided here, once per batch; the loaded rows then pass the type's own check.
    load: async (accountIds: number[], ctx) => {
      const rows = await ctx.services.store.reads.profilesByAccountIds(accountIds);
      const visible = rows.filter((p) => ctx.access.can('READ_BILLING', readTarget.profile(p)));
      return groupedBy(accountIds, visible, (p) => p.billingAccountId);
    },
    resolve: (account) => account.id,
  }),
);

builder.queryField('billingProfile', (t) =>
  t.field({
    type: BillingProfile,
    nullable: true,
    description: 'A billing profile by global ID; null if it does not exist or the viewer may not see it.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const id = fromGlobalId(String(args.id), 'BillingProfile');
      if (id === null) return null;
      const profile = await BillingProfile.getDataloader(ctx).load(id);
      return profile && ctx.access.can('READ_BILLING', readTarget.profile(profile)) ? profile : null;
    },
  }),
);
