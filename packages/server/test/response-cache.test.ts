// The response cache is never stale. Gateways with the cache on and one with it off share one
// database (SQLite: one file, one cached instance; PostgreSQL: one database, two cached instances
// sharing Redis). Many rounds of seeded random reads and writes (several principals, payments,
// card changes, API keys created, used and revoked, the clock moved across UTC midnight) compare
// every cached answer with the same request to the cache-off gateway: zero differences. Plus the
// rules the comparison cannot show by itself: hits really happen, and authentication is never cached.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestPostgresDatabase, seededRandom, type TestPostgresDatabase } from '@billing/schema/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accountId,
  type Caller,
  cardId,
  invoiceId,
  profileId,
  startTestGateway,
  TEST_DIALECT,
  type TestGateway,
} from './harness.js';
import { describeWithService, probeRedis } from './services-available.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROUNDS = Number(process.env.RESPONSE_CACHE_ROUNDS ?? 400);

const ACCOUNTS = `query Accounts {
  viewer {
    kind
    billingAccounts {
      id displayName agreementType viewerRole
      billingProfiles {
        id displayName viewerRole
        defaultPaymentMethod { id }
        paymentMethods { id last4 isDefault isExpired holderName }
        viewerPermissions { canPayInvoices canManagePaymentMethods canManageApiKeys }
      }
      invoices(first: 50) {
        totalCount
        edges { node { id number status paymentInProgress amountDue { minorUnits } payments { id status failureCode } } }
      }
    }
  }
}`;
const INVOICE = `query Invoice($id: ID!) {
  invoice(id: $id) { id status dueDate paidAt amountDue { minorUnits } payments { id status paymentMethod { id last4 } } }
}`;
const PAST_DUE = `query PastDue($id: ID!) {
  billingAccount(id: $id) { invoices(first: 50, filter: { statuses: [PAST_DUE] }) { totalCount edges { node { id } } } }
}`;
const KEYS = `query Keys($id: ID!) { billingAccount(id: $id) { apiKeys { id name revokedAt scopes } } }`;
const KEYS_WITH_USE = `query Keys($id: ID!) { billingAccount(id: $id) { apiKeys { id lastUsedAt revokedAt } } }`;

const PAY = `mutation($input: PayInvoiceInput!) { payInvoice(input: $input) { __typename } }`;
const ADD_CARD = `mutation($input: AddPaymentMethodInput!) {
  addPaymentMethod(input: $input) { __typename ... on AddPaymentMethodSuccess { paymentMethod { id } } }
}`;
const SET_DEFAULT = `mutation($input: SetDefaultPaymentMethodInput!) { setDefaultPaymentMethod(input: $input) { __typename } }`;
const UPDATE_CARD = `mutation($input: UpdatePaymentMethodInput!) { updatePaymentMethod(input: $input) { __typename } }`;
const REMOVE_CARD = `mutation($input: RemovePaymentMethodInput!) { removePaymentMethod(input: $input) { __typename } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { __typename ... on CreateApiKeySuccess { apiKey { id } secret } }
}`;
const REVOKE_KEY = `mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { __typename } }`;

interface Fleet {
  /** Cache on (one or two instances). */
  cached: TestGateway[];
  /** Cache off, same database: the reference answers. */
  reference: TestGateway;
  close(): Promise<void>;
}

async function startFleetOnOneDatabase(withRedis: boolean): Promise<Fleet> {
  let database: TestPostgresDatabase | null = null;
  // Rate limits off: each instance counts on its own, and a 429 from one is not a cache difference.
  const env: Record<string, string> = { RATE_LIMIT_PER_MINUTE: '0', ANONYMOUS_RATE_LIMIT_PER_MINUTE: '0' };
  if (TEST_DIALECT === 'postgresql') {
    database = await createTestPostgresDatabase();
    env.DATABASE_URL = database.url;
  } else {
    env.DATABASE_PATH = join(mkdtempSync(join(tmpdir(), 'response-cache-')), 'billing.db');
  }
  const shared: Record<string, string> = withRedis
    ? { REDIS_URL, REDIS_KEY_PREFIX: `test-${randomBytes(6).toString('hex')}:` }
    : {};
  const cachedEnv = { ...env, ...shared, RESPONSE_CACHE_TTL_MS: '600000' };
  // The first start seeds the shared database; the others find it seeded.
  const first = await startTestGateway({ env: cachedEnv });
  const second = withRedis ? await startTestGateway({ env: cachedEnv }) : null;
  const reference = await startTestGateway({ env: { ...env, ...shared } });
  const cached = second ? [first, second] : [first];
  return {
    cached,
    reference,
    async close() {
      for (const gw of [...cached, reference]) await gw.close();
      await database?.drop();
    },
  };
}

