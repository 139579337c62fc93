// Exactly once across a fleet: three gateway processes on one database (the vitest project's
// dialect), one Redis and the sandbox processor service. A storm of payInvoice requests on one
// invoice, spread over the instances with mixed and shared idempotency keys, charges once; an
// instance SIGKILLed mid-payment (while the charge is in flight, or right after the processor
// charged) leaves its attempt to another instance's reconciler, which settles it once. Skipped with the reason when Redis cannot be reached (a failure under CI=true).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFleet, type Fleet } from './fleet.js';
import { cardId, invoiceId, TEST_DIALECT } from './harness.js';
import { describeWithService, probeRedis } from './services-available.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = await probeRedis(REDIS_URL);

const REQUESTS = 160;
const SHARED_KEYS = 10;
const RACED_INVOICE = 2;
const KILLED_INVOICE = 3;
const CRASHED_INVOICE = 1;
const ADA = 'ada@contoso.example';
const PAY = `mutation($input: PayInvoiceInput!) {
  payInvoice(input: $input) {
    __typename
    ... on PayInvoiceSuccess { payment { id status } }
    ... on Error { message }
  }
}`;

describeWithService(redis, `fleet payments on ${TEST_DIALECT}: three instances, one database`, () => {
  let fleet: Fleet;
  const pay = async (instance: number, invoice: number, key: string) => {
    const response = await fetch(fleet.instances[instance]!.graphqlUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${fleet.instances[instance]!.tokens.get(ADA)}`,
      },
      body: JSON.stringify({
        query: PAY,
        variables: { input: { invoiceId: invoiceId(invoice), paymentMethodId: cardId(1), idempotencyKey: key } },
      }),
    });
    return { status: response.status, text: await response.text() };
  };
  const paymentsOf = (invoice: number) =>
    fleet.store.rawQuery<{ id: number; status: string; processor_idempotency_key: string }>(
      'SELECT id, status, processor_idempotency_key FROM payments WHERE invoice_id = ? ORDER BY id',
      [invoice],
    );
  async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  beforeAll(async () => {
    fleet = await startFleet({
      count: 3,
      redisUrl: REDIS_URL,
      // A charge takes a second, so an instance can be killed while one is in flight; the reconciler
      // runs often but leaves attempts alone until they are well past the processor timeout.
      processorEnv: { SANDBOX_LATENCY_MS: '1000' },
      env: {
        RATE_LIMIT_PER_MINUTE: '0',
        PROCESSOR_TIMEOUT_MS: '3000',
        RECONCILE_AFTER_MS: '6000',
        RECONCILE_INTERVAL_MS: '500',
      },
    });
  }, 180_000);
  afterAll(async () => {
    await fleet?.stop();
  }, 60_000);

  it(`${REQUESTS} concurrent payInvoice on one invoice, mixed and shared keys, on three instances: one charge`, async () => {
    const chargesBefore = (await fleet.processor.charges()).length;
    const keys = Array.from({ length: REQUESTS }, (_, i) => (i % 2 === 0 ? `shared-${i % SHARED_KEYS}` : `own-${i}`));
    const responses = await Promise.all(keys.map((key, i) => pay(i % 3, RACED_INVOICE, key)));

    // Every answer is a typed GraphQL result: no 5xx, no unexpected error.
    expect(responses.filter((r) => r.status !== 200)).toEqual([]);
    const results = responses.map((r) => JSON.parse(r.text) as { data?: { payInvoice: any }; errors?: unknown });
    expect(results.filter((r) => r.errors)).toEqual([]);
    const kinds = new Map<string, number>();
    for (const r of results)
      kinds.set(r.data!.payInvoice.__typename, (kinds.get(r.data!.payInvoice.__typename) ?? 0) + 1);
    const successes = results.filter((r) => r.data!.payInvoice.__typename === 'PayInvoiceSuccess');
    expect(successes.length).toBeGreaterThanOrEqual(1);
    // Successes are the winner and replays of its key: all name the same payment.
    expect(new Set(successes.map((r) => r.data!.payInvoice.payment.id)).size).toBe(1);
    for (const kind of kinds.keys()) {
      expect(['PayInvoiceSuccess', 'InvoiceNotPayableError', 'IdempotencyKeyInUseError']).toContain(kind);
    }

    const rows = await paymentsOf(RACED_INVOICE);
    expect(rows.filter((p) => p.status === 'SUCCEEDED')).toHaveLength(1);
    expect(rows.filter((p) => p.status === 'PROCESSING')).toHaveLength(0);
    const charges = await fleet.processor.charges();
    expect(charges.length - chargesBefore).toBe(1);
    expect(charges.filter((c) => c.idempotencyKey === rows[0]!.processor_idempotency_key)).toHaveLength(1);
    process.stdout.write(
      `race (${TEST_DIALECT}): ${REQUESTS} requests -> ${JSON.stringify(Object.fromEntries(kinds))}, 1 charge\n`,
    );
  });

  it('an instance SIGKILLed with the charge in flight: another reconciles it, as the processor recorded it (at most one charge)', async () => {
    const victim = fleet.instances[2]!;
    const request = pay(2, KILLED_INVOICE, 'killed-mid-payment').catch((error: Error) => ({
      status: 0,
      text: error.message,
    }));
    const attempt = await until('the attempt to be PROCESSING', async () =>
      (await paymentsOf(KILLED_INVOICE)).find((p) => p.status === 'PROCESSING'),
    );
    victim.child.kill('SIGKILL');
    expect((await victim.exited).signal).toBe('SIGKILL');
    expect((await request).status).toBe(0); // the client saw the connection die, not an answer

    // Instance 0 or 1 settles it from the processor's record.
    const settled = await until('the attempt to be settled by a surviving reconciler', async () => {
      const row = (await paymentsOf(KILLED_INVOICE)).find((p) => p.id === attempt.id)!;
      return row.status === 'PROCESSING' ? undefined : row;
    });
    const charges = (await fleet.processor.charges()).filter(
      (c) => c.idempotencyKey === attempt.processor_idempotency_key,
    );
    expect(charges.length).toBeLessThanOrEqual(1);
    // What the database says is what the processor did.
    expect(settled.status).toBe(charges[0]?.status === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED');
    const audit = await fleet.store.rawQuery<{ actor: string }>(
      "SELECT actor FROM audit_events WHERE action = 'payment.reconcile' AND target = ?",
      [`invoice:${KILLED_INVOICE}`],
    );
    expect(audit).toHaveLength(1);
    // A survivor answers the client's retry with the settled outcome, charging nothing more.
    const retry = JSON.parse((await pay(0, KILLED_INVOICE, 'killed-mid-payment')).text);
    if (settled.status === 'SUCCEEDED') expect(retry.data.payInvoice.payment.id).toBeDefined();
    expect(
      (await fleet.processor.charges()).filter((c) => c.idempotencyKey === attempt.processor_idempotency_key),
    ).toHaveLength(charges.length);
    process.stdout.write(
      `SIGKILL (${TEST_DIALECT}): attempt ${attempt.id} settled ${settled.status}, ${charges.length} charge\n`,
    );
  });

  it('an instance killed right after the processor charged: another reconciles it as paid, one charge', async () => {
    // A fourth instance SIGKILLs itself between the charge and writing its outcome.
    const crashing = await fleet.addInstance({ BILLING_FAULT_INJECTION: 'crash-after-charge' });
    const index = fleet.instances.indexOf(crashing);
    const request = await pay(index, CRASHED_INVOICE, 'crashed-after-charge').catch((error: Error) => ({
      status: 0,
      text: error.message,
    }));
    expect(request.status).toBe(0);
    const exit = await crashing.exited;
    expect(exit.signal).toBe('SIGKILL');
    const [attempt] = await paymentsOf(CRASHED_INVOICE);
    const charged = (await fleet.processor.charges()).filter(
      (c) => c.idempotencyKey === attempt!.processor_idempotency_key,
    );
    expect(charged.map((c) => c.status)).toEqual(['SUCCEEDED']);

    const settled = await until('the attempt to be settled by a surviving reconciler', async () => {
      const row = (await paymentsOf(CRASHED_INVOICE)).find((p) => p.id === attempt!.id)!;
      return row.status === 'PROCESSING' ? undefined : row;
    });
    expect(settled.status).toBe('SUCCEEDED');
    const [invoice] = await fleet.store.rawQuery<{ lifecycle: string }>('SELECT lifecycle FROM invoices WHERE id = ?', [
      CRASHED_INVOICE,
    ]);
    expect(invoice!.lifecycle).toBe('PAID');
    const retry = JSON.parse((await pay(1, CRASHED_INVOICE, 'crashed-after-charge')).text);
    expect(retry.data.payInvoice).toMatchObject({ __typename: 'PayInvoiceSuccess', payment: { status: 'SUCCEEDED' } });
    expect(
      (await fleet.processor.charges()).filter((c) => c.idempotencyKey === attempt!.processor_idempotency_key),
    ).toHaveLength(1);
    process.stdout.write(`crash after charge (${TEST_DIALECT}): attempt ${attempt!.id} settled SUCCEEDED, 1 charge\n`);
  });
});
