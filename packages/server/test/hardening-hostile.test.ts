// A corpus of malformed and hostile requests against the production profile: each gets a 4xx or a
// GraphQL error, none a 5xx, none takes long, the gateway keeps answering, and not one row of the
// database changes. Every answer also keeps the error-code contract (`send` checks each against ErrorCode).
import { connect } from 'node:net';
import { toGlobalId } from '@billing/schema/graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoiceId, startTestGateway, type TestGateway } from './harness.js';
import {
  dumpDatabase,
  errorsOf,
  expectNoInternals,
  JSON_HEADERS,
  post,
  repeated,
  send,
  type RawResponse,
} from './hardening-support.js';

let gw: TestGateway;
let before: Record<string, unknown[]>;

beforeAll(async () => {
  // Rate limits off: the corpus is a few hundred requests from one address; the limiter has its own tests.
  gw = await startTestGateway({
    env: {
      BILLING_MODE: 'production',
      LOG_LEVEL: 'silent',
      RATE_LIMIT_PER_MINUTE: '0',
      ANONYMOUS_RATE_LIMIT_PER_MINUTE: '0',
    },
  });
  before = await dumpDatabase(gw.gateway.resources.store);
});
afterAll(() => gw.close());

type Probe = { name: string; send: () => Promise<RawResponse> };

const ada = () => gw.headersFor('ada');
const json =
  (body: unknown, headers: Record<string, string> = {}) =>
  () =>
    post(gw.url, body, { ...ada(), ...headers });
const raw = (body: string, headers: Record<string, string>) => () =>
  send(gw.url, { method: 'POST', headers: { ...ada(), ...headers }, body });
const query = (text: string, variables?: unknown, operationName?: unknown) =>
  json({ query: text, variables, operationName });

const nested = (levels: number) =>
  `${'{ viewer { billingAccounts { billingProfiles { billingAccount '.repeat(1)}${'{ billingProfiles { billingAccount '.repeat(levels)}{ id }${' }'.repeat(levels * 2 + 4)}`;
const b64 = (text: string) => Buffer.from(text).toString('base64');

