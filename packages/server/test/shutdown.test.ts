// Graceful shutdown of the real CLI (`billing-gateway start`) in a child process: on SIGTERM it stops
// accepting connections, lets the payment being charged finish and answer, cuts open subscription
// streams, closes the database and exits 0; and a request slower than SHUTDOWN_TIMEOUT_MS does not
// hold the process forever.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@billing/schema/db';
import { afterAll, describe, expect, it } from 'vitest';
import { startChildGateway, type ChildGateway } from './child-gateway.js';
import { cardId, invoiceId } from './harness.js';

const running: ChildGateway[] = [];
afterAll(() => {
  for (const gateway of running)
    if (gateway.child.exitCode === null && gateway.child.signalCode === null) gateway.child.kill('SIGKILL');
});

function environment(extra: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'billing-shutdown-'));
  return {
    DATABASE_PATH: join(dir, 'billing.db'),
    SANDBOX_LEDGER_PATH: join(dir, 'ledger.db'),
    JWT_SECRET: 'shutdown-test-secret-long-enough-for-hs256',
    SEED_DEMO_DATA: 'true',
    ...extra,
  };
}

const PAY = `mutation Pay($input: PayInvoiceInput!) { payInvoice(input: $input) { __typename ... on PayInvoiceSuccess { invoice { status } payment { status } } } }`;

function pay(gateway: ChildGateway, invoice: number, key: string) {
  return fetch(gateway.graphqlUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${gateway.tokens.get('ada@contoso.example')}`,
    },
    body: JSON.stringify({
      query: PAY,
      variables: { input: { invoiceId: invoiceId(invoice), paymentMethodId: cardId(1), idempotencyKey: key } },
    }),
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the child's payment attempt exists (PROCESSING): the processor is now charging. */
async function untilCharging(databasePath: string): Promise<void> {
  for (;;) {
    const db = openDatabase({ path: databasePath, readonly: true }).sqlite;
    try {
      if (db.prepare("SELECT 1 FROM payments WHERE status = 'PROCESSING'").get()) return;
    } catch {
      // The child may be mid-migration; look again.
    } finally {
      db.close();
    }
    await sleep(20);
  }
}

async function refusesConnections(url: string, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    try {
      await fetch(url.replace('/graphql', '/health'), { headers: { connection: 'close' } });
    } catch {
      return true;
    }
    await sleep(25);
  }
  return false;
}

// Each test starts a child gateway (tsx, migrations, seed): slow on a loaded machine.
describe('SIGTERM', { timeout: 90_000 }, () => {
  it('finishes the payment in flight, ends streams, closes the database and exits 0', async () => {
    const env = environment({ SANDBOX_LATENCY_MS: '1500', SHUTDOWN_TIMEOUT_MS: '20000' });
    const gateway = await startChildGateway(env);
    running.push(gateway);

    // A subscription stream that would never end by itself.
    const stream = await fetch(gateway.graphqlUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: `Bearer ${gateway.tokens.get('ada@contoso.example')}`,
      },
      body: JSON.stringify({ query: 'subscription { billingEvents { type } }' }),
    });
    expect(stream.status).toBe(200);
    const streamEnded = stream.text().then(
      () => 'ended',
      () => 'cut',
    );

    const payment = pay(gateway, 2, 'shutdown-in-flight');
    await untilCharging(env.DATABASE_PATH); // the processor is now "charging" (1.5 s)
    const signalled = Date.now();
    gateway.child.kill('SIGTERM');

    // New connections are refused at once, while the payment is still being charged.
    expect(await refusesConnections(gateway.graphqlUrl, 1_000)).toBe(true);

    const response = await payment;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      data: {
        payInvoice: { __typename: 'PayInvoiceSuccess', invoice: { status: 'PAID' }, payment: { status: 'SUCCEEDED' } },
      },
    });
    expect(await streamEnded).toMatch(/ended|cut/);

    const exit = await gateway.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    // Exited soon after the payment answered, not at the 20 s shutdown timeout (the stream did not hold it).
    expect(Date.now() - signalled).toBeLessThan(10_000);
    expect(gateway.output()).toMatch(/"msg":"shutting down: finishing in-flight requests"/);
    expect(gateway.output()).toMatch(/"msg":"gateway stopped"/);

    // The database was closed cleanly (WAL checkpointed into the file) with the payment settled.
    const db = openDatabase({ path: env.DATABASE_PATH, readonly: true }).sqlite;
    try {
      expect(db.prepare('SELECT status FROM payments WHERE invoice_id = 2').all()).toEqual([{ status: 'SUCCEEDED' }]);
      expect(db.prepare('SELECT lifecycle FROM invoices WHERE id = 2').get()).toEqual({ lifecycle: 'PAID' });
    } finally {
      db.close();
    }
  });

  it('does not wait past SHUTDOWN_TIMEOUT_MS for a request that takes longer', async () => {
    const env = environment({ SANDBOX_LATENCY_MS: '8000', PROCESSOR_TIMEOUT_MS: '20000', SHUTDOWN_TIMEOUT_MS: '500' });
    const gateway = await startChildGateway(env);
    running.push(gateway);

    const payment = pay(gateway, 2, 'shutdown-too-slow').then(
      (response) => response.status,
      () => 'cut',
    );
    await untilCharging(env.DATABASE_PATH);
    const signalled = Date.now();
    gateway.child.kill('SIGTERM');
    const exit = await gateway.exited;
    expect(Date.now() - signalled).toBeLessThan(4_000);
    expect(exit.code).toBe(0);
    expect(await payment).toBe('cut');
    expect(gateway.output()).toMatch(/shutdown timeout: closing the remaining connections/);
  });

  it('a second signal exits at once', async () => {
    const env = environment({
      SANDBOX_LATENCY_MS: '8000',
      PROCESSOR_TIMEOUT_MS: '20000',
      SHUTDOWN_TIMEOUT_MS: '20000',
    });
    const gateway = await startChildGateway(env);
    running.push(gateway);
    void pay(gateway, 2, 'shutdown-twice').catch(() => undefined);
    await untilCharging(env.DATABASE_PATH);
    const signalled = Date.now();
    gateway.child.kill('SIGTERM');
    await sleep(200);
    gateway.child.kill('SIGTERM');
    const exit = await gateway.exited;
    expect(Date.now() - signalled).toBeLessThan(3_000);
    expect(exit.code).toBe(1);
  });
});
