import type { AccessView } from '../billing/access.js';
import type { BillingServices } from '../billing/services.js';

/** Per-request context: who is asking (already authenticated by the server) and the services. */
export interface GraphQLContext {
  services: BillingServices;
  access: AccessView;
  requestId: string;
  /** The SSE `Last-Event-ID` request header: where a reconnecting `billingEvents` stream resumes. */
  lastEventId?: string | null;
}
