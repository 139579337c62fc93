import { readTarget } from './visibility.js';
import { BillingPermissions, BillingRoleEnum, permissionsFor, visibleProfilesWhere } from './access.js';
import type { paymentMethods } from '../db/tables.js';
import { PaymentMethod } from './payment-method.js';

type PaymentMethodRow = typeof paymentMethods.$inferSelect;
import { builder } from './builder.js';
import { fromGlobalId } from './ids.js';
import { invoiceConnectionArgs, invoiceConnectionQuery } from './invoice.js';

export const BillingProfile = builder.drizzleNode('billingProfiles', {
  name: 'BillingProfile',
  description: 'Where invoices are issued and paid from: currency, payment methods, invoices.',
  id: { column: (p) => p.id },
  authScopes: (profile) => ({ billing: readTarget.profile(profile) }),
  fields: (t) => ({
    displayName: t.exposeString('displayName'),
    currency: t.exposeString('currency'),
    invoiceEmail: t.exposeString('invoiceEmail', { nullable: true }),
    billingAccount: t.relation('account'),
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
    invoices: t.relatedConnection('invoices', {
      args: invoiceConnectionArgs(t.arg),
      totalCount: true,
      query: (args, ctx) => invoiceConnectionQuery(args, ctx),
    }),
    paymentMethods: t.field({
      type: [PaymentMethod],
      nullable: true,
      description:
        'Cards on this profile that were not removed, the default first. Null without permission to read payment methods.',
      authScopes: (profile) => ({
        billing: {
          action: 'READ_PAYMENT_METHODS',
          billingAccountId: profile.billingAccountId,
          billingProfileId: profile.id,
        },
      }),
      select: (_args, _ctx, nestedSelection) => ({
        columns: { defaultPaymentMethodId: true },
        with: {
          paymentMethods: nestedSelection({
            where: { removedAt: { isNull: true as const } },
            orderBy: { id: 'asc' as const },
          }),
        },
      }),
      // The selection above loads the relation; Pothos does not reflect a function `select` in the parent type.
      resolve: (profile) =>
        [...(profile as typeof profile & { paymentMethods: PaymentMethodRow[] }).paymentMethods].sort(
          (a, b) => Number(b.id === profile.defaultPaymentMethodId) - Number(a.id === profile.defaultPaymentMethodId),
        ),
    }),
    defaultPaymentMethod: t.relation('defaultPaymentMethod', {
      nullable: true,
      authScopes: (profile) => ({
        billing: {
          action: 'READ_PAYMENT_METHODS',
          billingAccountId: profile.billingAccountId,
          billingProfileId: profile.id,
        },
      }),
    }),
  }),
});

builder.queryField('billingProfile', (t) =>
  t.drizzleField({
    type: 'billingProfiles',
    nullable: true,
    description: 'A billing profile by global ID; null if it does not exist or the viewer may not see it.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) => {
      const id = fromGlobalId(String(args.id), 'BillingProfile');
      if (id === null) return null;
      return ctx.services.db.query.billingProfiles.findFirst(
        query({ where: { AND: [{ id }, visibleProfilesWhere(ctx.access)] } }),
      );
    },
  }),
);
