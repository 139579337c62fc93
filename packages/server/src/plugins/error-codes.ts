// Every error a client gets carries `extensions.code` (one of the schema's ErrorCode values). The gateway's
// own errors and Yoga's have one; graphql-js gives none to the errors of coercing variables (a variable of
// the wrong type, a required one missing, a scalar's parseValue refusing it), which come back as a result
// with errors and no `data` at all, before any field runs. Those are the caller's input: BAD_USER_INPUT.
// (Subscriptions need nothing: Yoga's executor already codes their refused variables BAD_USER_INPUT.)
import { GraphQLError, type ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { ErrorCode } from '@billing/schema/billing';

const CODE_FOR_REFUSED_VARIABLES: ErrorCode = 'BAD_USER_INPUT';

function withCode(error: GraphQLError, code: ErrorCode): GraphQLError {
  if (typeof error.extensions.code === 'string') return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });
}

/** A result that ran no field (no `data` key): its uncoded errors get BAD_USER_INPUT. */
function codeRefusedVariables(result: ExecutionResult, setResult: (result: ExecutionResult) => void): void {
  if (result.data !== undefined || !result.errors?.some((e) => typeof e.extensions.code !== 'string')) return;
  setResult({ ...result, errors: result.errors.map((e) => withCode(e, CODE_FOR_REFUSED_VARIABLES)) });
}

/** Gives the errors of refused variables, which graphql-js leaves without a code, `BAD_USER_INPUT`. */
export function useVariableErrorCodes(): Plugin {
  return {
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          if (!isAsyncIterable(result)) codeRefusedVariables(result, setResult);
        },
      };
    },
  };
}
