// Rate limits: per user or API key when authenticated, per client address otherwise (failed
// sign-ins included), 429 with Retry-After, and the RateLimit header fields on every response, from the
// in-process buckets and from Redis (the token bucket itself: src/plugins/token-bucket.test.ts).
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { toGlobalId } from '@billing/schema/graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GraphQLResponse, invoiceId, startTestGateway, type TestGateway } from './harness.js';
import { errorsOf, post, type RawResponse } from './hardening-support.js';
import { ADD_PAYMENT_METHOD, cardInput, PAY_INVOICE } from './operations.js';
import { describeWithService, probeRedis } from './services-available.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const query = { query: '{ viewer { kind } }' };

/** [status, RateLimit-Policy, RateLimit] of a response. */
const fields = (r: RawResponse) => [r.status, r.headers.get('ratelimit-policy'), r.headers.get('ratelimit')];

describe('over HTTP', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({
      env: { LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '5', ANONYMOUS_RATE_LIMIT_PER_MINUTE: '3' },
    });
  });
  afterAll(() => gw.close());

  const expect429 = (response: Awaited<ReturnType<typeof post>>) => {
    expect(response.status).toBe(429);
    const retryAfter = Number(response.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(20);
    expect(errorsOf(response)[0]).toMatchObject({
      extensions: { code: 'RATE_LIMITED', retryAfterSeconds: retryAfter },
    });
  };

  it('limits each user separately', async () => {
    for (let i = 0; i < 5; i++) expect((await post(gw.url, query, gw.headersFor('ada'))).status).toBe(200);
    expect429(await post(gw.url, query, gw.headersFor('ada')));
    // Another user is not affected by Ada's use.
    expect((await post(gw.url, query, gw.headersFor('carlos'))).status).toBe(200);
  });

  it('limits anonymous callers by address, apart from signed-in users at the same address', async () => {
    for (let i = 0; i < 3; i++) expect((await post(gw.url, query)).status).toBe(200);
    expect429(await post(gw.url, query));
    expect((await post(gw.url, query, gw.headersFor('rita'))).status).toBe(200);
  });

  it('counts failed sign-ins against the address, so keys cannot be guessed at full speed', async () => {
    const other = await startTestGateway({ env: { LOG_LEVEL: 'silent', ANONYMOUS_RATE_LIMIT_PER_MINUTE: '3' } });
    try {
      const guess = (i: number) => post(other.url, query, { 'x-api-key': `bgk_guess_${i}` });
      for (let i = 0; i < 3; i++) expect((await guess(i)).status).toBe(401);
      expect429(await guess(3));
      // A real principal's bucket is untouched by someone merely claiming to be it.
      expect((await post(other.url, query, other.headersFor('ada'))).status).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('states the policy and what is left on every response, beside Retry-After on the 429', async () => {
    // 5 per minute: a token back every 12 s, so each one used is 12 s more until the bucket is full.
    const as = gw.headersFor('olga');
    for (let used = 1; used <= 5; used++) {
      expect(fields(await post(gw.url, query, as))).toEqual([
        200,
        '"principal";q=5;w=60',
        `"principal";r=${5 - used};t=${12 * used}`,
      ]);
    }
    const refused = await post(gw.url, query, as);
    expect429(refused);
    expect(fields(refused)).toEqual([429, '"principal";q=5;w=60', '"principal";r=0;t=60']);
    // An error answer was counted too, and says so.
    const invalid = await post(gw.url, { query: '{ nope }' }, gw.headersFor('ivan'));
    expect(fields(invalid)).toEqual([400, '"principal";q=5;w=60', '"principal";r=4;t=12']);
  });

  it('counts every operation of a batch', async () => {
    const batching = await startTestGateway({
      env: { LOG_LEVEL: 'silent', MAX_BATCH: '5', RATE_LIMIT_PER_MINUTE: '4' },
    });
    try {
      const r = await post(batching.url, [query, query, query, query, query], batching.headersFor('ada'));
      const results = r.body as { data?: unknown; errors?: { extensions?: { code?: string } }[] }[];
      expect(results.slice(0, 4).every((result) => result.data)).toBe(true);
      expect(results[4]!.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
      // The response tells what is left after the whole batch.
      expect(fields(r)).toEqual([r.status, '"principal";q=4;w=60', '"principal";r=0;t=60']);
    } finally {
      await batching.close();
    }
  });
});

describeWithService(await probeRedis(REDIS_URL), 'over HTTP, buckets in Redis', () => {
  const keyPrefix = `test-${randomUUID()}:`;
  let a: TestGateway;
  let b: TestGateway;
  beforeAll(async () => {
    const env = { REDIS_URL, REDIS_KEY_PREFIX: keyPrefix, RATE_LIMIT_PER_MINUTE: '3' };
    [a, b] = await Promise.all([startTestGateway({ env }), startTestGateway({ env })]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('two instances report one shared bucket in the RateLimit fields, then both refuse', async () => {
    // The same user on either instance draws from the same bucket: 3 per minute, a token per 20 s.
    expect(fields(await post(a.url, query, a.headersFor('ada')))).toEqual([
      200,
      '"principal";q=3;w=60',
      '"principal";r=2;t=20',
    ]);
    expect(fields(await post(b.url, query, b.headersFor('ada')))).toEqual([
      200,
      '"principal";q=3;w=60',
      '"principal";r=1;t=40',
    ]);
    expect(fields(await post(a.url, query, a.headersFor('ada')))).toEqual([
      200,
      '"principal";q=3;w=60',
      '"principal";r=0;t=60',
    ]);
    const refused = await post(b.url, query, b.headersFor('ada'));
    expect(refused.headers.get('retry-after')).toBe('20');
    expect(fields(refused)).toEqual([429, '"principal";q=3;w=60', '"principal";r=0;t=60']);
  });
});

describe('card-testing limits on addPaymentMethod and payInvoice', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { PAY_INVOICE_PER_MINUTE: '2', ADD_PAYMENT_METHOD_PER_MINUTE: '2' } });
  });
  afterAll(() => gw.close());

  const cardCount = async () =>
    Number(
      (await gw.gateway.resources.store.rawQuery<{ n: number }>('SELECT count(*) AS n FROM payment_methods'))[0]!.n,
    );
  const addCard = () => gw.gql(ADD_PAYMENT_METHOD, { input: cardInput('4000000000000002') });
  const expectLimited = (response: GraphQLResponse, field: string) => {
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('60');
    expect(response.errors?.[0]).toMatchObject({
      message: `Too many ${field} calls: at most 2 a minute. Retry in 60 s.`,
      extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 60 },
    });
  };

  it('refuses a third card in a minute before anything is stored or sent to the processor', async () => {
    for (let i = 0; i < 2; i++)
      expect((await addCard()).data?.addPaymentMethod.__typename).toBe('AddPaymentMethodSuccess');
    const cards = await cardCount();
    const tokenized = gw.gateway.resources.sandbox.ledgerEntries().length;
    expectLimited(await addCard(), 'addPaymentMethod');
    expect(await cardCount()).toBe(cards);
    expect(gw.gateway.resources.sandbox.ledgerEntries().length).toBe(tokenized);
    // Reads are not limited by it, and another principal has its own count.
    expect((await gw.gql('{ viewer { kind } }')).status).toBe(200);
  });

  it('refuses a third payment attempt in a minute without charging', async () => {
    const declining = (
      await gw.gql<{ billingProfile: { paymentMethods: { id: string; last4: string }[] } }>(
        `query($id: ID!) { billingProfile(id: $id) { paymentMethods { id last4 } } }`,
        { id: toGlobalId('BillingProfile', 1) },
      )
    ).data!.billingProfile.paymentMethods.find((card) => card.last4 === '0002')!.id;
    const payWith = (key: string) =>
      gw.gql(PAY_INVOICE, { input: { invoiceId: invoiceId(2), paymentMethodId: declining, idempotencyKey: key } });
    for (let i = 0; i < 2; i++)
      expect((await payWith(`decline-${i}`)).data?.payInvoice.__typename).toBe('CardDeclinedError');
    const charges = gw.gateway.resources.sandbox.chargeCount();
    const entries = gw.gateway.resources.sandbox.ledgerEntries().length;
    expectLimited(await payWith('decline-2'), 'payInvoice');
    expect(gw.gateway.resources.sandbox.chargeCount()).toBe(charges);
    expect(gw.gateway.resources.sandbox.ledgerEntries().length).toBe(entries);
  });
});
