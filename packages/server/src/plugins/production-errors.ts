// What errors may say in production. Yoga already replaces unexpected errors with "Unexpected error.";
// this removes what expected errors can still carry:
// - "Did you mean ...?" hints, which map the schema for someone without introspection. They come
//   from validation ("Cannot query field "invoicez" ... Did you mean "invoices"?") and from variable
//   coercion at execution ("... Did you mean the enum value "DUE"?");
// - `extensions.originalError` (Yoga attaches the JSON parser's message, which quotes the request
//   body) and any `exception` / `stacktrace` extension a library might add.
// It runs on every result just before serialization, whichever phase produced its errors.
import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

const SUGGESTION = /\s*Did you mean [^?]*\?/g;
const INTERNAL_EXTENSIONS = ['originalError', 'exception', 'stacktrace', 'stack'];

function scrub(error: GraphQLError): void {
  // In place: validation errors are cached per document, and the cached ones must not keep hints either.
  error.message = error.message.replace(SUGGESTION, '');
  const extensions = error.extensions as Record<string, unknown> | undefined;
  if (extensions) for (const key of INTERNAL_EXTENSIONS) delete extensions[key];
}

export function useProductionErrorScrubbing(): Plugin {
  return {
    onResultProcess({ result }) {
      // Subscription streams are left alone: their errors are the schema's own.
      if (Symbol.asyncIterator in result) return;
      for (const single of Array.isArray(result) ? result : [result])
        for (const error of single.errors ?? []) scrub(error);
    },
  };
}
