// Builds the process-wide services from configuration: database, clock, processor, events.
import {
  createEventBus,
  createSandboxProcessor,
  systemClock,
  type BillingServices,
  type Clock,
  type PaymentFaults,
  type SandboxProcessor,
} from '@billing/schema/billing';
import { migrateDatabase, openDatabase, type DatabaseHandle, type OpenDatabaseOptions } from '@billing/schema/db';
import type { GatewayConfig } from './config.js';

export interface GatewayResources {
  services: BillingServices;
  /** The sandbox processor (the embedded default), for its ledger in tests and demos. */
  sandbox: SandboxProcessor;
  database: DatabaseHandle;
  close(): void;
}

export function createResources(
  config: GatewayConfig,
  options: { clock?: Clock; onQuery?: OpenDatabaseOptions['onQuery'] } = {},
): GatewayResources {
  const clock = options.clock ?? systemClock;
  const database = openDatabase({
    path: config.databasePath,
    ...(options.onQuery ? { onQuery: options.onQuery } : {}),
  });
  migrateDatabase(database);
  const processor = createSandboxProcessor({
    ledgerPath: config.payments.sandboxLedgerPath,
    latencyMs: config.payments.sandboxLatencyMs,
    clock,
  });
  const faults = faultsFor(config.faultInjection);
  const services: BillingServices = {
    db: database.db,
    reads: database.reads,
    clock,
    processor,
    events: createEventBus(),
    settings: {
      processorTimeoutMs: config.payments.processorTimeoutMs,
      idempotencyTtlMs: 24 * 60 * 60 * 1000,
      reconcileAfterMs: config.payments.reconcileAfterMs,
    },
    ...(faults ? { faults } : {}),
  };
  return {
    services,
    sandbox: processor,
    database,
    close() {
      processor.close();
      database.close();
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