const corpus: Probe[] = [
  // Broken or wrong bodies.
  { name: 'truncated JSON', send: raw('{"query": "{ viewer { kind } }"', JSON_HEADERS) },
  { name: 'empty body', send: raw('', JSON_HEADERS) },
  { name: 'JSON null', send: raw('null', JSON_HEADERS) },
  { name: 'JSON number', send: raw('42', JSON_HEADERS) },
  { name: 'JSON string', send: raw('"{ viewer { kind } }"', JSON_HEADERS) },
  { name: 'empty batch', send: raw('[]', JSON_HEADERS) },
  { name: 'batch when batching is off', send: json([{ query: '{ __typename }' }, { query: '{ __typename }' }]) },
  { name: 'query is a number', send: json({ query: 42 }) },
  { name: 'query is an object', send: json({ query: { kind: 'Document' } }) },
  { name: 'no query', send: json({ variables: {} }) },
  { name: 'variables is a string', send: json({ query: '{ __typename }', variables: 'x' }) },
  { name: 'variables is an array', send: json({ query: '{ __typename }', variables: [1, 2] }) },
  { name: 'extensions is a number', send: json({ query: '{ __typename }', extensions: 7 }) },
  { name: 'unknown parameter', send: json({ query: '{ __typename }', evil: true }) },
  {
    name: '__proto__ in variables',
    send: raw(
      '{"query":"query($id: ID!) { invoice(id: $id) { id } }","variables":{"__proto__":{"id":"x"}}}',
      JSON_HEADERS,
    ),
  },
  {
    name: 'invalid UTF-8',
    send: () =>
      send(gw.url, {
        method: 'POST',
        headers: { ...JSON_HEADERS, ...ada() },
        body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
      }),
  },
  { name: 'NUL bytes in the document', send: query('{ viewer { kind } }\u0000\u0000') },
  {
    name: 'deeply nested JSON variable',
    send: raw(
      `{"query":"query($f: InvoiceFilter) { viewer { billingAccounts { invoices(filter: $f) { totalCount } } } }","variables":{"f":${'{"number":'.repeat(5_000)}1${'}'.repeat(5_000)}}}`,
      JSON_HEADERS,
    ),
  },
  // Wrong content types and methods.
  { name: 'text/plain', send: raw(JSON.stringify({ query: '{ viewer { kind } }' }), { 'content-type': 'text/plain' }) },
  { name: 'application/xml', send: raw('<query>{ viewer { kind } }</query>', { 'content-type': 'application/xml' }) },
  { name: 'no content type', send: raw(JSON.stringify({ query: '{ viewer { kind } }' }), {}) },
  {
    name: 'multipart',
    send: raw('--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{}\r\n--x--', {
      'content-type': 'multipart/form-data; boundary=x',
    }),
  },
  {
    name: 'url-encoded form',
    send: raw('query=%7B%20viewer%20%7B%20kind%20%7D%20%7D', { 'content-type': 'application/x-www-form-urlencoded' }),
  },
  {
    name: 'PUT',
    send: () =>
      send(gw.url, {
        method: 'PUT',
        headers: { ...JSON_HEADERS, ...ada() },
        body: JSON.stringify({ query: '{ __typename }' }),
      }),
  },
  { name: 'DELETE', send: () => send(gw.url, { method: 'DELETE', headers: ada() }) },
  {
    name: 'GET without CSRF header',
    send: () => send(`${gw.url}?query=${encodeURIComponent('{ viewer { kind } }')}`, { headers: ada() }),
  },
  {
    name: 'GET with broken variables JSON',
    send: () =>
      send(`${gw.url}?query=${encodeURIComponent('{ __typename }')}&variables=%7Bbroken`, {
        headers: { 'x-graphql-csrf': '1', ...ada() },
      }),
  },
  { name: 'unknown path', send: () => send(gw.url.replace('/graphql', '/admin'), { headers: ada() }) },
  {
    name: 'accept nothing we serve',
    send: () =>
      send(gw.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'image/png', ...ada() },
        body: JSON.stringify({ query: '{ __typename }' }),
      }),
  },
  // Huge inputs.
  { name: 'body over the size limit', send: query('{ viewer { kind } }', { pad: 'x'.repeat(200_000) }) },
  {
    name: 'huge string argument',
    send: query('query($n: String!) { invoiceByNumber(number: $n) { id } }', { n: 'N'.repeat(90_000) }),
  },
  { name: 'huge operation name', send: query('{ __typename }', {}, 'O'.repeat(50_000)) },
  {
    name: 'huge bearer token',
    send: json({ query: '{ viewer { kind } }' }, { authorization: `Bearer ${'a'.repeat(16_000)}` }),
  },
  {
    name: 'garbage API key',
    send: () =>
      post(gw.url, { query: '{ viewer { kind } }' }, { 'x-api-key': `bgk_${"';DROP TABLE users;--".repeat(20)}` }),
  },
  // Expensive documents.
  { name: 'deep nesting', send: query(nested(40)) },
  { name: '10,000 open braces', send: query('{'.repeat(10_000)) },
  { name: 'alias bomb', send: query(`{ ${repeated(2_000, (i) => `a${i}: __typename`)} }`) },
  { name: 'field repetition', send: query(`{ viewer { ${repeated(900, () => 'kind')} } }`) },
  { name: 'directive bomb', send: query(`{ __typename ${repeated(400, () => '@skip(if: false)')} }`) },
  {
    name: 'fragment fan-out',
    send: query(
      `query { viewer { ...F3 } } ${[3, 2, 1].map((n) => `fragment F${n} on Viewer { ${repeated(9, () => `...F${n - 1}`)} }`).join(' ')} fragment F0 on Viewer { kind billingAccounts { invoices(first: 100) { nodes { lineItems { description } } } } }`,
    ),
  },
  {
    name: 'circular fragments',
    send: query('query { viewer { ...A } } fragment A on Viewer { ...B } fragment B on Viewer { ...A }'),
  },
  {
    name: 'introspection',
    send: query('{ __schema { types { name fields { name type { name ofType { name } } } } } }'),
  },
  {
    name: 'page size over the maximum',
    send: query(`{ viewer { billingAccounts { invoices(first: 1000000) { totalCount } } } }`),
  },
  { name: 'negative page size', send: query(`{ viewer { billingAccounts { invoices(first: -1) { totalCount } } } }`) },
  {
    name: 'many ids',
    send: query('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', {
      ids: Array.from({ length: 3_000 }, (_, i) => invoiceId(i)),
    }),
  },
  // Wrong variables and operation names.
  {
    name: 'variable of the wrong type',
    send: query('query($first: Int) { viewer { billingAccounts { invoices(first: $first) { totalCount } } } }', {
      first: 'ten',
    }),
  },
  { name: 'object for an ID', send: query('query($id: ID!) { invoice(id: $id) { id } }', { id: { $ne: null } }) },
  { name: 'missing required variable', send: query('query($id: ID!) { invoice(id: $id) { id } }', {}) },
  { name: 'undeclared variable', send: query('{ invoice(id: $id) { id } }', { id: 'x' }) },
  {
    name: 'float overflow',
    send: query('query($first: Int) { viewer { billingAccounts { invoices(first: $first) { totalCount } } } }', {
      first: 1e308,
    }),
  },
  { name: 'unknown operation name', send: query('query A { __typename } query B { __typename }', {}, 'C') },
  { name: 'operation name not a string', send: query('query A { __typename }', {}, { name: 'A' }) },
  { name: 'several operations, no name', send: query('query A { __typename } query B { __typename }') },
  { name: 'subscription over plain JSON POST', send: query('subscription { billingEvents { type } }') },
  // Invalid global IDs.
  { name: 'not base64', send: query('{ invoice(id: "!!!not base64!!!") { id } }') },
  { name: 'empty id', send: query('{ invoice(id: "") { id } }') },
  { name: 'id of another type', send: query(`{ invoice(id: "${toGlobalId('User', 1)}") { id } }`) },
  { name: 'non-numeric key', send: query(`{ invoice(id: "${b64('Invoice:abc')}") { id } }`) },
  { name: 'negative key', send: query(`{ invoice(id: "${b64('Invoice:-1')}") { id } }`) },
  { name: 'huge key', send: query(`{ invoice(id: "${b64(`Invoice:${'9'.repeat(400)}`)}") { id } }`) },
  { name: 'SQL in the key', send: query(`{ invoice(id: "${b64('Invoice:1 OR 1=1')}") { id } }`) },
  { name: 'unknown type in node()', send: query(`{ node(id: "${b64('Nope:1')}") { id } }`) },
  // Mutations with hostile inputs (refused before any write).
  {
    name: 'mutation with a wrong input type',
    send: query('mutation { payInvoice(input: { invoiceId: 1, paymentMethodId: true }) { __typename } }'),
  },
  {
    name: 'mutation with an unknown input field',
    send: query('mutation($input: PayInvoiceInput!) { payInvoice(input: $input) { __typename } }', {
      input: { invoiceId: 'x', paymentMethodId: 'y', idempotencyKey: 'k', amount: 1 },
    }),
  },
  {
    name: 'mutation over GET',
    send: () =>
      send(
        `${gw.url}?query=${encodeURIComponent('mutation { revokeApiKey(input: { apiKeyId: "x" }) { __typename } }')}`,
        { headers: { 'x-graphql-csrf': '1', ...ada() } },
      ),
  },
  {
    name: 'anonymous mutation',
    send: () =>
      post(gw.url, {
        query: 'mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { __typename } }',
        variables: { input: { apiKeyId: 'x' } },
      }),
  },
  {
    name: 'mutation on a row the caller may not touch',
    send: () =>
      post(
        gw.url,
        {
          query: 'mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { __typename } }',
          variables: { input: { apiKeyId: toGlobalId('ApiKey', 1) } },
        },
        gw.headersFor('olga'),
      ),
  },
];

