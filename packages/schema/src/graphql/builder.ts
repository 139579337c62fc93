// The one place that owns the plugin list, the scalars and the scope types.
import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import DrizzlePlugin from '@pothos/plugin-drizzle';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { getTableConfig } from 'drizzle-orm/sqlite-core';
import type { AccessAction } from '../billing/access.js';
import { NotAuthorizedError } from '../billing/errors.js';
import { relations } from '../db/relations.js';
import type { GraphQLContext } from './context.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, requestedPageSize, UNPAGED_LIST_SIZE } from './page-sizes.js';
import { isNodeVisible } from './visibility.js';

export interface BillingScopeTarget {
  action: AccessAction;
  billingAccountId: number;
  billingProfileId?: number | null;
}

export interface BuilderTypes {
  Context: GraphQLContext;
  DrizzleRelations: typeof relations;
  AuthScopes: {
    /** Any principal: a signed-in user or an API key. */
    authenticated: boolean;
    /** A signed-in person (not an API key). */
    user: boolean;
    /** The principal holds some role on the account (its id), even if only on one profile. */
    visibleAccount: number;
    /** The principal may take `action` on the account (or one of its profiles). */
    billing: BillingScopeTarget;
  };
  Scalars: {
    Date: { Input: string; Output: string };
    DateTime: { Input: string; Output: string };
    MinorUnits: { Input: number; Output: number };
  };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
}

export const builder = new SchemaBuilder<BuilderTypes>({
  // Relay before scope-auth so scope functions receive decoded global IDs; the errors plugin
  // outside scope-auth so a denial becomes a typed NotAuthorizedError in mutation result unions.
  plugins: [RelayPlugin, ErrorsPlugin, ScopeAuthPlugin, DrizzlePlugin, ComplexityPlugin],
  defaultFieldNullability: false,
  // What an operation costs: every field 1 per object it is selected on, a list's selections times
  // its length. The gateway enforces the limits before execution (server plugins/operation-cost.ts).
  complexity: {
    defaultComplexity: 1,
    defaultListMultiplier: UNPAGED_LIST_SIZE,
  },
  drizzle: {
    // The client is per request: it is whatever database the services were built with.
    client: (ctx) => ctx.services.db,
    getTableConfig,
    relations,
    defaultConnectionSize: DEFAULT_PAGE_SIZE,
    maxConnectionSize: MAX_PAGE_SIZE,
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // A connection is as long as the page asked for; its `edges` and `nodes` are that page, once.
    defaultConnectionFieldOptions: { complexity: (args) => ({ field: 1, multiplier: requestedPageSize(args) }) },
    nodesOnConnection: { complexity: { field: 1, multiplier: 1 } },
    edgesFieldOptions: { nullable: false, complexity: { field: 1, multiplier: 1 } },
    nodeFieldOptions: { nullable: false },
    // Another tenant's global ID must read exactly like one that does not exist: null, no error.
    nodeQueryOptions: {
      resolve: async (_root, { id }, ctx, _info, resolveNode) => {
        const node = (await resolveNode(id)) as Record<string, unknown> | null;
        return node && isNodeVisible(id.typename, node, ctx.access) ? node : null;
      },
    },
    nodesQueryOptions: {
      complexity: (args) => ({ field: 1, multiplier: args.ids.length }),
      resolve: async (_root, { ids }, ctx, _info, resolveNodes) => {
        const nodes = (await resolveNodes(ids)) as (Record<string, unknown> | null)[];
        return nodes.map((node, i) => (node && isNodeVisible(ids[i]!.typename, node, ctx.access) ? node : null));
      },
    },
  },
  scopeAuth: {
    cacheKey: (value) => JSON.stringify(value),
    authScopes: (ctx) => ({
      authenticated: ctx.access.principal !== null,
      user: ctx.access.principal?.kind === 'user',
      visibleAccount: (billingAccountId) => ctx.access.canSeeAccount(billingAccountId),
      billing: (target) => ctx.access.can(target.action, target),
    }),
    unauthorizedError: (_parent, ctx) =>
      new NotAuthorizedError(
        ctx.access.principal
          ? 'You do not have permission to do this.'
          : 'Sign in (bearer token) or send an API key to do this.',
      ),
  },
  errors: {
    defaultTypes: [],
  },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
