// Redis stopped (SIGKILL) and started again under two gateway instances: a private redis-server on
// a random port, started by this test. During the outage payments stay exactly once (the database is
// the truth), reads are served, limits fail open with a warning and a metric, and /ready says
// "degraded" with 200. When Redis returns, an SSE subscription opened before the outage receives
// events from the other instance again, without reconnecting.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { privateRedis, startFleet, REDIS_SERVER, type Fleet, type PrivateRedis } from './fleet.js';
import { openSse } from './sse.js';
import { cardId, profileId } from './harness.js';
import { describeWithService, probeExecutable } from './services-available.js';

const SUBSCRIBE = 'subscription { billingEvents { type invoice { id status } } }';
const PAY = `mutation($input: PayInvoiceInput!) {
  payInvoice(input: $input) { __typename ... on InvoiceNotPayableError { notPayableReason } }
}`;
const OPEN_INVOICES = `query($profile: ID!) {
  billingProfile(id: $profile) { invoices(first: 10, filter: { statuses: [DUE, PAST_DUE] }) { nodes { id } } }
}`;

describeWithService(await probeExecutable(REDIS_SERVER), 'Redis outage under two instances', () => {
  let redis: PrivateRedis;
  let fleet: Fleet;
  const ADA = 'ada@contoso.example';
  const url = (instance: number, path = '/graphql') => fleet.instances[instance]!.graphqlUrl.replace('/graphql', path);
  const bearer = (instance: number, email: string) => ({
    authorization: `Bearer ${fleet.instances[instance]!.tokens.get(email)}`,
  });
  const gql = async (instance: number, query: string, variables: Record<string, unknown> = {}, email = ADA) => {
    const response = await fetch(url(instance), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(instance, email) },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  const readiness = async (instance: number) => {
    const response = await fetch(url(instance, '/ready'));
    return {
      status: response.status,
      body: (await response.json()) as { status: string; checks: Record<string, boolean> },
    };
  };
  const waitForRedis = async (up: boolean) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const states = await Promise.all([0, 1].map(async (i) => (await readiness(i)).body.checks.redis));
      if (states.every((state) => state === up)) return;
      if (Date.now() > deadline) throw new Error(`redis check did not become ${up}: ${states.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const failOpenCount = async (instance: number) => {
    const text = await (await fetch(url(instance, '/metrics'))).text();
    return Number(/^gateway_rate_limit_fail_open_total\{limiter="rate-limit"\} (\d+)/m.exec(text)?.[1] ?? 'NaN');
  };

  beforeAll(async () => {
    redis = await privateRedis();
    fleet = await startFleet({ count: 2, redisUrl: redis.url });
  }, 120_000);
  afterAll(async () => {
    await fleet?.stop();
    await redis?.kill();
  });

  it('payments exactly once, reads served, limits fail open, /ready degraded; subscriptions resume', async () => {
    const rita = await openSse(url(1), bearer(1, 'rita@contoso.example'), SUBSCRIBE);
    const open = (await gql(0, OPEN_INVOICES, { profile: profileId(1) })).body.data.billingProfile.invoices.nodes;
    const [before, during, after] = open.map((node: { id: string }) => node.id) as string[];
    const pay = (instance: number, invoiceId: string, key: string) =>
      gql(instance, PAY, { input: { invoiceId, paymentMethodId: cardId(1), idempotencyKey: key } });

    // Baseline: A's payment reaches B's subscriber through Redis.
    expect((await pay(0, before!, 'before')).body.data.payInvoice.__typename).toBe('PayInvoiceSuccess');
    expect(await rita.waitFor(before!)).toBe(true);
    expect(await failOpenCount(0)).toBe(0);

    await redis.kill();
    await waitForRedis(false);
    for (const instance of [0, 1]) {
      const ready = await readiness(instance);
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({ status: 'degraded', checks: { redis: false, database: true } });
    }

    // Reads are served.
    const viewer = await gql(1, '{ viewer { user { email } } }');
    expect(viewer.status).toBe(200);
    expect(viewer.body.data.viewer.user.email).toBe(ADA);

    // 30 concurrent payments of one invoice on both instances, with shared and distinct keys: one charge.
    const chargesBefore = (await fleet.processor.charges()).length;
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => pay(i % 2, during!, i % 3 === 0 ? 'shared-key' : `key-${i}`)),
    );
    const kinds = results.map((r) => r.body.data.payInvoice.__typename as string);
    const successes = kinds.filter((kind) => kind === 'PayInvoiceSuccess');
    // Replays of the winning key answer success too, or "in use" while the first request with it is still
    // running; every other answer is "not payable".
    expect(successes.length).toBeGreaterThanOrEqual(1);
    const expected = ['PayInvoiceSuccess', 'IdempotencyKeyInUseError', 'InvoiceNotPayableError'];
    expect(kinds.filter((k) => !expected.includes(k))).toEqual([]);
    const charges = (await fleet.processor.charges()).slice(chargesBefore);
    expect(charges).toHaveLength(1);
    expect(charges[0]!.status).toBe('SUCCEEDED');

    // The limits failed open, counted and logged.
    expect(await failOpenCount(0)).toBeGreaterThan(0);
    expect(await failOpenCount(1)).toBeGreaterThan(0);
    expect(fleet.instances[0]!.output()).toContain('failing open');

    await redis.start();
    await waitForRedis(true);
    expect((await readiness(0)).body.status).toBe('ready');
    // The subscription opened before the outage gets A's events again.
    expect((await pay(0, after!, 'after')).body.data.payInvoice.__typename).toBe('PayInvoiceSuccess');
    expect(await rita.waitFor(after!, 10_000)).toBe(true);
    await rita.stop();
  });
});
