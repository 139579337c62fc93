// Crash between commit and delivery: a gateway process commits events for a webhook endpoint and is
// SIGKILLed before its worker sends them; the next process started on the same database delivers each
// of them, once, signed. Real child processes (the CLI's `start`), a real receiver; on the vitest
// project's dialect (a SQLite file, or a throwaway PostgreSQL database).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createEventBus,
  fixedClock,
  startTestReceiver,
  transactionWithEvents,
  type BillingServices,
  type TestReceiver,
} from '@billing/schema/billing';
import { createTestPostgresDatabase, openStore, type TestPostgresDatabase } from '@billing/schema/db';
import { toGlobalId } from '@billing/schema/graphql';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChildGateway, type ChildGateway, childGql as gql } from './child-gateway.js';
import { TEST_DIALECT } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'billing-webhook-crash-'));
const running: ChildGateway[] = [];
let database: TestPostgresDatabase | null = null;
let receiver: TestReceiver;
let env: Record<string, string>;

beforeAll(async () => {
  database = TEST_DIALECT === 'postgresql' ? await createTestPostgresDatabase() : null;
  env = {
    ...(database ? { DATABASE_URL: database.url } : { DATABASE_PATH: join(dir, 'billing.db') }),
    SANDBOX_LEDGER_PATH: join(dir, 'ledger.db'),
    JWT_SECRET: 'webhook-crash-secret-long-enough-for-hs256',
    WEBHOOK_ENCRYPTION_KEY: 'c4'.repeat(32),
    SEED_DEMO_DATA: 'true',
    LOG_LEVEL: 'silent',
  };
  receiver = await startTestReceiver();
});
afterAll(async () => {
  for (const gateway of running)
    if (gateway.child.exitCode === null && gateway.child.signalCode === null) gateway.child.kill('SIGKILL');
  await receiver?.close();
  await database?.drop();
});

describe('crash between commit and delivery', () => {
  let secret = '';
  const committed: string[] = [];

  it('the first process commits events and dies before delivering them', async () => {
    // Its worker would run only in an hour: what it committed is still undelivered when it is killed.
    const first = await startChildGateway({ ...env, WEBHOOK_WORKER_INTERVAL_MS: '3600000' });
    running.push(first);
    const created = await gql(
      first,
      `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) {
        __typename ... on CreateWebhookEndpointSuccess { secret } } }`,
      {
        input: {
          billingAccountId: toGlobalId('BillingAccount', 1),
          url: `${receiver.url}/crash`,
          eventTypes: ['INVOICE_UPDATED', 'PAYMENT_UPDATED'],
        },
      },
    );
    expect(created.data.createWebhookEndpoint.__typename).toBe('CreateWebhookEndpointSuccess');
    secret = created.data.createWebhookEndpoint.secret;

    // A change committed by this process: until the mutations record their own events, record them as
    // a billing write does, in a transaction on the same database (WAL lets a second connection write).
    const store = openStore({ url: database?.url ?? env.DATABASE_PATH! });
    try {
      const services = { store, clock: fixedClock(new Date()), events: createEventBus() } as unknown as BillingServices;
      for (const status of ['PAST_DUE', 'PAID']) {
        const event = await transactionWithEvents(services, (_tx, record) =>
          record({ type: 'INVOICE_UPDATED', billingAccountId: 1, invoiceId: 2, data: { status } }),
        );
        committed.push(event.id);
      }
    } finally {
      await store.close();
    }
    first.child.kill('SIGKILL');
    const exit = await first.exited;
    expect(exit.signal === 'SIGKILL' || exit.code === 137).toBe(true);
    expect(receiver.requests).toEqual([]);
  });

  it('the next process delivers every committed event once, in order, signed', async () => {
    const second = await startChildGateway({ ...env, WEBHOOK_WORKER_INTERVAL_MS: '100' });
    running.push(second);
    const deadline = Date.now() + 20_000;
    while (receiver.successesById().size < committed.length && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    // A moment more, in case anything were sent twice.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.successesById()).toEqual(new Map(committed.map((id) => [id, 1])));
    expect(receiver.requests.map((r) => r.webhookId)).toEqual(committed);
    for (const request of receiver.requests)
      expect(new Webhook(secret).verify(request.body, request.headers as Record<string, string>)).toBeTruthy();
    second.child.kill('SIGTERM');
    await second.exited;
  });
});
