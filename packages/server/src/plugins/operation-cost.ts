// How much an operation may ask for, measured just before it runs (page sizes often come from
// variables, which validation, and its cache keyed by document text, never sees):
//
// - fields: field selections, `__typename` included, each fragment counted at every spread. Stops
//   "500 copies of one field" and fragment fan-out, which no page size explains.
// - cost: an estimate of the values in the response. Every field is 1 per object it is selected on;
//   a list field multiplies what it selects by its size: `first`/`last` on a connection (20 when
//   absent, the schema's default page), the connection's page size for its `edges`/`nodes`, the
//   number of `ids` for `nodes(ids:)`, and 10 for any other list.
//
// Introspection fields are not counted: introspection is off in production, and in development
// GraphiQL's own schema query must run.
import {
  getNamedType,
  getNullableType,
  getOperationAST,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  valueFromASTUntyped,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GatewayConfig } from '../config.js';
import { limitError } from './limit-error.js';

/** The schema's `defaultConnectionSize` (packages/schema/src/graphql/builder.ts). */
export const DEFAULT_PAGE_SIZE = 20;
/** Assumed length of a list with no page arguments (line items, payments, cards, profiles). */
export const UNPAGED_LIST_SIZE = 10;

export interface OperationSize {
  fields: number;
  cost: number;
}

type Variables = Readonly<Record<string, unknown>>;

export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Variables | null | undefined,
): OperationSize {
  const operation = getOperationAST(document, operationName);
  if (!operation) return { fields: 0, cost: 0 };

  const values: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) values[definition.variable.name.value] = valueFromASTUntyped(definition.defaultValue);
  }
  Object.assign(values, variables ?? {});

  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  // A fragment's size depends only on the page size it inherits: measure each pair once, so nested
  // spreads (A spreads B ten times, B spreads C ten times...) cost arithmetic, not exponential work.
  const measured = new Map<string, OperationSize>();

  function pageSize(args: Record<string, unknown>): number {
    const sizes = [args.first, args.last].filter((value): value is number => typeof value === 'number');
    return sizes.length ? Math.max(0, ...sizes) : DEFAULT_PAGE_SIZE;
  }

  function measure(
    selectionSet: SelectionSetNode,
    parentType: GraphQLNamedType | undefined,
    inheritedPage: number | undefined,
  ): OperationSize {
    const total = { fields: 0, cost: 0 };
    const add = (size: OperationSize, times = 1) => {
      total.fields += size.fields;
      total.cost += times * size.cost;
    };
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name === '__schema' || name === '__type') continue;
        add({ fields: 1, cost: 1 });
        if (!selection.selectionSet) continue;
        const field =
          parentType && (isObjectType(parentType) || isInterfaceType(parentType))
            ? parentType.getFields()[name]
            : undefined;
        if (!field) continue;
        const args: Record<string, unknown> = {};
        for (const argument of selection.arguments ?? [])
          args[argument.name.value] = valueFromASTUntyped(argument.value, values);
        const paged = field.args.some((arg) => arg.name === 'first' || arg.name === 'last');
        const ownPage = paged ? pageSize(args) : undefined;
        const length = isListType(getNullableType(field.type))
          ? (ownPage ?? (Array.isArray(args.ids) ? args.ids.length : undefined) ?? inheritedPage ?? UNPAGED_LIST_SIZE)
          : 1;
        add(measure(selection.selectionSet, getNamedType(field.type), ownPage), length);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parentType;
        add(measure(selection.selectionSet, type ?? undefined, inheritedPage));
      } else {
        const key = `${selection.name.value}|${inheritedPage ?? ''}`;
        let size = measured.get(key);
        if (!size) {
          const fragment = fragments.get(selection.name.value);
          // Seeded with zero first: a fragment cycle (refused by validation anyway) cannot recurse forever.
          measured.set(key, { fields: 0, cost: 0 });
          size = fragment
            ? measure(
                fragment.selectionSet,
                schema.getType(fragment.typeCondition.name.value) ?? undefined,
                inheritedPage,
              )
            : { fields: 0, cost: 0 };
          measured.set(key, size);
        }
        add(size);
      }
    }
    return total;
  }

  const root = schema.getRootType(operation.operation) ?? undefined;
  return measure(operation.selectionSet, root, undefined);
}

export function useOperationCostLimit(limits: Pick<GatewayConfig['limits'], 'maxFields' | 'maxCost'>): Plugin {
  function refusal(
    schema: GraphQLSchema,
    document: DocumentNode,
    operationName: string | null | undefined,
    variables: Variables | null | undefined,
  ) {
    const size = measureOperation(schema, document, operationName, variables);
    if (size.fields > limits.maxFields) {
      return limitError(
        'fields',
        limits.maxFields,
        `Field limit of ${limits.maxFields} exceeded, found ${size.fields}.`,
      );
    }
    if (size.cost > limits.maxCost) {
      return limitError(
        'cost',
        limits.maxCost,
        `Cost limit of ${limits.maxCost} exceeded, estimated ${Math.round(size.cost)}. Ask for smaller pages (first/last) or fewer fields.`,
      );
    }
    return null;
  }
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = refusal(args.schema, args.document, args.operationName, args.variableValues);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = refusal(args.schema, args.document, args.operationName, args.variableValues);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
