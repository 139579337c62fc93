// Event log order on PostgreSQL: a transaction that appends an event holds the event-log lock to its
// commit, so a concurrent one (another instance) waits, and sequence order is commit order. Without
// it, a stream resumed after the higher sequence would miss a lower one committed later. Runs in the
// `postgresql` vitest project.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BillingStore } from '../db/store.js';
import { fixedClock } from './clock.js';
import { eventsAfter, transactionWithEvents } from './event-log.js';
import { createSandboxProcessor } from './sandbox-processor.js';
import type { BillingServices } from './services.js';
import { instanceOn, NOW, seededPostgres, type SeededPostgres } from './test-support.js';

let postgres: SeededPostgres;
let stores: BillingStore[];
const clock = fixedClock(NOW);
const processor = createSandboxProcessor({ ledgerPath: ':memory:', clock });
const instance = (store: BillingStore) => instanceOn(store, { clock, processor });

beforeAll(async () => {
  postgres = await seededPostgres(2, { poolSize: 4 });
  stores = postgres.stores;
});
afterAll(async () => {
  processor.close();
  await postgres?.close();
});

const event = { type: 'INVOICE_UPDATED', billingAccountId: 1, data: { note: 'order test' } } as const;

describe('event log order (PostgreSQL)', () => {
  it('a second instance appending while the first is uncommitted waits, then gets the higher sequence', async () => {
    const [a, b] = stores.map(instance) as [BillingServices, BillingServices];
    let commitFirst!: () => void;
    const held = new Promise<void>((resolve) => (commitFirst = resolve));
    let firstAppended!: () => void;
    const appended = new Promise<void>((resolve) => (firstAppended = resolve));
    const finished: string[] = [];

    const first = transactionWithEvents(a, async (_tx, record) => {
      const row = await record(event);
      firstAppended();
      await held;
      finished.push('first');
      return row;
    });
    await appended;
    const second = transactionWithEvents(b, async (_tx, record) => {
      const row = await record(event);
      finished.push('second');
      return row;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(finished).toEqual([]); // the second insert is still waiting for the first commit
    commitFirst();
    const [one, two] = await Promise.all([first, second]);
    expect(finished).toEqual(['first', 'second']);
    expect(two.sequence).toBeGreaterThan(one.sequence);
    const logged = await eventsAfter(a, one.sequence - 1, { billingAccountIds: [1], types: ['INVOICE_UPDATED'] });
    expect(logged.map((e) => e.id)).toEqual([one.id, two.id]);
  });

  it('a rolled-back change leaves no event', async () => {
    const services = instance(stores[0]!);
    const before = await eventsAfter(services, 0, { billingAccountIds: [1], types: ['INVOICE_UPDATED'] });
    await expect(
      transactionWithEvents(services, async (_tx, record) => {
        await record(event);
        throw new Error('the change fails after its event was recorded');
      }),
    ).rejects.toThrow('the change fails');
    expect(await eventsAfter(services, 0, { billingAccountIds: [1], types: ['INVOICE_UPDATED'] })).toEqual(before);
  });
});
