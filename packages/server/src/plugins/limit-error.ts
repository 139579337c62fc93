// One shape for every "this document is too big" refusal, whichever check made it, so clients can
// handle them alike: a GraphQL error with code QUERY_TOO_COMPLEX, the limit's name and its value.
import type { GraphQLError } from 'graphql';
import { gatewayError } from '../gateway-error.js';

export type LimitName = 'depth' | 'aliases' | 'directives' | 'tokens' | 'fields' | 'cost';

export function limitError(limit: LimitName, maximum: number, message: string): GraphQLError {
  return gatewayError('QUERY_TOO_COMPLEX', message, {
    extensions: { limit, maximum },
    // 400 like any invalid document; `spec` keeps 200 for `application/json` clients, as the
    // GraphQL-over-HTTP spec asks for documents that fail validation.
    http: { status: 400, spec: true },
  });
}
