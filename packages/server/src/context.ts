import type { YogaInitialContext } from 'graphql-yoga';
import { AccessView, type BillingServices, type Principal } from '@billing/schema/billing';
import type { GraphQLContext } from '@billing/schema/graphql';
import { AuthenticationError, authenticateRequest, type Authenticator } from './auth.js';
import { gatewayError } from './gateway-error.js';
import { requestInfo } from './request-info.js';

const accessByRequest = new WeakMap<Request, Promise<AccessView>>();

/**
 * The caller's grants, loaded once per request whoever asks first (the response cache's key needs
 * them before the context exists). Throws the AuthenticationError of a failed sign-in.
 */
export function accessForRequest(
  services: BillingServices,
  authenticator: Authenticator,
  request: Request,
): Promise<AccessView> {
  let access = accessByRequest.get(request);
  if (!access) {
    access = authenticateRequest(authenticator, request).then((principal: Principal | null) =>
      AccessView.load(services.store, principal),
    );
    accessByRequest.set(request, access);
  }
  return access;
}

export function createContextFactory(services: BillingServices, authenticator: Authenticator) {
  return async ({ request }: YogaInitialContext): Promise<GraphQLContext> => {
    let access: AccessView;
    try {
      access = await accessForRequest(services, authenticator, request);
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
      access,
      requestId: requestInfo(request).id,
      lastEventId: request.headers.get('last-event-id'),
    };
  };
}
