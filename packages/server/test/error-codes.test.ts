// The error-code contract over real HTTP: every value of the schema's ErrorCode enum is produced by a
// request below, so a code added to ERROR_CODES without a case here fails (the table is typed by it, and
// the test iterates the enum as printed in schema.graphql). That no answer carries a code outside the
// enum is checked on every response the test helpers read (`expectCodesInContract`), the hostile corpus
// of hardening-hostile.test.ts included.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { ERROR_CODE_NAMES, type ErrorCode } from '@billing/schema/billing';
import { createTestPostgresDatabase } from '@billing/schema/db';
import { buildSchema, isEnumType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JSON_HEADERS, post, send, type RawResponse } from './hardening-support.js';
import {
  accountId,
  type Caller,
  cardId,
  expectCodesInContract,
  invoiceId,
  startTestGateway,
  type TestGateway,
} from './harness.js';
import { cardInput } from './operations.js';
import { requestSse } from './sse.js';

const PRODUCTION = { BILLING_MODE: 'production', RATE_LIMIT_PER_MINUTE: '0', ANONYMOUS_RATE_LIMIT_PER_MINUTE: '0' };
// The card that never answers (IDEMPOTENCY_KEY_IN_USE) is given up on after this, leaving its payment PROCESSING.
const QUICK_PROCESSOR_TIMEOUT = { PROCESSOR_TIMEOUT_MS: '50' };

let gw: TestGateway;
let limited: TestGateway;
let trusted: TestGateway;

beforeAll(async () => {
  [gw, limited, trusted] = await Promise.all([
    startTestGateway({ env: { ...PRODUCTION, ...QUICK_PROCESSOR_TIMEOUT } }),
    startTestGateway({ env: { ...PRODUCTION, RATE_LIMIT_PER_MINUTE: '1', MAX_STREAMS_PER_PRINCIPAL: '0' } }),
    startTestGateway({ env: { ...PRODUCTION, TRUSTED_DOCUMENTS_ONLY: 'true' } }),
  ]);
});
afterAll(async () => {
  await Promise.all([gw?.close(), limited?.close(), trusted?.close()]);
});

/** Every code an answer carries: top-level `extensions.code`, and `errorCode` anywhere in `data`. */
function codesIn(body: unknown): string[] {
  const codes: string[] = [];
  const walk = (value: unknown, key?: string) => {
    if (key === 'errorCode' && typeof value === 'string') codes.push(value);
    if (Array.isArray(value)) for (const item of value) walk(item);
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, k);
  };
  for (const result of Array.isArray(body) ? body : [body]) {
    const r = result as { errors?: { extensions?: { code?: unknown } }[]; data?: unknown } | null;
    for (const error of r?.errors ?? [])
      if (typeof error.extensions?.code === 'string') codes.push(error.extensions.code);
    walk(r?.data);
  }
  return codes;
}

const PAY = `mutation($input: PayInvoiceInput!) { payInvoice(input: $input) { __typename ... on Error { errorCode message } } }`;
const pay = (input: { invoice: number; card: number | string; key: string }, as: 'ada' | 'rita' = 'ada') =>
  post(
    gw.url,
    {
      query: PAY,
      variables: {
        input: {
          invoiceId: invoiceId(input.invoice),
          paymentMethodId: typeof input.card === 'number' ? cardId(input.card) : input.card,
          idempotencyKey: input.key,
        },
      },
    },
    gw.headersFor(as),
  );

const ADD_CARD = `mutation($input: AddPaymentMethodInput!) {
  addPaymentMethod(input: $input) { __typename ... on Error { errorCode } ... on AddPaymentMethodSuccess { paymentMethod { id } } }
}`;
const addCard = (cardNumber: string) =>
  post(
    gw.url,
    {
      query: ADD_CARD,
      variables: { input: cardInput(cardNumber) },
    },
    gw.headersFor('ada'),
  );

const asAda = (body: unknown, target: TestGateway = gw) => post(target.url, body, target.headersFor('ada'));
const sha256Like = (digit: string) => digit.repeat(64);

