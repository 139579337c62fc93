// What a principal must hold to see each node type: used by the types' scope-auth rules and by
// `node`/`nodes`, so a global ID of someone else's object reads exactly like one that does not exist.
import type { AccessView } from '../billing/access.js';
import type { BillingScopeTarget } from './builder.js';
import type { GraphQLContext } from './context.js';
import { NODE_TYPE_NAMES, type NodeTypeName } from './ids.js';

interface AccountOwned {
  billingAccountId: number;
  billingProfileId: number;
}

// Only the ids: the target is also scope-auth's per-request cache key (JSON), so spreading a whole
// row (with its nested line items and payments) made every object a cache miss and a large
// JSON.stringify. Measured by bench/ on the invoices page.
export const readTarget = {
  invoice: (row: AccountOwned): BillingScopeTarget => ({
    action: 'READ_BILLING',
    billingAccountId: row.billingAccountId,
    billingProfileId: row.billingProfileId,
  }),
  profile: (row: { id: number; billingAccountId: number }): BillingScopeTarget => ({
    action: 'READ_BILLING',
    billingAccountId: row.billingAccountId,
    billingProfileId: row.id,
  }),
  paymentMethod: (row: AccountOwned): BillingScopeTarget => ({
    action: 'READ_PAYMENT_METHODS',
    billingAccountId: row.billingAccountId,
    billingProfileId: row.billingProfileId,
  }),
  payment: (row: AccountOwned): BillingScopeTarget => ({
    action: 'READ_BILLING',
    billingAccountId: row.billingAccountId,
    billingProfileId: row.billingProfileId,
  }),
  apiKey: (row: { billingAccountId: number }): BillingScopeTarget => ({
    action: 'MANAGE_API_KEYS',
    billingAccountId: row.billingAccountId,
  }),
  /** Webhook endpoints and deliveries: the account's webhook managers only. */
  webhook: (row: { billingAccountId: number }): BillingScopeTarget => ({
    action: 'MANAGE_WEBHOOKS',
    billingAccountId: row.billingAccountId,
  }),
};

type Row = Record<string, unknown>;

/**
 * The types whose every object is checked where a field returns it (visibility-guard.ts): every node
 * type but `User`, which is the viewer's own record wherever the schema shows one.
 */
const GUARDED_TYPES = new Set<string>(NODE_TYPE_NAMES.filter((name) => name !== 'User'));

export const isGuardedType = (typename: string): boolean => GUARDED_TYPES.has(typename);

export function isNodeVisible(typename: NodeTypeName | string, node: Row, access: AccessView): boolean {
  const can = (target: BillingScopeTarget) => access.can(target.action, target);
  switch (typename) {
    case 'User':
      return node.id === access.userId;
    case 'BillingAccount':
      return access.canSeeAccount(node.id as number);
    case 'BillingProfile':
      return can(readTarget.profile(node as { id: number; billingAccountId: number }));
    case 'Invoice':
      return can(readTarget.invoice(node as unknown as AccountOwned));
    case 'PaymentMethod':
      return can(readTarget.paymentMethod(node as unknown as AccountOwned));
    case 'Payment':
      return can(readTarget.payment(node as unknown as AccountOwned));
    case 'ApiKey':
      return can(readTarget.apiKey(node as { billingAccountId: number }));
    case 'WebhookEndpoint':
    case 'WebhookDelivery':
      return can(readTarget.webhook(node as { billingAccountId: number }));
    default:
      return false;
  }
}

/**
 * Whether the caller may see the row a decoded global ID names: false for no such row, a foreign
 * one, or an id that is not a positive integer. `node`/`nodes` ask this before loading anything, so
 * the loader only ever sees rows that exist (it fails on a missing one) and every refusal is a plain null.
 */
export async function canSeeNode(typename: string, rawId: unknown, ctx: GraphQLContext): Promise<boolean> {
  // The relay plugin hands over the decoded id as a string, or as a number where a type parses it.
  const id = typeof rawId === 'number' || typeof rawId === 'string' ? Number(rawId) : Number.NaN;
  if (!Number.isSafeInteger(id) || id <= 0) return false;
  const { reads } = ctx.services.store;
  let row: object | undefined;
  switch (typename) {
    case 'User':
      return id === ctx.access.userId;
    case 'BillingAccount':
      return ctx.access.canSeeAccount(id);
    case 'BillingProfile':
      [row] = await reads.profilesByIds([id]);
      break;
    case 'Invoice':
      [row] = await reads.invoicesByIds([id]);
      break;
    case 'PaymentMethod':
      [row] = await reads.paymentMethodsByIds([id]);
      break;
    case 'Payment':
      [row] = await reads.paymentsByIds([id]);
      break;
    case 'ApiKey':
      [row] = await reads.apiKeysByIds([id]);
      break;
    case 'WebhookEndpoint':
      [row] = await reads.webhookEndpointsByIds([id]);
      break;
    case 'WebhookDelivery':
      [row] = await reads.webhookDeliveriesByIds([id]);
      break;
    default:
      return false;
  }
  return row !== undefined && isNodeVisible(typename, row as Row, ctx.access);
}
