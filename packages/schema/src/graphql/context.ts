import type { AccessView } from '../billing/access.js';
import type { BillingServices } from '../billing/services.js';

/** Per-request context: who is asking (already authenticated by the server) and the services. */
export interface GraphQLContext {
  services: BillingServices;
  access: AccessView;
  requestId: string;
}