/** A stream refused at its start: one SSE `next` event holding the GraphQL result, then the end. */
async function firstSseResult(target: TestGateway, query: string, as: Caller = 'ada'): Promise<RawResponse> {
  const stream = await requestSse(target.url, target.headersFor(as), query);
  await stream.ended;
  const data = stream
    .text()
    .split('\n')
    .find((line) => line.startsWith('data: '));
  const text = data?.slice('data: '.length) ?? '';
  return { status: stream.status, headers: stream.headers, text, body: JSON.parse(text) as RawResponse['body'] };
}

/** One request (or a short sequence) per code; the last answer must carry the code. */
const PRODUCERS: Record<ErrorCode, () => Promise<RawResponse>> = {
  // Typed mutation errors.
  NOT_AUTHORIZED: () => pay({ invoice: 2, card: 1, key: 'codes-reader' }, 'rita'),
  NOT_FOUND: () => pay({ invoice: 9999, card: 1, key: 'codes-missing' }),
  VALIDATION_FAILED: () => pay({ invoice: 2, card: 1, key: '' }),
  INVOICE_NOT_PAYABLE: () => pay({ invoice: 5, card: 1, key: 'codes-paid' }),
  PAYMENT_METHOD_UNUSABLE: () => pay({ invoice: 2, card: 4, key: 'codes-expired-card' }),
  // Card 1 is the Engineering profile's default, and the profile has other cards.
  PAYMENT_METHOD_NOT_REMOVABLE: () =>
    asAda({
      query: `mutation($id: ID!) { removePaymentMethod(input: { paymentMethodId: $id }) { ... on Error { errorCode } } }`,
      variables: { id: cardId(1) },
    }),
  PAYMENT_METHOD_NOT_ALLOWED: () => addCard('5105105105105100'),
  CARD_DECLINED: () => pay({ invoice: 2, card: 3, key: 'codes-declined' }),
  IDEMPOTENCY_KEY_CONFLICT: async () => {
    // The first use declines (card 3), so no invoice changes; the key is taken all the same.
    await pay({ invoice: 3, card: 3, key: 'codes-reused' });
    return pay({ invoice: 1, card: 3, key: 'codes-reused' });
  },
  IDEMPOTENCY_KEY_IN_USE: async () => {
    // The sandbox never answers for this card: the first attempt stays PROCESSING, so a retry finds it running.
    const added = (await addCard('4000000000000341')).body as {
      data: { addPaymentMethod: { paymentMethod: { id: string } } };
    };
    const card = added.data.addPaymentMethod.paymentMethod.id;
    const first = await pay({ invoice: 1, card, key: 'codes-in-use' });
    expect(codesIn(first.body)).toEqual([]);
    return pay({ invoice: 1, card, key: 'codes-in-use' });
  },
  // Production mode: a webhook endpoint on loopback is refused at registration.
  WEBHOOK_URL_NOT_ALLOWED: () =>
    asAda({
      query: `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { ... on Error { errorCode } } }`,
      variables: {
        input: { billingAccountId: accountId(1), url: 'https://127.0.0.1/hooks', eventTypes: ['INVOICE_UPDATED'] },
      },
    }),
  // Top-level errors.
  UNAUTHENTICATED: () => post(gw.url, { query: '{ viewer { kind } }' }, { 'x-api-key': 'bgk_not_a_key' }),
  FORBIDDEN: () => send(`${gw.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: gw.headersFor('ada') }),
  RATE_LIMITED: async () => {
    await asAda({ query: '{ __typename }' }, limited);
    return asAda({ query: '{ __typename }' }, limited);
  },
  QUERY_TOO_COMPLEX: () =>
    asAda({
      query: `{ viewer { ${'billingAccounts { billingProfiles { billingAccount { '.repeat(5)}id${' } } }'.repeat(5)} } }`,
    }),
  BAD_USER_INPUT: () =>
    asAda({ query: '{ viewer { billingAccounts { invoices(first: 1, after: "bm90IGEgY3Vyc29y") { totalCount } } } }' }),
  BAD_REQUEST: () => send(gw.url, { method: 'POST', headers: { ...JSON_HEADERS, ...gw.headersFor('ada') }, body: '{' }),
  UNSUPPORTED_MEDIA_TYPE: () =>
    send(gw.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"query":"{ __typename }"}' }),
  REQUEST_ENTITY_TOO_LARGE: () => asAda({ query: '{ __typename }', variables: { pad: 'x'.repeat(200_000) } }),
  GRAPHQL_PARSE_FAILED: () => asAda({ query: '{ viewer {' }),
  GRAPHQL_VALIDATION_FAILED: () => asAda({ query: '{ viewer { nope } }' }),
  OPERATION_RESOLUTION_FAILURE: () => asAda({ query: 'query A { __typename } query B { __typename }' }),
  PERSISTED_QUERY_NOT_FOUND: () =>
    asAda({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256Like('a') } } }),
  PERSISTED_QUERY_MISMATCH: () =>
    asAda({ query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: sha256Like('b') } } }),
  TRUSTED_DOCUMENT_REQUIRED: () => asAda({ query: '{ __typename }' }, trusted),
  TRUSTED_DOCUMENT_NOT_FOUND: () => asAda({ documentId: `sha256:${sha256Like('c')}` }, trusted),
  TOO_MANY_STREAMS: () => firstSseResult(limited, 'subscription { billingEvents { type } }', 'carlos'),
  // An event id the log does not hold (never issued, another tenant's, or past retention).
  EVENT_CURSOR_EXPIRED: () =>
    firstSseResult(gw, 'subscription { billingEvents(after: "evt_0123456789abcdef0123456789abcdef") { id } }'),
  SHUTTING_DOWN: () => requestWhileShuttingDown(),
  DATABASE_UNAVAILABLE: async () => {
    // A gateway on PostgreSQL through a TCP proxy, which then goes away: the database is unreachable.
    const database = await createTestPostgresDatabase();
    const target = new URL(database.url);
    const proxy = await tcpProxy(target.hostname, Number(target.port || 5432));
    target.host = `127.0.0.1:${proxy.port}`;
    const broken = await startTestGateway({ env: { ...PRODUCTION, DATABASE_URL: target.toString() } });
    try {
      await proxy.close();
      return await post(broken.url, { query: '{ viewer { billingAccounts { id } } }' }, broken.headersFor('ada'));
    } finally {
      await broken.close();
      await database.drop();
    }
  },
  INTERNAL_SERVER_ERROR: async () => {
    const broken = await startTestGateway({ env: PRODUCTION });
    try {
      // The database gone from under the gateway: the resolver fails with a driver error.
      for (const connection of broken.gateway.resources.store.sqliteConnections) connection.close();
      return await post(broken.url, { query: '{ viewer { billingAccounts { id } } }' }, broken.headersFor('ada'));
    } finally {
      await broken.close();
    }
  },
};

/** A TCP proxy to host:port on a random local port; `close` cuts every connection and stops listening. */
async function tcpProxy(host: string, port: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect({ host, port });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as { port: number }).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A request that reaches an instance after its shutdown began: on a kept-alive connection whose previous
 * request was in flight when draining started. `Expect: 100-continue` tells the test that the gateway holds
 * that first request (no sleeping); the second one is pipelined behind it.
 */
async function requestWhileShuttingDown(): Promise<RawResponse> {
  const draining = await startTestGateway({ env: PRODUCTION });
  const url = new URL(draining.url);
  const socket = connect(Number(url.port), url.hostname);
  await once(socket, 'connect');
  socket.setEncoding('utf8');
  let received = '';
  const continued = new Promise<void>((resolve) => {
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (received.includes('100 Continue')) resolve();
    });
  });
  const closed = once(socket, 'close');
  const body = JSON.stringify({ query: '{ __typename }' });
  const head = (extra: string) =>
    `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\n` +
    `Authorization: ${draining.headersFor('ada').authorization}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n`;
  socket.write(head('Expect: 100-continue\r\n'));
  await continued;
  const shutdown = draining.close();
  socket.write(body + head('') + body);
  await closed;
  await shutdown;
  // The answer to the second request: status line, headers, then a chunked body.
  const second = received.slice(received.lastIndexOf('HTTP/1.1 '));
  const headEnd = second.indexOf('\r\n\r\n');
  const [statusLine = '', ...headerLines] = second.slice(0, headEnd).split('\r\n');
  const chunked = second.slice(headEnd + 4);
  const headers = new Headers(
    headerLines.map(
      (line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()] as [string, string],
    ),
  );
  let text = '';
  for (let rest = chunked; ; ) {
    const size = Number.parseInt(rest.slice(0, rest.indexOf('\r\n')), 16);
    if (!(size > 0)) break;
    const start = rest.indexOf('\r\n') + 2;
    text += rest.slice(start, start + size);
    rest = rest.slice(start + size + 2);
  }
  return { status: Number(statusLine.split(' ')[1]), headers, text, body: JSON.parse(text) as RawResponse['body'] };
}

describe('every ErrorCode is produced over HTTP', () => {
  it('the enum in schema.graphql is ERROR_CODES, value for value', () => {
    const schema = buildSchema(readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8'));
    const printed = schema.getType('ErrorCode');
    expect(isEnumType(printed)).toBe(true);
    const values = isEnumType(printed) ? printed.getValues() : [];
    expect(values.map((v) => v.name).sort()).toEqual([...ERROR_CODE_NAMES].sort());
    for (const value of values) expect(value.description, value.name).toMatch(/\w.{40,}/);
  });

  it.each(ERROR_CODE_NAMES)('%s', async (code) => {
    const response = await PRODUCERS[code]();
    expectCodesInContract(response.body, code);
    expect(codesIn(response.body), response.text.slice(0, 400)).toContain(code);
  });
});

describe('what some codes come with', () => {
  it('an invalid cursor is BAD_USER_INPUT, with a message saying what to send', async () => {
    const r = await gw.gql(
      'query($after: String) { viewer { billingAccounts { invoices(first: 1, after: $after) { totalCount } } } }',
      { after: 'bm90IGEgY3Vyc29y' },
    );
    expect(r.errors).toMatchObject([
      { message: 'Invalid cursor: pass a cursor returned by this list.', extensions: { code: 'BAD_USER_INPUT' } },
    ]);
  });

  it('a variable of the wrong type is BAD_USER_INPUT too (graphql-js gives it no code)', async () => {
    const r = await asAda({ query: 'query($id: ID!) { invoice(id: $id) { id } }', variables: { id: { $ne: null } } });
    expect(r.status).toBe(400);
    expect(codesIn(r.body)).toEqual(['BAD_USER_INPUT']);
  });

  it('a field the caller may not read is null beside NOT_AUTHORIZED, not a masked internal error', async () => {
    const r = await gw.gql(
      'query($id: ID!) { billingAccount(id: $id) { apiKeys { prefix } } }',
      { id: accountId(1) },
      'carlos',
    );
    expect(r.data).toEqual({ billingAccount: { apiKeys: null } });
    expect(r.errors).toMatchObject([{ path: ['billingAccount', 'apiKeys'], extensions: { code: 'NOT_AUTHORIZED' } }]);
  });

  it('a mutation error keeps the deprecated String `code` equal to `errorCode`', async () => {
    const r = await gw.gql(
      'mutation($input: PayInvoiceInput!) { payInvoice(input: $input) { ... on Error { code errorCode } } }',
      { input: { invoiceId: invoiceId(5), paymentMethodId: cardId(1), idempotencyKey: 'codes-both' } },
    );
    expect(r.data).toEqual({ payInvoice: { code: 'INVOICE_NOT_PAYABLE', errorCode: 'INVOICE_NOT_PAYABLE' } });
  });
});
