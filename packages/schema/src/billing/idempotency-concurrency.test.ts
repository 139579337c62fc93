// Idempotency claims racing on one key across several instances on one PostgreSQL (READ COMMITTED),
// while winners release the key again: every claim gets an answer, never an error, and at any moment at
// most one request holds the key. And payInvoice's claim, which commits or rolls back with the
// reservation: a refused request's key is never seen in progress. Runs in the `postgresql` vitest project.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BillingStore } from '../db/store.js';
import { AccessView } from './access.js';
import { fixedClock } from './clock.js';
import { InvoiceNotPayableError } from './errors.js';
import { abandonIdempotent, beginIdempotent } from './idempotency.js';
import { payInvoice } from './payments.js';
import { createSandboxProcessor } from './sandbox-processor.js';
import { instanceOn, NOW, SEEDED, USERS, seededPostgres, type SeededPostgres } from './test-support.js';

const INSTANCES = 3;
const ROUNDS = 5;
const CLAIMS_PER_ROUND = 60;
let postgres: SeededPostgres;
let stores: BillingStore[];
const clock = fixedClock(NOW);
const processor = createSandboxProcessor({ ledgerPath: ':memory:', clock });
const instance = (store: BillingStore) => instanceOn(store, { clock, processor });

beforeAll(async () => {
  postgres = await seededPostgres(INSTANCES, { poolSize: 10 });
  stores = postgres.stores;
});
afterAll(async () => {
  processor.close();
  await postgres?.close();
});

describe('idempotency claims on one key, several instances (PostgreSQL)', () => {
  it('answers every claim while winners release the key, and never lets two hold it at once', async () => {
    let holders = 0;
    let mostHolders = 0;
    const kinds = new Map<string, number>();
    // Each round starts with the key free; its winner releases it while the others are mid-claim.
    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all(
        Array.from({ length: CLAIMS_PER_ROUND }, async (_, i) => {
          const services = instance(stores[i % INSTANCES]!);
          const begun = await beginIdempotent(services, {
            principal: 'user:1',
            operation: 'payInvoice',
            key: 'contended',
            fingerprint: 'same-request',
          });
          kinds.set(begun.kind, (kinds.get(begun.kind) ?? 0) + 1);
          if (begun.kind !== 'new') return;
          holders += 1;
          mostHolders = Math.max(mostHolders, holders);
          holders -= 1;
          await abandonIdempotent(services, begun.recordId);
        }),
      );
    }
    expect(mostHolders).toBe(1);
    expect((kinds.get('new') ?? 0) + (kinds.get('in-progress') ?? 0)).toBe(ROUNDS * CLAIMS_PER_ROUND);
    expect(kinds.get('new')).toBeGreaterThanOrEqual(ROUNDS); // released, then claimed again
  });

  it("payInvoice's claim rolls back with a refusal: racing requests on one key all get the refusal, none 'in progress'", async () => {
    const ada = await AccessView.load(stores[0]!, { kind: 'user', userId: USERS.ada });
    const before = processor.chargeCount();
    const outcomes = await Promise.all(
      Array.from({ length: CLAIMS_PER_ROUND }, (_, i) =>
        payInvoice(instance(stores[i % INSTANCES]!), ada, {
          invoiceId: SEEDED.invoices.engineeringPaid,
          paymentMethodId: SEEDED.cards.engVisa,
          idempotencyKey: 'refused-everywhere',
        }).then(
          () => 'paid',
          (error: Error) => (error instanceof InvoiceNotPayableError ? error.reason : error.constructor.name),
        ),
      ),
    );
    // Before the claim moved into the reserving transaction, requests arriving between a refused
    // winner's claim and its release were told the key was in use.
    expect(new Set(outcomes)).toEqual(new Set(['ALREADY_PAID']));
    expect(processor.chargeCount() - before).toBe(0);
    expect(await stores[0]!.rawQuery("SELECT id FROM idempotency_records WHERE key = 'refused-everywhere'")).toEqual(
      [],
    );
  });
});
