import type { AccountRow } from '../db/reads.js';
import { ACCOUNT_STATUSES, AGREEMENT_TYPES } from '../db/tables.js';
import { BillingPermissions, BillingRoleEnum, permissionsFor } from './access.js';
import { builder } from './builder.js';
import { fromGlobalId, parseNodeId } from './ids.js';

export const AgreementTypeEnum = builder.enumType('AgreementType', {
  description: 'The commercial agreement behind a billing account.',
  values: AGREEMENT_TYPES,
});
export const BillingAccountStatusEnum = builder.enumType('BillingAccountStatus', { values: ACCOUNT_STATUSES });

// Its profiles and invoices are added where those types live (billing-profile.ts, invoice.ts).
export const BillingAccount = builder.loadableNode('BillingAccount', {
  id: { resolve: (a: AccountRow) => a.id, parse: parseNodeId },
  load: (ids: number[], ctx) => ctx.services.store.reads.accountsByIds(ids),
  sort: (a) => a.id,
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
  }),
});

builder.queryField('billingAccount', (t) =>
  t.field({
    type: BillingAccount,
    nullable: true,
    description: 'A billing account by global ID; null if it does not exist or the viewer has no role on it.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => {
      const id = fromGlobalId(String(args.id), 'BillingAccount');
      return id === null || !ctx.access.canSeeAccount(id) ? null : id;
    },
  }),
);
