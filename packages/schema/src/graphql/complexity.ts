// An operation's size as the complexity plugin declares it per field (builder.ts, page-sizes.ts),
// measured with the request's variables, which validation (cached by document text) never sees.
import { PothosValidationError } from '@pothos/core';
import { createComplexityRule } from '@pothos/plugin-complexity';
import { validate, type DocumentNode, type GraphQLError, type GraphQLSchema } from 'graphql';

export interface OperationSize {
  /** Field selections, `__typename` included, each fragment counted at every spread. */
  fields: number;
  /** Estimated values in the response: every field once per object, lists times their length. */
  cost: number;
}

export type Measurement =
  | ({ measured: true } & OperationSize)
  /**
   * A field's cost depends on arguments that do not map, such as a malformed ID in `nodes(ids:)`.
   * Such an operation cannot be bounded, so it must not run (execution would refuse the field anyway).
   */
  | { measured: false; error: GraphQLError }
  /** Left to execution, which reports it: an unknown operation name, variables that do not coerce. */
  | null;

/** Measures the operation `operationName` selects (or the document's only one). */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> | null | undefined,
): Measurement {
  let size: OperationSize | null = null;
  const errors = validate(schema, document, [
    createComplexityRule({
      context: {},
      variableValues: { ...variables },
      operationName: operationName ?? null,
      onResult: (result) => {
        size = { fields: result.breadth, cost: result.complexity };
      },
    }),
  ]);
  const unmappable = errors.find((error) => error instanceof PothosValidationError);
  if (unmappable) return { measured: false, error: unmappable };
  return size ? { measured: true, ...(size as OperationSize) } : null;
}
