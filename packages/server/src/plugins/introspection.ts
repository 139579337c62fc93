// Introspection: on in development (GraphiQL needs it), off in production unless INTROSPECTION=true.
// Off, a document that asks for `__schema` or `__type` fails validation; `__typename` still works.
import { NoSchemaIntrospectionCustomRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export function useIntrospectionDisabled(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
}
