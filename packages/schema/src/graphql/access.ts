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
    canManageWebhooks: t.boolean({
      description: 'Register, change and delete webhook endpoints, rotate their secrets, redeliver and replay.',
      resolve: (p) => p.access.can('MANAGE_WEBHOOKS', p),
    }),
  }),
});

export function permissionsFor(
  access: AccessView,
  billingAccountId: number,
  billingProfileId: number | null,
): PermissionTarget {
  return { access, billingAccountId, billingProfileId };
}
