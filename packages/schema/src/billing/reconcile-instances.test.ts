// Reconciliation with several gateway instances on one PostgreSQL: every instance runs the sweep at
// the same moment, and each stuck attempt is still looked up once and settled once (the sweep holds
// an advisory lock; settling is guarded on PROCESSING). Runs in the `postgresql` vitest project.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BillingStore } from '../db/store.js';
import { AccessView } from './access.js';
import { fixedClock } from './clock.js';
import { createEventBus } from './events.js';
import type { PaymentProcessor } from './payment-processor.js';
import { payInvoice } from './payments.js';
import { RECONCILE_LOCK, reconcileStalePayments } from './reconciliation.js';
import { createSandboxProcessor, type SandboxProcessor } from './sandbox-processor.js';
import type { BillingServices, PaymentFaults } from './services.js';
import { NOW, SEEDED, SETTINGS, USERS, seededPostgres, type SeededPostgres } from './test-support.js';

const INSTANCES = 3;
const STUCK = [SEEDED.invoices.engineeringDue, SEEDED.invoices.engineeringPastDue, SEEDED.invoices.engineeringPastDue2];
let postgres: SeededPostgres;
let stores: BillingStore[];
let sandbox: SandboxProcessor;
const clock = fixedClock(NOW);

/** The shared sandbox, counting the lookups (slowed down, so that concurrent sweeps overlap). */
let lookups = 0;
const processor = (): PaymentProcessor => ({
  name: sandbox.name,
  tokenizeCard: (card) => sandbox.tokenizeCard(card),
  charge: (request, options) => sandbox.charge(request, options),
  async findCharge(key) {
    lookups += 1;
    await new Promise((resolve) => setTimeout(resolve, 20));
    return sandbox.findCharge(key);
  },
});

const instance = (store: BillingStore, faults?: PaymentFaults): BillingServices => ({
  store,
  clock,
  processor: processor(),
  events: createEventBus(),
  settings: SETTINGS,
  ...(faults ? { faults } : {}),
});

beforeAll(async () => {
  postgres = await seededPostgres(INSTANCES);
  stores = postgres.stores;
  sandbox = createSandboxProcessor({ ledgerPath: ':memory:', latencyMs: 0, clock });
});
afterAll(async () => {
  sandbox?.close();
  await postgres?.close();
});

describe('reconciliation on several instances (PostgreSQL)', () => {
  it('settles each stuck attempt once, asking the processor once per attempt, whichever instance sweeps', async () => {
    // Instance 0 charges three invoices and "crashes" before writing any outcome.
    const crashing = instance(stores[0]!, {
      afterChargeBeforeFinalize: () => {
        throw new Error('simulated crash');
      },
    });
    const ada = await AccessView.load(stores[0]!, { kind: 'user', userId: USERS.ada });
    for (const invoiceId of STUCK) {
      await expect(
        payInvoice(crashing, ada, {
          invoiceId,
          paymentMethodId: SEEDED.cards.engVisa,
          idempotencyKey: `k-${invoiceId}`,
        }),
      ).rejects.toThrow('simulated crash');
    }
    expect(sandbox.chargeCount()).toBe(STUCK.length);
    clock.advance(SETTINGS.reconcileAfterMs + 1_000);

    // Every instance sweeps at once.
    const summaries = await Promise.all(stores.map((store) => reconcileStalePayments(instance(store))));
    const ran = summaries.filter((s) => s !== null);
    expect(ran.length).toBeGreaterThanOrEqual(1);
    expect(summaries.filter((s) => s === null).length).toBeGreaterThanOrEqual(1);
    expect(ran.reduce((n, s) => n + s.examined, 0)).toBe(STUCK.length);
    expect(ran.reduce((n, s) => n + s.succeeded, 0)).toBe(STUCK.length);
    expect(lookups).toBe(STUCK.length);

    const rows = await stores[1]!.rawQuery<{ invoice_id: number; status: string; lifecycle: string }>(
      'SELECT p.invoice_id, p.status, i.lifecycle FROM payments p JOIN invoices i ON i.id = p.invoice_id ORDER BY p.invoice_id',
    );
    expect(rows).toEqual(STUCK.map((id) => ({ invoice_id: id, status: 'SUCCEEDED', lifecycle: 'PAID' })));
    const settled = await stores[2]!.rawQuery<{ target: string; n: number }>(
      "SELECT target, CAST(count(*) AS INTEGER) AS n FROM audit_events WHERE action = 'payment.reconcile' GROUP BY target ORDER BY target",
    );
    expect(settled).toEqual(STUCK.map((id) => ({ target: `invoice:${id}`, n: 1 })));
    expect(sandbox.chargeCount()).toBe(STUCK.length);
  });

  it('a sweep waits for nobody: while one instance holds the lock, the others return null at once', async () => {
    let release!: () => void;
    const holding = stores[0]!.exclusively(RECONCILE_LOCK, () => new Promise<void>((resolve) => (release = resolve)));
    await expect.poll(() => release).toBeTypeOf('function');
    expect(await reconcileStalePayments(instance(stores[1]!))).toBeNull();
    release();
    await holding;
    expect(await reconcileStalePayments(instance(stores[1]!))).toMatchObject({ examined: 0 });
  });
});