/** What a client sees: status and body (the cache's own ETag and Last-Modified headers aside). */
async function answer(gw: TestGateway, query: string, variables: Record<string, unknown>, as: Caller) {
  const r = await gw.gql(query, variables, as);
  return { status: r.status, body: r.text };
}

function neverStale(withRedis: boolean) {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleetOnOneDatabase(withRedis);
  }, 120_000);
  afterAll(() => fleet?.close());

  it(`${ROUNDS} random rounds: every cached answer equals the cache-off answer`, async () => {
    const random = seededRandom(20261201);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const everyone = [...fleet.cached, fleet.reference];
    const keys: { id: string; secret: string }[] = [];
    const cards = [cardId(1), cardId(2), cardId(3)];
    const users: Caller[] = ['ada', 'carlos', 'rita', 'ivan', 'olga'];
    let hits = 0;
    let compared = 0;
    let writes = 0;
    const log: string[] = [];

    for (let round = 0; round < ROUNDS; round++) {
      const dice = random();
      const writer = pick(fleet.cached);
      if (dice < 0.3) {
        writes++;
        const kind = pick(['pay', 'pay', 'add', 'default', 'update', 'remove', 'key', 'revoke'] as const);
        log.push(`${round}: ${kind}`);
        if (kind === 'pay') {
          const invoice = invoiceId(1 + Math.floor(random() * 12));
          await writer.gql(
            PAY,
            { input: { invoiceId: invoice, paymentMethodId: pick(cards), idempotencyKey: `r${round}` } },
            pick(['ada', 'ada', 'carlos']),
          );
        } else if (kind === 'add') {
          const added = await writer.gql(
            ADD_CARD,
            {
              input: {
                billingProfileId: profileId(1 + Math.floor(random() * 2)),
                cardNumber: pick(['4242424242424242', '4000000000000002', '5555555555554444']),
                expMonth: 12,
                expYear: 2030,
                cvc: '123',
                holderName: `Holder ${round}`,
              },
            },
            pick(['ada', 'carlos']),
          );
          const id = added.data?.addPaymentMethod?.paymentMethod?.id;
          if (id) cards.push(id);
        } else if (kind === 'default') {
          await writer.gql(SET_DEFAULT, { input: { paymentMethodId: pick(cards) } }, 'ada');
        } else if (kind === 'update') {
          await writer.gql(
            UPDATE_CARD,
            { input: { paymentMethodId: pick(cards), holderName: `Renamed ${round}`, expYear: 2031 + (round % 3) } },
            pick(['ada', 'carlos']),
          );
        } else if (kind === 'remove') {
          await writer.gql(REMOVE_CARD, { input: { paymentMethodId: pick(cards) } }, pick(['ada', 'carlos']));
        } else if (kind === 'key') {
          const created = await writer.gql(
            CREATE_KEY,
            {
              input: {
                billingAccountId: accountId(1),
                name: `key ${round}`,
                scopes: ['INVOICES_READ', 'PAYMENT_METHODS_READ'],
              },
            },
            'ada',
          );
          const key = created.data?.createApiKey;
          if (key?.secret) keys.push({ id: key.apiKey.id, secret: key.secret });
        } else if (keys.length > 0) {
          await writer.gql(REVOKE_KEY, { input: { apiKeyId: pick(keys).id } }, 'ada');
        }
        continue;
      }
      if (dice < 0.34) {
        // Across UTC midnight (DUE becomes PAST_DUE), or a few hours on, on every instance at once.
        const step = pick([6, 12, 24]) * 60 * 60 * 1000;
        for (const gw of everyone) gw.clock.advance(step);
        log.push(`${round}: clock +${step / 3_600_000} h`);
        continue;
      }
      const as: Caller = keys.length > 0 && random() < 0.25 ? { apiKey: pick(keys).secret } : pick(users);
      const [query, variables] = pick([
        [ACCOUNTS, {}],
        [ACCOUNTS, {}],
        [INVOICE, { id: invoiceId(1 + Math.floor(random() * 14)) }],
        [PAST_DUE, { id: accountId(1) }],
        [KEYS, { id: accountId(1) }],
        [KEYS_WITH_USE, { id: accountId(1) }],
      ] as const);
      // Twice on a cached instance (the second is a hit if anything is), once on the reference.
      const reader = pick(fleet.cached);
      const warm = await answer(reader, query, variables, as);
      const second = pick(fleet.cached);
      const statementsBefore = second.queries.length;
      const cachedAnswer = await answer(second, query, variables, as);
      // A hit runs no resolver: only signing in and the caller's grants (2 statements; a miss runs 4+).
      if (second.queries.length - statementsBefore <= 2) hits++;
      const truth = await answer(fleet.reference, query, variables, as);
      compared++;
      const context = `round ${round}, ${JSON.stringify(as).slice(0, 40)}, ${query.slice(0, 20)}; last: ${log.slice(-3).join(' | ')}`;
      expect(cachedAnswer, context).toEqual(truth);
      expect(warm, context).toEqual(truth);
    }
    expect(writes).toBeGreaterThan(ROUNDS * 0.2);
    expect(compared).toBeGreaterThan(ROUNDS * 0.5);
    process.stdout.write(
      `response cache (${TEST_DIALECT}, ${fleet.cached.length} cached instance(s)): ${compared} comparisons ` +
        `(${hits} answered from the cache), ${writes} writes, 0 differences\n`,
    );
    // The comparison means something only if the cache really answered many of them.
    expect(hits).toBeGreaterThan(compared * 0.3);
  }, 300_000);
}

