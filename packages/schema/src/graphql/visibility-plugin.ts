// Row visibility as a Pothos plugin: every field that returns one of the node types (or a list of them)
// hands back only objects the viewer may see, checked once per object where it is returned. This is
// what scope-auth's type scopes with `runScopesOnType` did, but from the field's resolver instead of
// the type's `isTypeOf`: graphql-jit calls `isTypeOf(value)` without the context (so it could not run
// those scopes, and took their Promise for "yes"), and a plain synchronous check is far cheaper than
// a scope evaluation per object. Field- and mutation-level rules stay scope-auth's `authScopes`.
import SchemaBuilder, {
  BasePlugin,
  type PothosOutputFieldConfig,
  type PothosOutputFieldType,
  type SchemaTypes,
} from '@pothos/core';
import type { GraphQLFieldResolver } from 'graphql';
import { NotAuthorizedError } from '../billing/errors.js';
import type { GraphQLContext } from './context.js';
import { isGuardedType, isNodeVisible } from './visibility.js';

const PLUGIN_NAME = 'visibility';

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      visibility: PothosVisibilityPlugin<Types>;
    }
  }
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as PromiseLike<unknown> | null)?.then === 'function';

function notAuthorized(ctx: GraphQLContext): NotAuthorizedError {
  return new NotAuthorizedError(
    ctx.access.principal
      ? 'You do not have permission to do this.'
      : 'Sign in (bearer token) or send an API key to do this.',
  );
}

export class PothosVisibilityPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    const returned = this.guardedReturn(fieldConfig.type);
    if (!returned) return resolver;
    const { typename, list } = returned;
    const visible = (value: unknown, ctx: GraphQLContext) =>
      value == null || value instanceof Error || isNodeVisible(typename, value as Record<string, unknown>, ctx.access);
    const one = (value: unknown, ctx: GraphQLContext): unknown => {
      if (isThenable(value)) return value.then((resolved) => one(resolved, ctx));
      if (!visible(value, ctx)) throw notAuthorized(ctx);
      return value;
    };
    // A list's items may still be loading (the dataloader plugin hands back one promise per id). An
    // item the viewer may not see becomes an error in its own place, as a type check would make it.
    const item = (value: unknown, ctx: GraphQLContext): unknown => {
      if (isThenable(value)) return value.then((resolved) => item(resolved, ctx));
      return visible(value, ctx) ? value : notAuthorized(ctx);
    };
    const many = (value: unknown, ctx: GraphQLContext): unknown => {
      if (isThenable(value)) return value.then((resolved) => many(resolved, ctx));
      if (value == null || value instanceof Error) return value;
      const items = Array.isArray(value) ? value : [...(value as Iterable<unknown>)];
      // The common case allocates nothing: every item already there and visible.
      if (items.every((v) => !isThenable(v) && visible(v, ctx))) return items;
      return items.map((v) => item(v, ctx));
    };
    const guard = list ? many : one;
    return (parent, args, ctx, info) => guard(resolver(parent, args, ctx, info), ctx as GraphQLContext);
  }

  /** The node type a field returns (itself or as a list of one level), if its objects are guarded. */
  private guardedReturn(type: PothosOutputFieldType<Types>): { typename: string; list: boolean } | null {
    const list = type.kind === 'List';
    const named = type.kind === 'List' ? type.type : type;
    if (named.kind !== 'Object') return null;
    const typename = this.buildCache.getTypeConfig(named.ref).name;
    return isGuardedType(typename) ? { typename, list } : null;
  }
}

SchemaBuilder.registerPlugin(PLUGIN_NAME, PothosVisibilityPlugin);

export default PLUGIN_NAME;
