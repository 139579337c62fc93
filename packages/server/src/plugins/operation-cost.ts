// How much an operation may ask for, measured just before it runs (page sizes often come from
// variables, which validation, and its cache keyed by document text, never sees). The measure is the
// schema's own, declared per field with the Pothos complexity plugin (see @billing/schema's
// complexity.ts); this plugin refuses what exceeds the limits before any resolver runs, with the
// same error as every other document limit (QUERY_TOO_COMPLEX, 400).
//
// - fields: field selections, `__typename` included, each fragment counted at every spread. Stops
//   "500 copies of one field" and fragment fan-out, which no page size explains.
// - cost: every field 1 per object it is selected on; a connection multiplies what it selects by its
//   page (`first`/`last`, else the default page), `nodes(ids:)` by the number of ids, any other list
//   by an assumed length.
import { measureOperation } from '@billing/schema/graphql';
import { getOperationAST, type DocumentNode, type GraphQLError, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { gatewayError } from '../gateway-error.js';
import { limitError } from './limit-error.js';

export interface OperationCostOptions {
  /** Field selections per operation (see above). */
  maxFields: number;
  /** Estimated values in the response (see above). */
  maxCost: number;
}

type Measurement = ReturnType<typeof measureOperation>;

/** Measured sizes of queries this many per document at most (page sizes come from variables). */
const MAX_MEASURED_PER_DOCUMENT = 256;

/**
 * A query's size depends only on the schema, the document (Yoga's parse cache hands out the same
 * object for the same text), the operation name and the variables: measuring walks the whole
 * document with a TypeInfo, so each combination is measured once. Mutations are measured every
 * time: their variables hold card numbers, which are never kept.
 */
function measurer(schema: GraphQLSchema) {
  const byDocument = new WeakMap<DocumentNode, Map<string, Measurement>>();
  return (
    document: DocumentNode,
    operationName: string | null | undefined,
    variables: Readonly<Record<string, unknown>> | null | undefined,
  ): Measurement => {
    if (getOperationAST(document, operationName)?.operation !== 'query')
      return measureOperation(schema, document, operationName, variables);
    let sizes = byDocument.get(document);
    if (!sizes) {
      sizes = new Map();
      byDocument.set(document, sizes);
    }
    let key: string;
    try {
      key = `${operationName ?? ''}\n${JSON.stringify(variables ?? {})}`;
    } catch {
      // Too deeply nested to write out (a hostile variable): measured as it is, and not kept.
      return measureOperation(schema, document, operationName, variables);
    }
    let size = sizes.get(key);
    if (size === undefined) {
      size = measureOperation(schema, document, operationName, variables);
      if (sizes.size >= MAX_MEASURED_PER_DOCUMENT) sizes.clear();
      sizes.set(key, size);
    }
    return size;
  };
}

const measurers = new WeakMap<GraphQLSchema, ReturnType<typeof measurer>>();

function refusal(
  limits: OperationCostOptions,
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> | null | undefined,
): GraphQLError | null {
  let measure = measurers.get(schema);
  if (!measure) {
    measure = measurer(schema);
    measurers.set(schema, measure);
  }
  const size = measure(document, operationName, variables);
  if (!size) return null;
  if (!size.measured) {
    return gatewayError('BAD_USER_INPUT', size.error.message, { http: { status: 400, spec: true } });
  }
  if (size.fields > limits.maxFields) {
    return limitError('fields', limits.maxFields, `Field limit of ${limits.maxFields} exceeded, found ${size.fields}.`);
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

/** Refuses operations over `maxFields` or `maxCost` (no defaults: the gateway's come from its config). */
export function useOperationCostLimit(limits: OperationCostOptions): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = refusal(limits, args.schema, args.document, args.operationName, args.variableValues);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = refusal(limits, args.schema, args.document, args.operationName, args.variableValues);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