function expectHandled(name: string, response: RawResponse): void {
  const label = `${name}: ${response.status} ${response.text.slice(0, 300)}`;
  expect(response.status, label).toBeLessThan(500);
  if (response.status < 400) {
    // A 2xx is only acceptable as a GraphQL answer that refuses: errors, nothing found (null), or
    // a refusal the schema returns as data (a mutation's `...Error` result member).
    const body = response.body;
    expect(body && !Array.isArray(body), label).toBe(true);
    const data = body && !Array.isArray(body) ? body.data : null;
    const refusal = (value: unknown) =>
      value == null ||
      (Array.isArray(value) && value.every((item) => item == null)) ||
      (typeof value === 'object' && /Error$/.test(String((value as { __typename?: unknown }).__typename)));
    expect(errorsOf(response).length > 0 || data == null || Object.values(data).every(refusal), label).toBe(true);
  }
  expectNoInternals(response);
}

describe('hostile corpus', () => {
  it.each(corpus.map((probe) => [probe.name, probe] as const))('%s', async (name, probe) => {
    const started = performance.now();
    const response = await probe.send();
    expectHandled(name, response);
    expect(performance.now() - started, name).toBeLessThan(2_000);
  });

  it('a malformed Content-Length is a 400 (raw socket: fetch would not send it)', async () => {
    const { hostname, port } = new URL(gw.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => {
        socket.write(
          `POST /graphql HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: 12, 40\r\n\r\n{"query":"{ __typename }"}`,
        );
      });
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('end', () => resolve(data));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
      setTimeout(() => socket.destroy(), 2_000);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 4\d\d/);
  });

  it('the whole corpus at once, concurrently, changes nothing either', async () => {
    const responses = await Promise.all(corpus.map((probe) => probe.send()));
    for (const [i, response] of responses.entries()) expectHandled(corpus[i]!.name, response);
  });

  it('the gateway still answers, and not one row changed', async () => {
    const r = await post(gw.url, { query: '{ viewer { kind } }' }, ada());
    expect(r.body).toEqual({ data: { viewer: { kind: 'USER' } } });
    expect((await send(gw.url.replace('/graphql', '/health'))).status).toBe(200);
    expect((await send(gw.url.replace('/graphql', '/ready'))).status).toBe(200);
    expect(await dumpDatabase(gw.gateway.resources.store)).toEqual(before);
  });
});
