// Observability over real HTTP: one JSON log line per request (request id in and out, principal,
// operation, duration, outcome) with no secrets in it; /health, /ready and /metrics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startGateway, type RunningGateway } from '../src/gateway.js';
import { cardId, invoiceId, profileId } from './harness.js';
import { LogCapture, post, send } from './hardening-support.js';

const SECRET = 'observability-test-secret-long-enough-for-hs256';
const CARD_NUMBER = '4000000000000002'; // the sandbox's "declined" card
const CVC = '731';

async function start(logs: LogCapture, env: Record<string, string> = {}): Promise<RunningGateway> {
  const config = loadConfig({
    PORT: '0',
    DATABASE_PATH: ':memory:',
    SANDBOX_LEDGER_PATH: ':memory:',
    JWT_SECRET: SECRET,
    SEED_DEMO_DATA: 'true',
    RECONCILE_INTERVAL_MS: '3600000',
    LOG_LEVEL: 'debug',
    ...env,
  });
  return startGateway(config, { logDestination: logs });
}

let gw: RunningGateway;
const logs = new LogCapture();
let ada: Record<string, string>;
const base = () => gw.url;

beforeAll(async () => {
  gw = await start(logs);
  ada = { authorization: `Bearer ${await gw.authenticator.mintUserToken(1)}` };
});
afterAll(() => gw.close());

/** The request log line for a response, found by the id the gateway answered with. */
function lineFor(response: { headers: Headers }): Record<string, unknown> {
  const id = response.headers.get('x-request-id');
  expect(id).toBeTruthy();
  const matching = logs.requests().filter((line) => line.reqId === id);
  expect(matching).toHaveLength(1);
  return matching[0]!;
}

