// PostgreSQL stopped and restarted under load, on a private cluster (never the shared server): two
// gateway instances keep answering with clear refusals (503, or a GraphQL error) while it is down,
// never a 500 or a stack; /ready takes them out of the load balancer; they serve again once it is
// back, without a restart; and every charge the processor made is one payment in the database.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedLargeInvoices } from '@billing/schema/db';
import { startFleet, type Fleet } from '../fleet.js';
import { cardId, invoiceId, profileId, TODAY } from '../harness.js';
import { describeWithService, probeExecutable, probeRedis } from '../services-available.js';
import { PG_BIN, privateCluster, type PrivateCluster } from './private-cluster.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const services = [await probeRedis(REDIS_URL), await probeExecutable(`${PG_BIN}/initdb`)];
const ADA = 'ada@contoso.example';
const MARKETING_CARD = 5;
const WORKERS = 6;
const READ = `{ billingProfile(id: "${profileId(2)}") { invoices(first: 20) { nodes { number status } } } }`;
const PAY = `mutation($input: PayInvoiceInput!) {
  payInvoice(input: $input) { __typename ... on PayInvoiceSuccess { payment { status } } }
}`;

type Phase = 'before' | 'outage' | 'after';
interface Outcome {
  phase: Phase;
  kind: 'read' | 'pay';
  status: number;
  ok: boolean;
  text: string;
}

describeWithService(services, 'PostgreSQL outage under load (private cluster, two instances)', () => {
  let cluster: PrivateCluster;
  let fleet: Fleet;
  let open: number[];

  beforeAll(async () => {
    cluster = await privateCluster();
    fleet = await startFleet({
      count: 2,
      redisUrl: REDIS_URL,
      postgresServerUrl: cluster.url,
      env: { RATE_LIMIT_PER_MINUTE: '0', RECONCILE_AFTER_MS: '3000', RECONCILE_INTERVAL_MS: '500' },
    });
    await seedLargeInvoices(fleet.store, {
      billingAccountId: 1,
      billingProfileId: 2,
      currency: 'USD',
      invoices: 600,
      today: TODAY,
    });
    open = (
      await fleet.store.rawQuery<{ id: number }>(
        "SELECT id FROM invoices WHERE billing_profile_id = 2 AND lifecycle = 'OPEN' ORDER BY id",
      )
    ).map((r) => r.id);
  }, 180_000);
  afterAll(async () => {
    await fleet?.stop();
    await cluster?.destroy();
  }, 60_000);

  it('refuses clearly while it is down, never charges twice, and resumes without a restart', async () => {
    let phase: Phase = 'before';
    let running = true;
    // Each phase pays its own invoices, so some are left to pay once the database is back.
    const third = Math.floor(open.length / 3);
    const payable: Record<Phase, number[]> = {
      before: open.slice(0, third),
      outage: open.slice(third, 2 * third),
      after: open.slice(2 * third),
    };
    const outcomes: Outcome[] = [];
    const call = async (instance: number, kind: Outcome['kind']) => {
      const target = kind === 'pay' ? payable[phase].shift() : undefined;
      if (kind === 'pay' && target === undefined) return;
      const at = phase;
      const body =
        kind === 'read'
          ? { query: READ }
          : {
              query: PAY,
              variables: {
                input: {
                  invoiceId: invoiceId(target!),
                  paymentMethodId: cardId(MARKETING_CARD),
                  idempotencyKey: `outage-${target}`,
                },
              },
            };
      const response = await fetch(fleet.instances[instance]!.graphqlUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${fleet.instances[instance]!.tokens.get(ADA)}`,
        },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      const ok = response.status === 200 && !text.includes('"errors"');
      outcomes.push({ phase: at, kind, status: response.status, ok, text });
    };
    const workers = Array.from({ length: WORKERS }, async (_, w) => {
      for (let i = 0; running; i++) await call((w + i) % 2, i % 3 === 2 ? 'pay' : 'read');
    });
    const count = (p: Phase, predicate: (o: Outcome) => boolean = () => true) =>
      outcomes.filter((o) => o.phase === p && predicate(o)).length;
    const until = async (what: string, done: () => boolean | Promise<boolean>, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!(await done())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const ready = (instance: number) =>
      fetch(fleet.instances[instance]!.graphqlUrl.replace('/graphql', '/ready')).then((r) => r.status);

    await until('load before the outage', () => count('before', (o) => o.ok) >= 30);
    await cluster.stop();
    phase = 'outage';
    await until('answers during the outage', () => count('outage') >= 60);
    expect([await ready(0), await ready(1)]).toEqual([503, 503]);
    await cluster.start();
    phase = 'after';
    await until('both instances to serve again', async () => (await ready(0)) === 200 && (await ready(1)) === 200);
    await until('load after the outage', () => count('after', (o) => o.ok) >= 30);
    running = false;
    await Promise.all(workers);

    // During the outage: refusals, each a 503 or a GraphQL error, none a 500 or a stack.
    const during = outcomes.filter((o) => o.phase === 'outage');
    expect(during.filter((o) => !o.ok).length).toBeGreaterThan(0);
    for (const o of outcomes) {
      expect([200, 503], o.text).toContain(o.status);
      // Every refusal says what it is, with a Retry-After on the 503s.
      if (!o.ok) expect(o.text).toContain('DATABASE_UNAVAILABLE');
      expect(o.text).not.toMatch(/\n\s+at |"stack"|ECONNREFUSED|pg_|node_modules/);
    }
    // After: every instance serves reads and payments again, in the same processes.
    for (const instance of fleet.instances) expect(instance.child.exitCode).toBeNull();
    expect(count('after', (o) => o.ok && o.kind === 'read')).toBeGreaterThan(0);
    expect(count('after', (o) => o.ok && o.kind === 'pay')).toBeGreaterThan(0);

    // Attempts cut off mid-flight are settled by the reconcilers; then the database and the
    // processor's ledger agree charge for charge.
    await until('no attempt left PROCESSING', async () => {
      const [row] = await fleet.store.rawQuery<{ n: number }>(
        "SELECT CAST(count(*) AS INTEGER) AS n FROM payments WHERE status = 'PROCESSING'",
      );
      return row!.n === 0;
    });
    const payments = await fleet.store.rawQuery<{ invoice_id: number; key: string; status: string }>(
      'SELECT invoice_id, processor_idempotency_key AS key, status FROM payments',
    );
    const charged = (await fleet.processor.charges())
      .filter((c) => c.status === 'SUCCEEDED')
      .map((c) => c.idempotencyKey);
    expect(new Set(charged).size).toBe(charged.length);
    expect(charged.sort()).toEqual(
      payments
        .filter((p) => p.status === 'SUCCEEDED')
        .map((p) => p.key)
        .sort(),
    );
    const paidInvoices = payments.filter((p) => p.status === 'SUCCEEDED').map((p) => p.invoice_id);
    expect(new Set(paidInvoices).size).toBe(paidInvoices.length);
    const refusedStatuses = [...new Set(during.filter((o) => !o.ok).map((o) => o.status))].sort();
    process.stdout.write(
      `outage: before ${count('before')} (${count('before', (o) => o.ok)} ok), during ${during.length} ` +
        `(${during.filter((o) => o.ok).length} ok, refusals with HTTP ${refusedStatuses.join('/')}), after ${count('after')} ` +
        `(${count('after', (o) => o.ok)} ok); ${charged.length} charges = ${charged.length} SUCCEEDED payments\n`,
    );
  }, 240_000);
});
