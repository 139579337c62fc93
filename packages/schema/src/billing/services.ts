import type { BillingStore } from '../db/store.js';
import type { Clock } from './clock.js';
import type { BillingEventBus } from './events.js';
import type { PaymentProcessor } from './payment-processor.js';
import type { DocumentSettings } from './documents/invoice-documents.js';
import type { PaymentRules } from './payment-rules.js';
import type { AutopaySettings } from './autopay.js';
import type { WebhookSettings } from './webhooks/settings.js';

/** Test-only hooks that make the process fail at a chosen point of the payment flow. */
export interface PaymentFaults {
  /** Called after the processor charged and before the outcome is written. */
  afterChargeBeforeFinalize?: () => void | Promise<void>;
}

/** Everything the billing rules need from the outside world, injected once per process. */
export interface BillingServices {
  /** The database seam: reads through `store.db`, writes through `store.transaction`. */
  store: BillingStore;
  clock: Clock;
  processor: PaymentProcessor;
  events: BillingEventBus;
  settings: {
    processorTimeoutMs: number;
    /** How long an idempotency key's answer is kept. */
    idempotencyTtlMs: number;
    /** A PROCESSING attempt older than this is settled by asking the processor. */
    reconcileAfterMs: number;
    /** Which payment methods an account, amount or charge may use. */
    paymentRules: PaymentRules;
    /** The dunning schedule of automatic charges. */
    autopay: AutopaySettings;
    /** Invoice PDFs and their signed download links. */
    documents: DocumentSettings;
    /** Webhook delivery: the secret key, retries, timeouts and which addresses may be called. */
    webhooks: WebhookSettings;
  };
  faults?: PaymentFaults;
}