describe('request log', () => {
  it('one line per request: id, principal, operation, duration, outcome', async () => {
    const r = await post(gw.graphqlUrl, { query: 'query WhoAmI { viewer { kind } }', operationName: 'WhoAmI' }, ada);
    expect(r.status).toBe(200);
    const line = lineFor(r);
    expect(line).toMatchObject({
      level: 30,
      msg: 'request',
      method: 'POST',
      path: '/graphql',
      status: 200,
      outcome: 'ok',
      principal: 'user:1',
      operationName: 'WhoAmI',
      operationType: 'query',
      clientAddress: '127.0.0.1',
    });
    expect(typeof line.durationMs).toBe('number');
    expect(line.time).toEqual(expect.any(Number));
  });

  it('keeps a plain x-request-id from the caller and replaces anything else', async () => {
    const kept = await post(gw.graphqlUrl, { query: '{ __typename }' }, { 'x-request-id': 'trace-abc.123_X' });
    expect(kept.headers.get('x-request-id')).toBe('trace-abc.123_X');
    expect(lineFor(kept).reqId).toBe('trace-abc.123_X');
    const replaced = await post(gw.graphqlUrl, { query: '{ __typename }' }, { 'x-request-id': 'x'.repeat(65) });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const injected = await post(gw.graphqlUrl, { query: '{ __typename }' }, { 'x-request-id': 'a","level":60,"x":"' });
    expect(injected.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('tells GraphQL errors from HTTP errors', async () => {
    // A resolver refusing a page size: partial data and an error, HTTP 200.
    const graphqlError = await post(
      gw.graphqlUrl,
      { query: '{ viewer { billingAccounts { invoices(first: 1000) { totalCount } } } }' },
      ada,
    );
    expect(lineFor(graphqlError)).toMatchObject({
      status: 200,
      outcome: 'graphql_errors',
      errorCodes: ['BAD_USER_INPUT'],
    });
    const invalid = await post(gw.graphqlUrl, { query: '{ nope }' }, ada);
    expect(lineFor(invalid)).toMatchObject({
      status: 400,
      outcome: 'http_error',
      errorCodes: ['GRAPHQL_VALIDATION_FAILED'],
    });
    const unauthenticated = await post(
      gw.graphqlUrl,
      { query: '{ viewer { kind } }' },
      { authorization: 'Bearer bad' },
    );
    expect(lineFor(unauthenticated)).toMatchObject({
      status: 401,
      outcome: 'http_error',
      principal: null,
      errorCodes: ['UNAUTHENTICATED'],
    });
    const unsupported = await send(gw.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(lineFor(unsupported)).toMatchObject({ status: 415, outcome: 'http_error' });
  });

  it('never logs credentials, cookies, variables or query strings', async () => {
    const token = ada.authorization!.slice('Bearer '.length);
    const mutation = `mutation AddCard($input: AddPaymentMethodInput!) { addPaymentMethod(input: $input) { __typename } }`;
    const input = {
      billingProfileId: profileId(1),
      cardNumber: CARD_NUMBER,
      expMonth: 12,
      expYear: 2031,
      cvc: CVC,
      holderName: 'Ada Lovelace',
    };
    const added = await post(
      gw.graphqlUrl,
      { query: mutation, variables: { input } },
      { ...ada, cookie: 'session=cookie-secret-value' },
    );
    expect(lineFor(added)).toMatchObject({ operationName: 'AddCard', operationType: 'mutation', principal: 'user:1' });
    // The same secrets in a body the gateway cannot even parse, and in a GET query string.
    await send(gw.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'bgk_not-a-real-key-secret' },
      body: `{"variables":{"cardNumber":"${CARD_NUMBER}"`,
    });
    const get = await send(
      `${gw.graphqlUrl}?query=${encodeURIComponent('{ __typename }')}&variables=${encodeURIComponent(JSON.stringify({ cvc: CVC }))}`,
      {
        headers: { 'x-graphql-csrf': '1' },
      },
    );
    expect(lineFor(get)).toMatchObject({ path: '/graphql', method: 'GET' });
    for (const secret of [token, CARD_NUMBER, 'cookie-secret-value', 'bgk_not-a-real-key-secret', SECRET]) {
      expect(logs.text.includes(secret), secret).toBe(false);
    }
    // Three digits can turn up inside any timestamp or request id: look for the value and the key.
    expect(logs.text.includes(`"${CVC}"`)).toBe(false);
    expect(/cvc/i.test(logs.text)).toBe(false);
  });

  it('logs probes at debug level only', async () => {
    const r = await send(`${gw.url}/ready`);
    expect(lineFor(r)).toMatchObject({ level: 20, msg: 'probe', path: '/ready' });
  });
});

describe('health and readiness', () => {
  it('/health answers 200 while the process is up', async () => {
    expect((await send(`${base()}/health`)).status).toBe(200);
  });

  it('/ready answers 200 when the database answers and is fully migrated', async () => {
    const r = await send(`${base()}/ready`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      ready: true,
      status: 'ready',
      checks: { database: true, migrations: true, accepting: true },
    });
  });

  it('/ready answers 503 with a pending migration, and when the database is gone', async () => {
    const capture = new LogCapture();
    const other = await start(capture);
    try {
      const { store } = other.resources;
      const migrations = store.dialect === 'postgresql' ? 'drizzle.__drizzle_migrations' : '__drizzle_migrations';
      const applied = await store.rawQuery(`SELECT * FROM ${migrations}`);
      await store.rawQuery(`DELETE FROM ${migrations}`);
      const pending = await send(`${other.url}/ready`);
      expect(pending.status).toBe(503);
      expect(pending.body).toMatchObject({ ready: false, checks: { database: true, migrations: false } });
      expect(applied.length).toBeGreaterThan(0);

      await store.close();
      const gone = await send(`${other.url}/ready`);
      expect(gone.status).toBe(503);
      expect(gone.body).toMatchObject({ ready: false, checks: { database: false } });
      expect((await send(`${other.url}/health`)).status).toBe(200);
    } finally {
      await other.close();
    }
  });
});

describe('stopping', () => {
  it('reports not-ready while it keeps serving for SHUTDOWN_DELAY_MS, then refuses connections', async () => {
    const other = await start(new LogCapture(), { SHUTDOWN_DELAY_MS: '400' });
    const token = await other.authenticator.mintUserToken(1);
    const closed = other.close();
    const ready = await send(`${other.url}/ready`);
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ ready: false, checks: { accepting: false, database: true } });
    const served = await post(other.graphqlUrl, { query: '{ viewer { kind } }' }, { authorization: `Bearer ${token}` });
    expect(served.body).toEqual({ data: { viewer: { kind: 'USER' } } });
    await closed;
    await expect(fetch(`${other.url}/health`)).rejects.toThrow();
  });
});

