import { ACCOUNT_STATUSES, AGREEMENT_TYPES } from '../db/tables.js';
import { BillingPermissions, BillingRoleEnum, permissionsFor, visibleProfilesWhere } from './access.js';
import { builder } from './builder.js';
import { fromGlobalId } from './ids.js';
import { invoiceConnectionArgs, invoiceConnectionQuery } from './invoice.js';

export const AgreementTypeEnum = builder.enumType('AgreementType', {
  description: 'The commercial agreement behind a billing account.',
  values: AGREEMENT_TYPES,
});
export const BillingAccountStatusEnum = builder.enumType('BillingAccountStatus', { values: ACCOUNT_STATUSES });

export const BillingAccount = builder.drizzleNode('billingAccounts', {
  name: 'BillingAccount',
  id: { column: (a) => a.id },
  authScopes: (account) => ({ visibleAccount: account.id }),
  fields: (t) => ({
    displayName: t.exposeString('displayName'),
    agreementType: t.expose('agreementType', { type: AgreementTypeEnum }),
    status: t.expose('status', { type: BillingAccountStatusEnum }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    viewerRole: t.field({
      type: BillingRoleEnum,
      nullable: true,
      description: "The viewer's account-level role; null for API keys and for users with profile roles only.",
      resolve: (account, _args, ctx) => ctx.access.accountRole(account.id),
    }),
    viewerIsAdmin: t.boolean({
      description: 'Whether the viewer is the billing account admin: the owner, who signed up and may pay.',
      resolve: (account, _args, ctx) => ctx.access.userId === account.ownerUserId,
    }),
    viewerPermissions: t.field({
      type: BillingPermissions,
      description: 'What the viewer may do across the whole account.',
      resolve: (account, _args, ctx) => permissionsFor(ctx.access, account.id, null),
    }),
    billingProfiles: t.relation('profiles', {
      description: 'The profiles the viewer can see, in creation order.',
      query: (_args, ctx) => ({ where: visibleProfilesWhere(ctx.access), orderBy: { id: 'asc' } }),
    }),
    invoices: t.relatedConnection('invoices', {
      description: 'Invoices of every profile the viewer can see in this account.',
      args: invoiceConnectionArgs(t.arg),
      totalCount: true,
      query: (args, ctx) => invoiceConnectionQuery(args, ctx),
    }),
  }),
});

builder.queryField('billingAccount', (t) =>
  t.drizzleField({
    type: 'billingAccounts',
    nullable: true,
    description: 'A billing account by global ID; null if it does not exist or the viewer has no role on it.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) => {
      const id = fromGlobalId(String(args.id), 'BillingAccount');
      if (id === null || !ctx.access.canSeeAccount(id)) return null;
      return ctx.services.db.query.billingAccounts.findFirst(query({ where: { id } }));
    },
  }),
);
