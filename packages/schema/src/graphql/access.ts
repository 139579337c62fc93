// The viewer's own access, shown on accounts and profiles: "check my access".
import type { AccessView } from '../billing/access.js';
import { PROFILE_ROLES } from '../db/tables.js';
import { builder } from './builder.js';

export const BillingRoleEnum = builder.enumType('BillingRole', {
  description:
    'A billing role. Account-level roles are OWNER, CONTRIBUTOR and READER; INVOICE_MANAGER exists on profiles only.',
  values: PROFILE_ROLES,
});

interface PermissionTarget {
  access: AccessView;
  billingAccountId: number;
  billingProfileId: number | null;
}

export const BillingPermissions = builder.objectRef<PermissionTarget>('BillingPermissions').implement({
  description: 'What the viewer may do here. The UI shows or hides actions from these, never from roles.',
  fields: (t) => ({
    canReadInvoices: t.boolean({ resolve: (p) => p.access.can('READ_BILLING', p) }),
    canReadPaymentMethods: t.boolean({ resolve: (p) => p.access.can('READ_PAYMENT_METHODS', p) }),
    canManagePaymentMethods: t.boolean({ resolve: (p) => p.access.can('MANAGE_PAYMENT_METHODS', p) }),
    canPayInvoices: t.boolean({
      description: 'Only the billing account admin (owner) may pay; readers and contributors may look.',
      resolve: (p) => p.access.can('PAY_INVOICES', p),
    }),
    canManageApiKeys: t.boolean({ resolve: (p) => p.access.can('MANAGE_API_KEYS', p) }),
  }),
});

export function permissionsFor(
  access: AccessView,
  billingAccountId: number,
  billingProfileId: number | null,
): PermissionTarget {
  return { access, billingAccountId, billingProfileId };
}

/**
 * What the principal may read, as a Drizzle `where`: whole accounts it may read, plus single
 * profiles it holds a profile role on. `profileColumn` names the row's profile id: `billingProfileId`
 * on invoices, `id` on the billing profiles themselves.
 */
export function visibleRowsWhere(access: AccessView, profileColumn: 'billingProfileId' | 'id' = 'billingProfileId') {
  const scope = access.readableScope('READ_BILLING');
  const wholeAccounts = { billingAccountId: { in: scope.accountIds } };
  if (scope.profileIds.length === 0) return wholeAccounts;
  const profiles = { in: scope.profileIds };
  return { OR: [wholeAccounts, profileColumn === 'id' ? { id: profiles } : { billingProfileId: profiles }] };
}

/** Visibility of billing profiles themselves. */
export const visibleProfilesWhere = (access: AccessView) => visibleRowsWhere(access, 'id');
