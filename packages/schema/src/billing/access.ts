// Who may do what. The whole role x action table is here; GraphQL scopes only ask it.
import type { BillingStore } from '../db/store.js';
import type { ApiKeyScope, BillingRole } from '../db/tables.js';
import { NotAuthorizedError, NotFoundError } from './errors.js';

export type Principal =
  | { kind: 'user'; userId: number }
  | { kind: 'api-key'; apiKeyId: number; billingAccountId: number; scopes: readonly ApiKeyScope[] };

/** Stable text form, used in audit events, idempotency records and logs. */
export function principalId(principal: Principal): string {
  return principal.kind === 'user' ? `user:${principal.userId}` : `api-key:${principal.apiKeyId}`;
}

export const ACCESS_ACTIONS = [
  'READ_BILLING',
  'READ_PAYMENT_METHODS',
  'MANAGE_PAYMENT_METHODS',
  'PAY_INVOICES',
  'MANAGE_API_KEYS',
  'MANAGE_WEBHOOKS',
] as const;
export type AccessAction = (typeof ACCESS_ACTIONS)[number];

/**
 * Role x action. Account-level roles apply to every profile of the account; profile-level roles
 * to that profile only. "Only the billing account admin pays; readers look": paying is the account
 * OWNER's alone. A profile owner manages that profile's cards but does not pay (the admin is the one
 * who answers for the account's money). A partner key with `payments:write` pays because only the
 * admin can create keys (MANAGE_API_KEYS): the scope is the admin's own right, delegated to the
 * admin's integration, and revoking the key takes it back.
 */
export const ROLE_ACTIONS: Record<'ACCOUNT' | 'PROFILE', Partial<Record<BillingRole, readonly AccessAction[]>>> = {
  ACCOUNT: {
    OWNER: [
      'READ_BILLING',
      'READ_PAYMENT_METHODS',
      'MANAGE_PAYMENT_METHODS',
      'PAY_INVOICES',
      'MANAGE_API_KEYS',
      'MANAGE_WEBHOOKS',
    ],
    CONTRIBUTOR: ['READ_BILLING', 'READ_PAYMENT_METHODS', 'MANAGE_PAYMENT_METHODS'],
    READER: ['READ_BILLING', 'READ_PAYMENT_METHODS'],
  },
  PROFILE: {
    OWNER: ['READ_BILLING', 'READ_PAYMENT_METHODS', 'MANAGE_PAYMENT_METHODS'],
    CONTRIBUTOR: ['READ_BILLING', 'READ_PAYMENT_METHODS', 'MANAGE_PAYMENT_METHODS'],
    READER: ['READ_BILLING', 'READ_PAYMENT_METHODS'],
    INVOICE_MANAGER: ['READ_BILLING', 'READ_PAYMENT_METHODS'],
  },
};

/** What each API key scope lets a key do inside its own account. */
export const API_KEY_SCOPE_ACTIONS: Record<ApiKeyScope, readonly AccessAction[]> = {
  'invoices:read': ['READ_BILLING'],
  'payment-methods:read': ['READ_PAYMENT_METHODS'],
  'payment-methods:write': ['MANAGE_PAYMENT_METHODS'],
  'payments:write': ['PAY_INVOICES'],
  // Webhook endpoints receive every event of the account they subscribe to, so managing them is
  // also reading the account's endpoints and deliveries (not its invoices: that is `invoices:read`).
  'webhooks:manage': ['MANAGE_WEBHOOKS'],
};

export interface Grant {
  billingAccountId: number;
  /** Null: the whole account. */
  billingProfileId: number | null;
  role: BillingRole | null;
  actions: ReadonlySet<AccessAction>;
}

/** A principal's grants, loaded once per request; every check is then in memory. */
export class AccessView {
  readonly principal: Principal | null;
  private readonly grants: Grant[];

  constructor(principal: Principal | null, grants: Grant[]) {
    this.principal = principal;
    this.grants = grants;
  }

  static anonymous(): AccessView {
    return new AccessView(null, []);
  }

