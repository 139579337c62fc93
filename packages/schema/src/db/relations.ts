import { defineRelations, type ExtractTablesFromSchema, type RelationsBuilder } from 'drizzle-orm';
import * as pgTables from './pg-tables.js';
import * as tables from './tables.js';

// Written once against the SQLite tables; PostgreSQL's twin has the same names and columns.
const define = (r: RelationsBuilder<ExtractTablesFromSchema<typeof tables>>) => ({
  users: {
    ownedAccounts: r.many.billingAccounts({ from: r.users.id, to: r.billingAccounts.ownerUserId }),
    roleAssignments: r.many.billingRoleAssignments({ from: r.users.id, to: r.billingRoleAssignments.userId }),
  },
  billingAccounts: {
    owner: r.one.users({ from: r.billingAccounts.ownerUserId, to: r.users.id, optional: false }),
    profiles: r.many.billingProfiles({ from: r.billingAccounts.id, to: r.billingProfiles.billingAccountId }),
    invoices: r.many.invoices({ from: r.billingAccounts.id, to: r.invoices.billingAccountId }),
    roleAssignments: r.many.billingRoleAssignments({
      from: r.billingAccounts.id,
      to: r.billingRoleAssignments.billingAccountId,
    }),
    apiKeys: r.many.apiKeys({ from: r.billingAccounts.id, to: r.apiKeys.billingAccountId }),
    paymentMethods: r.many.paymentMethods({ from: r.billingAccounts.id, to: r.paymentMethods.billingAccountId }),
  },
  billingProfiles: {
    account: r.one.billingAccounts({
      from: r.billingProfiles.billingAccountId,
      to: r.billingAccounts.id,
      optional: false,
    }),
    invoices: r.many.invoices({ from: r.billingProfiles.id, to: r.invoices.billingProfileId }),
    paymentMethods: r.many.paymentMethods({ from: r.billingProfiles.id, to: r.paymentMethods.billingProfileId }),
    defaultPaymentMethod: r.one.paymentMethods({
      from: r.billingProfiles.defaultPaymentMethodId,
      to: r.paymentMethods.id,
    }),
  },
  billingRoleAssignments: {
    user: r.one.users({ from: r.billingRoleAssignments.userId, to: r.users.id, optional: false }),
    account: r.one.billingAccounts({
      from: r.billingRoleAssignments.billingAccountId,
      to: r.billingAccounts.id,
      optional: false,
    }),
    profile: r.one.billingProfiles({ from: r.billingRoleAssignments.billingProfileId, to: r.billingProfiles.id }),
  },
  invoices: {
    profile: r.one.billingProfiles({ from: r.invoices.billingProfileId, to: r.billingProfiles.id, optional: false }),
    account: r.one.billingAccounts({ from: r.invoices.billingAccountId, to: r.billingAccounts.id, optional: false }),
    lineItems: r.many.invoiceLineItems({ from: r.invoices.id, to: r.invoiceLineItems.invoiceId }),
    payments: r.many.payments({ from: r.invoices.id, to: r.payments.invoiceId }),
    creditApplications: r.many.creditApplications({ from: r.invoices.id, to: r.creditApplications.invoiceId }),
    wireTransfers: r.many.wireTransfers({ from: r.invoices.id, to: r.wireTransfers.invoiceId }),
  },
  wireTransfers: {
    invoice: r.one.invoices({ from: r.wireTransfers.invoiceId, to: r.invoices.id, optional: false }),
  },
  credits: {
    account: r.one.billingAccounts({ from: r.credits.billingAccountId, to: r.billingAccounts.id, optional: false }),
    applications: r.many.creditApplications({ from: r.credits.id, to: r.creditApplications.creditId }),
  },
  creditApplications: {
    credit: r.one.credits({ from: r.creditApplications.creditId, to: r.credits.id, optional: false }),
    invoice: r.one.invoices({ from: r.creditApplications.invoiceId, to: r.invoices.id, optional: false }),
  },
  invoiceLineItems: {
    invoice: r.one.invoices({ from: r.invoiceLineItems.invoiceId, to: r.invoices.id, optional: false }),
  },
  paymentMethods: {
    profile: r.one.billingProfiles({
      from: r.paymentMethods.billingProfileId,
      to: r.billingProfiles.id,
      optional: false,
    }),
  },
  payments: {
    invoice: r.one.invoices({ from: r.payments.invoiceId, to: r.invoices.id, optional: false }),
    paymentMethod: r.one.paymentMethods({ from: r.payments.paymentMethodId, to: r.paymentMethods.id, optional: false }),
  },
  apiKeys: {
    account: r.one.billingAccounts({ from: r.apiKeys.billingAccountId, to: r.billingAccounts.id, optional: false }),
  },
});

export const relations = defineRelations(tables, define);

/**
 * The same relations over the PostgreSQL tables, for the relational query API on that dialect. Typed
 * as SQLite's: the GraphQL read path's builder is typed to one relations object (see db/store.ts).
 */
export const pgRelations = defineRelations(pgTables, define as never) as unknown as typeof relations;
