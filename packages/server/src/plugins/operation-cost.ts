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
import type { DocumentNode, GraphQLError, GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { gatewayError } from '../gateway-error.js';
import { limitError } from './limit-error.js';

export interface OperationCostOptions {
  /** Field selections per operation (see above). */
  maxFields: number;
  /** Estimated values in the response (see above). */
  maxCost: number;
}

function refusal(
  limits: OperationCostOptions,
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> | null | undefined,
): GraphQLError | null {
  const size = measureOperation(schema, document, operationName, variables);
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
