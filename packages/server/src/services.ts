// Builds the process-wide services from configuration: database, clock, processor, events.
import {
  DEFAULT_PAYMENT_RULES,
  DEMO_DOCUMENT_ISSUER,
  DEMO_WIRE_TRANSFER_ACCOUNT,
  documentLinkKey,
  createEventBus,
  tapEvents,
  type BillingEvent,
  createHttpProcessor,
  createSandboxProcessor,
  systemClock,
  DEFAULT_WEBHOOK_SETTINGS,
  developmentWebhookKey,
  webhookEncryptionKey,
  type BillingServices,
  type BillingEventBus,
  type Clock,
  type PaymentFaults,
  type PaymentProcessor,
  type SandboxProcessor,
} from '@billing/schema/billing';
import { openStore, type BillingStore, type OpenDatabaseOptions } from '@billing/schema/db';
import { loadOrCreateDevSecret } from './auth.js';
import { databaseLocation, type GatewayConfig } from './config.js';
import type { SharedEventBus } from './shared-events.js';

export interface GatewayResources {
  services: BillingServices;
  /**
   * The in-process sandbox processor (the embedded default), for its ledger in tests and demos.
   * With PAYMENT_PROCESSOR=http the ledger lives in the service: reading this throws.
   */
  readonly sandbox: SandboxProcessor;
  /** The events this instance published itself (with Redis, `services.events` carries every instance's). */
  localEvents: BillingEventBus;
  store: BillingStore;
  close(): Promise<void>;
}

export interface ResourceOptions {
  clock?: Clock;
  onQuery?: OpenDatabaseOptions['onQuery'];
  /** Spans for batch reads and SQL statements (when the gateway traces). */
  traced?: boolean;
  /** Called with every event this instance publishes, as it is published. */
  onPublish?: (event: BillingEvent) => void;
  /** Billing events shared across instances (REDIS_URL); default: the in-process bus. */
  sharedEvents?: SharedEventBus;
}

function createProcessor(
  config: GatewayConfig,
  clock: Clock,
): { processor: PaymentProcessor; sandbox?: SandboxProcessor } {
  if (config.payments.processor === 'http') {
    return {
      processor: createHttpProcessor({
        url: config.payments.processorUrl!,
        timeoutMs: config.payments.processorTimeoutMs,
      }),
    };
  }
  const sandbox = createSandboxProcessor({
    ledgerPath: config.payments.sandboxLedgerPath,
    latencyMs: config.payments.sandboxLatencyMs,
    clock,
  });
  return { processor: sandbox, sandbox };
}

export async function createResources(config: GatewayConfig, options: ResourceOptions = {}): Promise<GatewayResources> {
  const clock = options.clock ?? systemClock;
  const store = openStore({
    url: databaseLocation(config),
    poolSize: config.databasePoolSize,
    ...(options.onQuery ? { onQuery: options.onQuery } : {}),
    traced: options.traced ?? false,
  });
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  const { processor, sandbox } = createProcessor(config, clock);
  const bus = options.sharedEvents ?? createEventBus();
  const events = options.onPublish ? tapEvents(bus, options.onPublish) : bus;
  const faults = faultsFor(config.faultInjection);
  const services: BillingServices = {
    store,
    clock,
    processor,
    events,
    settings: {
      processorTimeoutMs: config.payments.processorTimeoutMs,
      idempotencyTtlMs: 24 * 60 * 60 * 1000,
      reconcileAfterMs: config.payments.reconcileAfterMs,
      paymentRules: DEFAULT_PAYMENT_RULES,
      autopay: { retryDelaysDays: config.payments.autopayRetryDays },
      documents: {
        linkKey: documentLinkKey(config.documents.linkSecret ?? loadOrCreateDevSecret(config)),
        linkTtlMs: config.documents.linkTtlMs,
        issuer: DEMO_DOCUMENT_ISSUER,
        wireTransferAccount: DEMO_WIRE_TRANSFER_ACCOUNT,
      },
      webhooks: {
        ...DEFAULT_WEBHOOK_SETTINGS,
        encryptionKey: config.webhooks.encryptionKey
          ? webhookEncryptionKey(config.webhooks.encryptionKey)
          : developmentWebhookKey(),
        requireHttps: config.mode === 'production',
        allowPrivateAddresses: config.webhooks.allowPrivateAddresses,
        timeoutMs: config.webhooks.timeoutMs,
        maxAttempts: config.webhooks.maxAttempts,
        // A claim outlives the attempt it covers, so no other instance sends the same delivery meanwhile.
        leaseMs: Math.max(DEFAULT_WEBHOOK_SETTINGS.leaseMs, config.webhooks.timeoutMs * 2 + 5_000),
      },
    },
    ...(faults ? { faults } : {}),
  };
  return {
    services,
    get sandbox(): SandboxProcessor {
      if (!sandbox) throw new Error('PAYMENT_PROCESSOR=http: the ledger is in the processor service, not here');
      return sandbox;
    },
    localEvents: options.sharedEvents?.local ?? bus,
    store,
    async close() {
      options.sharedEvents?.close();
      sandbox?.close();
      await store.close();
    },
  };
}

/**
 * Test-only crash points (BILLING_FAULT_INJECTION, honoured in development mode only).
 * `crash-after-charge` kills the process the instant the processor has charged, before the
 * outcome is written: the window reconciliation exists for.
 */
function faultsFor(name: string | undefined): PaymentFaults | undefined {
  if (name === 'crash-after-charge') {
    return {
      afterChargeBeforeFinalize: () => {
        process.kill(process.pid, 'SIGKILL');
      },
    };
  }
  if (name) throw new Error(`unknown BILLING_FAULT_INJECTION "${name}"`);
  return undefined;
}
