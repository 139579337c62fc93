import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { YogaInitialContext } from 'graphql-yoga';
import { AccessView, type BillingServices } from '@billing/schema/billing';
import type { GraphQLContext } from '@billing/schema/graphql';
import { AuthenticationError, type Authenticator } from './auth.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function requestIdOf(request: Request): string {
  const given = request.headers.get('x-request-id');
  return given && REQUEST_ID.test(given) ? given : randomUUID();
}

export function createContextFactory(services: BillingServices, authenticator: Authenticator) {
  return async ({ request }: YogaInitialContext): Promise<GraphQLContext> => {
    let principal;
    try {
      principal = await authenticator.authenticate(request.headers);
    } catch (error) {
      if (error instanceof AuthenticationError) {
        throw new GraphQLError(error.message, {
          extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } } },
        });
      }
      throw error;
    }
    return {
      services,
      access: await AccessView.load(services.db, principal),
      requestId: requestIdOf(request),
    };
  };
}
