// The one place that owns the plugin list, the scalars and the scope types.
import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ComplexityPlugin from '@pothos/plugin-complexity';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin, { resolveNodes } from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import type { AccessAction } from '../billing/access.js';
import { type ErrorCode, NotAuthorizedError } from '../billing/errors.js';
import type { GraphQLContext } from './context.js';
import { decodeNodeId, MAX_NODES_PER_CALL } from './ids.js';
import { requestedPageSize, UNPAGED_LIST_SIZE } from './page-sizes.js';
import { canSeeNode } from './visibility.js';

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

function isBillingTarget(value: unknown): value is BillingScopeTarget {
  return typeof value === 'object' && value !== null && 'action' in value && 'billingAccountId' in value;
}

/** The refusal of what the caller may not see or do, worded for who is asking. */
export function notAuthorized(ctx: GraphQLContext): NotAuthorizedError {
  return new NotAuthorizedError(
    ctx.access.principal
      ? 'You do not have permission to do this.'
      : 'Sign in (bearer token) or send an API key to do this.',
  );
}

export const builder = new SchemaBuilder<BuilderTypes>({
  // The errors plugin outside scope-auth, so a denial becomes a typed NotAuthorizedError in mutation
  // result unions. (Relay decodes `globalID` arguments in an argument mapper, which runs before every
  // plugin's resolver wrapper whatever the order; this schema's own ID arguments are plain `ID`s, see ids.ts.)
  // Rows load through per-request DataLoaders over `services.store.reads`, whatever the dialect.
  // Which rows a viewer sees is decided where each object is returned (visibility-guard.ts, applied to
  // the built schema in index.ts), not by type scopes.
  plugins: [RelayPlugin, ErrorsPlugin, ScopeAuthPlugin, DataloaderPlugin, ComplexityPlugin],
  defaultFieldNullability: false,
  // What an operation costs: every field 1 per object it is selected on, a list's selections times
  // its length. The gateway enforces the limits before execution (server plugins/operation-cost.ts).
  complexity: {
    defaultComplexity: 1,
    defaultListMultiplier: UNPAGED_LIST_SIZE,
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // A connection is as long as the page asked for; its `edges` and `nodes` are that page, once.
    defaultConnectionFieldOptions: { complexity: (args) => ({ field: 1, multiplier: requestedPageSize(args) }) },
    nodesOnConnection: { complexity: { field: 1, multiplier: 1 } },
    edgesFieldOptions: { nullable: false, complexity: { field: 1, multiplier: 1 } },
    nodeFieldOptions: { nullable: false },
    // One strict decoder (ids.ts): a malformed ID decodes to a type that does not exist, not an error.
    decodeGlobalID: decodeNodeId,
    // Another tenant's global ID, a missing one and a malformed one all read as null, with no error:
    // visibility is checked before loading, so the loader never meets a row that is not there.
    nodeQueryOptions: {
      description: 'Any object by global ID; null if it does not exist or the viewer may not see it.',
      resolve: async (_root, { id }, ctx, info) => (await resolveVisibleNodes([id], ctx, info))[0] ?? null,
    },
    nodesQueryOptions: {
      complexity: (args) => ({ field: 1, multiplier: args.ids.length }),
      description: `Objects by global ID, in order; null for each that does not exist or the viewer may not see. At most ${MAX_NODES_PER_CALL} IDs.`,
      resolve: (_root, { ids }, ctx, info) => resolveVisibleNodes(ids, ctx, info),
    },
  },
  scopeAuth: {
    // Scope results are cached per request by this key. A billing target (checked once per object
    // on every list) gets a short key of its three parts instead of a JSON.stringify each time.
    cacheKey: (value) =>
      isBillingTarget(value)
        ? `${value.action}/${value.billingAccountId}/${value.billingProfileId ?? '*'}`
        : JSON.stringify(value),
    authScopes: (ctx) => ({
      authenticated: ctx.access.principal !== null,
      user: ctx.access.principal?.kind === 'user',
      visibleAccount: (billingAccountId) => ctx.access.canSeeAccount(billingAccountId),
      billing: (target) => ctx.access.can(target.action, target),
    }),
    unauthorizedError: (_parent, ctx) => notAuthorized(ctx),
  },
  errors: {
    defaultTypes: [],
  },
});

async function resolveVisibleNodes(
  ids: readonly { typename: string; id: unknown }[],
  ctx: GraphQLContext,
  info: GraphQLResolveInfo,
): Promise<unknown[]> {
  if (ids.length > MAX_NODES_PER_CALL) {
    throw new GraphQLError(`\`nodes\` takes at most ${MAX_NODES_PER_CALL} IDs per call.`, {
      extensions: { code: 'BAD_USER_INPUT' satisfies ErrorCode },
    });
  }
  const visible = await Promise.all(ids.map((id) => canSeeNode(id.typename, id.id, ctx)));
  return resolveNodes(
    builder,
    ctx,
    info,
    ids.map((id, i) => (visible[i] ? id : null)),
  );
}

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