describe(`never stale on ${TEST_DIALECT}, one cached instance`, () => {
  neverStale(false);
});

describeWithService(
  await probeRedis(REDIS_URL),
  `never stale on ${TEST_DIALECT}, two cached instances sharing Redis`,
  () => {
    neverStale(true);
  },
);

describe('what the cache serves, and to whom', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { RESPONSE_CACHE_TTL_MS: '600000' } });
  });
  afterAll(() => gw?.close());

  it('answers a repeated query without executing it again', async () => {
    const first = await gw.gql(ACCOUNTS, {}, 'rita');
    expect(first.errors).toBeUndefined();
    gw.resetQueryLog();
    const again = await gw.gql(ACCOUNTS, {}, 'rita');
    expect(again.text).toBe(first.text);
    expect(again.errors).toBeUndefined();
    // Only signing in and the grants lookup that builds the key: no resolver ran (a miss runs 6).
    expect(gw.queries.length).toBeLessThanOrEqual(2);
  });

  it('keeps answers apart per principal', async () => {
    const ada = await gw.gql(ACCOUNTS, {}, 'ada');
    const olga = await gw.gql(ACCOUNTS, {}, 'olga');
    expect(olga.text).not.toBe(ada.text);
    expect(olga.text).not.toContain('Contoso');
  });

  it('never caches authentication: a revoked key is refused at once, an anonymous caller is not served', async () => {
    const created = await gw.gql(CREATE_KEY, {
      input: { billingAccountId: accountId(1), name: 'soon revoked', scopes: ['INVOICES_READ'] },
    });
    const { apiKey, secret } = created.data!.createApiKey;
    const asKey = { apiKey: secret };
    expect((await gw.gql(ACCOUNTS, {}, asKey)).status).toBe(200);
    expect((await gw.gql(ACCOUNTS, {}, asKey)).status).toBe(200);
    await gw.gql(REVOKE_KEY, { input: { apiKeyId: apiKey.id } });
    const refused = await gw.gql(ACCOUNTS, {}, asKey);
    expect(refused.status).toBe(401);
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const anonymous = await gw.gql(ACCOUNTS, {}, null);
    expect(anonymous.text).not.toContain('Contoso');
  });

  it('ignores If-None-Match: a conditional request is answered in full, after authentication', async () => {
    const first = await gw.gql(ACCOUNTS, {}, 'ada');
    const etag = first.headers.get('etag');
    const conditional = await fetch(gw.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        ...(etag ? { 'if-none-match': etag } : {}),
        authorization: 'Bearer not-a-token',
      },
      body: JSON.stringify({ query: ACCOUNTS }),
    });
    expect(conditional.status).toBe(401);
  });
});
