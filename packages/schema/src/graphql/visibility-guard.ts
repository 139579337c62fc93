// Row visibility where objects are returned: every field whose type is one of the node types (or a
// list of them) hands back only objects the viewer may see, checked once per object. This is what
// scope-auth's type scopes with `runScopesOnType` did, but from the field's resolver instead of the
// type's `isTypeOf`: graphql-jit calls `isTypeOf(value)` without the context (so it could not run
// those scopes, and took their Promise for "yes"), and a synchronous check is far cheaper than a
// scope evaluation per object. Field- and mutation-level rules stay scope-auth's `authScopes`.
//
// Applied to the built schema (outermost around each resolver, after every Pothos plugin's wrapper,
// so it sees loaded rows, not the ids a field hands to a loader) rather than as a Pothos plugin: a
// plugin registers globally by name, and a second copy of this module in one process (Vite's module
// runner beside a test) would register a second implementation.
import {
  defaultFieldResolver,
  type GraphQLFieldResolver,
  type GraphQLOutputType,
  type GraphQLSchema,
  getNullableType,
  isListType,
  isObjectType,
} from 'graphql';
import { isThenable } from '@pothos/core';
import { notAuthorized } from './builder.js';
import type { GraphQLContext } from './context.js';
import { isGuardedType, isNodeVisible } from './visibility.js';

/** The node type a field returns (itself or as a list of one level), if its objects are guarded. */
function guardedReturn(type: GraphQLOutputType): { typename: string; list: boolean } | null {
  const outer = getNullableType(type);
  const list = isListType(outer);
  const named = list ? getNullableType(outer.ofType) : outer;
  return isObjectType(named) && isGuardedType(named.name) ? { typename: named.name, list } : null;
}

function guard(
  resolver: GraphQLFieldResolver<unknown, GraphQLContext>,
  { typename, list }: { typename: string; list: boolean },
): GraphQLFieldResolver<unknown, GraphQLContext> {
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
  const check = list ? many : one;
  return (parent, args, ctx, info) => check(resolver(parent, args, ctx, info), ctx);
}

/** Wraps, in place, the resolver of every field that returns guarded objects; returns the schema. */
export function guardVisibility(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const returned = guardedReturn(field.type);
      if (returned)
        field.resolve = guard(
          (field.resolve ?? defaultFieldResolver) as GraphQLFieldResolver<unknown, GraphQLContext>,
          returned,
        );
    }
  }
  return schema;
}
