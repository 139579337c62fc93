// Several gateway instances as real processes, sharing Redis (a random key prefix) and the sandbox
// processor service: events reach subscribers on every instance, authorization stays per event, and
// a rate limit holds across the fleet. Skipped with the reason when Redis cannot be reached (a
// failure under CI=true).
import { cardId, profileId } from './harness.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFleet, openSse, type Fleet } from './fleet.js';
import { describeWithService, probeRedis } from './services-available.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = await probeRedis(REDIS_URL);
/** Operations per minute per user on every instance. */
const LIMIT = 12;

const SUBSCRIBE = 'subscription { billingEvents { type invoice { id number status } payment { status } } }';
const PAY = `mutation($input: PayInvoiceInput!) {
  payInvoice(input: $input) { __typename ... on PayInvoiceSuccess { invoice { id status } payment { status } } }
}`;
const OPEN_INVOICES = `query($profile: ID!) {
  billingProfile(id: $profile) { invoices(first: 10, filter: { statuses: [DUE, PAST_DUE] }) { nodes { id } } }
}`;

describeWithService(redis, 'scale-out: three instances, one Redis, one processor service', () => {
  let fleet: Fleet;
  const bearer = (instance: number, email: string) => ({
    authorization: `Bearer ${fleet.instances[instance]!.tokens.get(email)}`,
  });
  const gql = async (instance: number, email: string, query: string, variables: Record<string, unknown> = {}) => {
    const response = await fetch(fleet.instances[instance]!.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(instance, email) },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as any };
  };

  beforeAll(async () => {
    fleet = await startFleet({ count: 3, redisUrl: REDIS_URL, env: { RATE_LIMIT_PER_MINUTE: String(LIMIT) } });
  }, 120_000);
  afterAll(async () => {
    await fleet?.stop();
  });

  it('a payment through instance A reaches a subscriber on B (and C); the other tenant on C sees nothing', async () => {
    const rita = await openSse(fleet.instances[1]!.graphqlUrl, bearer(1, 'rita@contoso.example'), SUBSCRIBE);
    const carlos = await openSse(fleet.instances[2]!.graphqlUrl, bearer(2, 'carlos@contoso.example'), SUBSCRIBE);
    const olga = await openSse(fleet.instances[2]!.graphqlUrl, bearer(2, 'olga@fabrikam.example'), SUBSCRIBE);
    const open = await gql(0, 'ada@contoso.example', OPEN_INVOICES, { profile: profileId(1) });
    const target = open.body.data.billingProfile.invoices.nodes[0].id as string;

    const paid = await gql(0, 'ada@contoso.example', PAY, {
      input: { invoiceId: target, paymentMethodId: cardId(1), idempotencyKey: 'fleet-sse' },
    });
    expect(paid.body.data.payInvoice).toMatchObject({ __typename: 'PayInvoiceSuccess', invoice: { status: 'PAID' } });

    expect(await rita.waitFor('"PAID"')).toBe(true);
    expect(await carlos.waitFor('"PAID"')).toBe(true);
    // Carlos on C got the event, so C receives the topic: Olga's silence is authorization, not plumbing.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await Promise.all([rita.stop(), carlos.stop(), olga.stop()]);
    expect(rita.text()).toContain('"PAYMENT_UPDATED"');
    expect(rita.text()).toContain(`"id":"${target}"`);
    expect(olga.text()).not.toContain('PAYMENT_UPDATED');
    expect(olga.text()).not.toContain('INVOICE_UPDATED');
    expect(olga.text()).not.toContain(target);
    // One charge in the processor service's ledger for the one payment.
    expect((await fleet.processor.charges()).filter((c) => c.status === 'SUCCEEDED')).toHaveLength(1);
  });

  it(`a limit of ${LIMIT} per minute across three instances accepts ${LIMIT} requests in total, not ${3 * LIMIT}`, async () => {
    const responses = await Promise.all(
      Array.from({ length: 3 * LIMIT }, (_, i) => gql(i % 3, 'ivan@contoso.example', '{ viewer { id } }')),
    );
    const accepted = responses.filter((r) => r.status === 200);
    const refused = responses.filter((r) => r.status === 429);
    expect(accepted).toHaveLength(LIMIT);
    expect(refused).toHaveLength(2 * LIMIT);
    for (const r of refused) {
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(r.body.errors[0].extensions.code).toBe('RATE_LIMITED');
    }
    // Every instance both accepted and refused some: the buckets are shared, not per instance.
    for (const instance of [0, 1, 2]) {
      expect(responses.some((r, i) => i % 3 === instance && r.status === 429)).toBe(true);
    }
    // Another user's bucket is untouched.
    expect((await gql(1, 'rita@contoso.example', '{ viewer { id } }')).status).toBe(200);
  });

  it('/ready reports Redis as a check', async () => {
    for (const instance of fleet.instances) {
      const ready = await fetch(instance.graphqlUrl.replace('/graphql', '/ready'));
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ ready: true, status: 'ready', checks: { redis: true } });
    }
  });

  it('the processor service never logged a card number', async () => {
    const added = await gql(
      1,
      'ada@contoso.example',
      `mutation($input: AddPaymentMethodInput!) {
      addPaymentMethod(input: $input) { __typename }
    }`,
      {
        input: {
          billingProfileId: profileId(1),
          cardNumber: '4000000000009995',
          expMonth: 12,
          expYear: 2030,
          cvc: '987',
          holderName: 'Ada Lovelace',
        },
      },
    );
    expect(added.body.data.addPaymentMethod.__typename).toBe('AddPaymentMethodSuccess');
    expect(fleet.processor.output()).toContain('/v1/tokens');
    expect(fleet.processor.output()).not.toContain('4000000000009995');
    expect(fleet.processor.output()).not.toContain('"cvc"');
  });
});
