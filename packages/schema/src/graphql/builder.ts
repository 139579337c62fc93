// The one place that owns the plugin list, the scalars and the scope types.
import SchemaBuilder from '@pothos/core';
import { GraphQLError } from 'graphql';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import type { AccessAction } from '../billing/access.js';
import { NotAuthorizedError } from '../billing/errors.js';
import type { GraphQLContext } from './context.js';
import { isNodeVisible } from './visibility.js';

const MAX_NODES_PER_REQUEST = 100;

export interface BillingScopeTarget {
  action: AccessAction;
  billingAccountId: number;
  billingProfileId?: number | null;
}

export interface BuilderTypes {
  Context: GraphQLContext;
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
  // Rows load through per-request DataLoaders over `services.reads`, whatever the dialect.
  plugins: [RelayPlugin, ErrorsPlugin, ScopeAuthPlugin, DataloaderPlugin],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodesOnConnection: true,
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
    // Another tenant's global ID must read exactly like one that does not exist: null, no error.
    nodeQueryOptions: {
      resolve: async (_root, { id }, ctx, _info, resolveNode) => {
        const node = (await resolveNode(id)) as Record<string, unknown> | null;
        return node && isNodeVisible(id.typename, node, ctx.access) ? node : null;
      },
    },
    nodesQueryOptions: {
      resolve: async (_root, { ids }, ctx, _info, resolveNodes) => {
        // As many as one page may hold: a longer list is refused, not loaded.
        if (ids.length > MAX_NODES_PER_REQUEST) {
          throw new GraphQLError(`\`ids\` may hold at most ${MAX_NODES_PER_REQUEST} IDs.`, {
            extensions: { code: 'BAD_USER_INPUT' },
          });
        }
        const nodes = (await resolveNodes(ids)) as (Record<string, unknown> | null)[];
        return nodes.map((node, i) => (node && isNodeVisible(ids[i]!.typename, node, ctx.access) ? node : null));
      },
    },
  },
  scopeAuth: {
    // A type's scopes run once per object, where the object is returned, instead of in every field
    // of every row.
    runScopesOnType: true,
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
