import type { YogaInitialContext } from 'graphql-yoga';
import { AccessView, type BillingServices, type Principal } from '@billing/schema/billing';
import type { GraphQLContext } from '@billing/schema/graphql';
import { AuthenticationError, authenticateRequest, type Authenticator } from './auth.js';
import { gatewayError } from './gateway-error.js';
import { requestInfo } from './request-info.js';

export function createContextFactory(services: BillingServices, authenticator: Authenticator) {
  return async ({ request }: YogaInitialContext): Promise<GraphQLContext> => {
    let principal: Principal | null;
    try {
      principal = await authenticateRequest(authenticator, request);
    } catch (error) {
      if (error instanceof AuthenticationError) {
        throw gatewayError('UNAUTHENTICATED', error.message, {
          http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } },
        });
      }
      throw error;
    }
    return {
      services,
      access: await AccessView.load(services.store, principal),
      requestId: requestInfo(request).id,
    };
  };
}