  static async load(store: BillingStore, principal: Principal | null): Promise<AccessView> {
    if (!principal) return AccessView.anonymous();
    if (principal.kind === 'api-key') {
      const actions = new Set(principal.scopes.flatMap((s) => API_KEY_SCOPE_ACTIONS[s] ?? []));
      return new AccessView(principal, [
        { billingAccountId: principal.billingAccountId, billingProfileId: null, role: null, actions },
      ]);
    }
    // Every request reads this: a prepared statement (store.reads), not a query built per call.
    const rows = await store.reads.roleAssignmentsByUserIds([principal.userId]);
    return new AccessView(
      principal,
      rows.map((r) => ({
        billingAccountId: r.billingAccountId,
        billingProfileId: r.billingProfileId,
        role: r.role,
        actions: new Set(ROLE_ACTIONS[r.billingProfileId === null ? 'ACCOUNT' : 'PROFILE'][r.role] ?? []),
      })),
    );
  }

  get userId(): number | null {
    return this.principal?.kind === 'user' ? this.principal.userId : null;
  }

  /** Every account the principal holds any grant on, ascending. */
  grantedAccountIds(): number[] {
    return [...new Set(this.grants.map((g) => g.billingAccountId))].sort((a, b) => a - b);
  }

  /**
   * The grants as one string that changes whenever what the principal may see or do changes (a role
   * given, changed or taken away): answers cached under it can never outlive a role change.
   */
  grantsSignature(): string {
    return this.grants
      .map(
        (g) => `${g.billingAccountId}/${g.billingProfileId ?? '*'}/${g.role ?? ''}/${[...g.actions].sort().join('+')}`,
      )
      .sort()
      .join(',');
  }

  /** Accounts in which the principal can see anything at all. */
  visibleAccountIds(): number[] {
    return [...new Set(this.grants.filter((g) => g.actions.has('READ_BILLING')).map((g) => g.billingAccountId))];
  }

  /**
   * Whether the account exists for this principal at all: it may read billing data somewhere in it
   * (a whole-account role, one profile's role, or an API key with `invoices:read`).
   */
  canSeeAccount(billingAccountId: number): boolean {
    return this.grants.some((g) => g.billingAccountId === billingAccountId && g.actions.has('READ_BILLING'));
  }

  /**
   * For lists inside one account, decided once per list: is the account readable as a whole, and
   * otherwise which of its profiles are.
   */
  readableIn(action: AccessAction, billingAccountId: number): { wholeAccount: boolean; profileIds: number[] } {
    const granting = this.grants.filter((g) => g.billingAccountId === billingAccountId && g.actions.has(action));
    return {
      wholeAccount: granting.some((g) => g.billingProfileId === null),
      profileIds: [...new Set(granting.map((g) => g.billingProfileId).filter((id): id is number => id !== null))],
    };
  }

  can(action: AccessAction, target: { billingAccountId: number; billingProfileId?: number | null }): boolean {
    return this.grants.some(
      (g) =>
        g.billingAccountId === target.billingAccountId &&
        (g.billingProfileId === null || g.billingProfileId === target.billingProfileId) &&
        g.actions.has(action),
    );
  }

  /** The user's account-level role (null for API keys or profile-only access). */
  accountRole(billingAccountId: number): BillingRole | null {
    return (
      this.grants.find((g) => g.billingAccountId === billingAccountId && g.billingProfileId === null)?.role ?? null
    );
  }

  /** Profile-level roles the user holds inside the account. */
  profileRoles(billingAccountId: number): { billingProfileId: number; role: BillingRole }[] {
    return this.grants
      .filter((g) => g.billingAccountId === billingAccountId && g.billingProfileId !== null && g.role !== null)
      .map((g) => ({ billingProfileId: g.billingProfileId!, role: g.role! }));
  }

  /** Every action the principal may take on the account as a whole or on one profile of it. */
  actionsOn(target: { billingAccountId: number; billingProfileId?: number | null }): AccessAction[] {
    return [...ACCESS_ACTIONS].filter((a) => this.can(a, target));
  }
}

/**
 * The acting principal's id when it may take `action` on the profile; otherwise the refusal: a profile
 * it cannot read (or none at all) is NotFound, exactly like a missing one, and one it reads but may not
 * change is NotAuthorized with `message`.
 */
export function principalAllowedOnProfile<P extends { id: number; billingAccountId: number }>(
  access: AccessView,
  profile: P | null | undefined,
  action: AccessAction,
  message: string,
): { actor: string; profile: P } {
  const target = profile && { billingAccountId: profile.billingAccountId, billingProfileId: profile.id };
  if (!profile || !target || !access.principal || !access.can('READ_BILLING', target))
    throw new NotFoundError('BillingProfile');
  if (!access.can(action, target)) throw new NotAuthorizedError(message);
  return { actor: principalId(access.principal), profile };
}