describe('metrics', () => {
  const PAY = `mutation Pay($input: PayInvoiceInput!) { payInvoice(input: $input) { __typename } }`;

  it('exposes an operation latency histogram by operation name and type', async () => {
    await post(gw.graphqlUrl, { query: 'query Metered { viewer { kind } }' }, ada);
    const r = await send(`${base()}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(r.text).toMatch(
      /graphql_operation_duration_seconds_bucket\{le="[\d.]+",operation_name="Metered",operation_type="query"\} 1/,
    );
    expect(r.text).toMatch(
      /graphql_operation_duration_seconds_count\{operation_name="Metered",operation_type="query"\} 1/,
    );
    expect(r.text).toMatch(/process_cpu_user_seconds_total/);
  });

  it('counts payments by outcome, from the billing events', async () => {
    const success = await post(
      gw.graphqlUrl,
      {
        query: PAY,
        variables: { input: { invoiceId: invoiceId(2), paymentMethodId: cardId(1), idempotencyKey: 'metrics-ok' } },
      },
      ada,
    );
    expect(success.text).toContain('PayInvoiceSuccess');
    const card = await post(
      gw.graphqlUrl,
      {
        query: `mutation($input: AddPaymentMethodInput!) { addPaymentMethod(input: $input) { ... on AddPaymentMethodSuccess { paymentMethod { id } } } }`,
        variables: {
          input: {
            billingProfileId: profileId(1),
            cardNumber: CARD_NUMBER,
            expMonth: 12,
            expYear: 2031,
            cvc: CVC,
            holderName: 'Ada',
          },
        },
      },
      ada,
    );
    const declining = (card.body as { data: { addPaymentMethod: { paymentMethod: { id: string } } } }).data
      .addPaymentMethod.paymentMethod.id;
    const declined = await post(
      gw.graphqlUrl,
      {
        query: PAY,
        variables: { input: { invoiceId: invoiceId(3), paymentMethodId: declining, idempotencyKey: 'metrics-no' } },
      },
      ada,
    );
    expect(declined.text).toContain('CardDeclinedError');

    const metrics = (await send(`${base()}/metrics`)).text;
    expect(metrics).toMatch(/billing_payments_total\{outcome="succeeded"\} 1\n/);
    expect(metrics).toMatch(/billing_payments_total\{outcome="failed"\} 1\n/);
    expect(metrics).toMatch(
      /graphql_operation_duration_seconds_count\{operation_name="Pay",operation_type="mutation"\} 2/,
    );
  });

  it('keeps one registry per gateway', async () => {
    const other = await start(new LogCapture());
    try {
      const metrics = (await send(`${other.url}/metrics`)).text;
      expect(metrics).not.toMatch(/operation_name="Metered"/);
      expect(metrics).not.toMatch(/billing_payments_total\{/);
    } finally {
      await other.close();
    }
  });

  it('bounds the operation-name label (names come from callers)', async () => {
    for (let i = 0; i < 210; i++) await post(gw.graphqlUrl, { query: `query Name${i} { __typename }` }, ada);
    const metrics = (await send(`${base()}/metrics`)).text;
    expect(metrics).toMatch(/operation_name="other"/);
    const names = new Set([...metrics.matchAll(/operation_name="([^"]*)"/g)].map((m) => m[1]));
    // 200 caller-chosen names, then "other"; "anonymous" for unnamed operations.
    expect(names.size).toBeLessThanOrEqual(202);
    expect(names.has('Name209')).toBe(false);
  });
});
