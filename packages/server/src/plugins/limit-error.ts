// One shape for every "this document is too big" refusal, whichever check made it, so clients can
// handle them alike: a GraphQL error with code QUERY_TOO_COMPLEX, the limit's name and its value.
import { GraphQLError } from 'graphql';

export type LimitName = 'depth' | 'aliases' | 'directives' | 'tokens' | 'fields' | 'cost';

export function limitError(limit: LimitName, maximum: number, message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: {
      code: 'QUERY_TOO_COMPLEX',
      limit,
      maximum,
      // 400 like any invalid document; `spec` keeps 200 for `application/json` clients, as the
      // GraphQL-over-HTTP spec asks for documents that fail validation.
      http: { status: 400, spec: true },
    },
  });
}
