// The production profile bar: in BILLING_MODE=production none of these succeeds, over real HTTP.
// Also: error masking (no stacks, no internal messages, no `extensions.exception`), CSRF and CORS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_HEADERS } from '../src/plugins/csrf.js';
import { accountId, startTestGateway, type TestGateway } from './harness.js';
import { errorsOf, expectNoInternals, expectRefused, JSON_HEADERS, post, repeated, send } from './hardening-support.js';

const PRODUCTION = { BILLING_MODE: 'production', LOG_LEVEL: 'silent' };
let gw: TestGateway;
let auth: Record<string, string>;

beforeAll(async () => {
  gw = await startTestGateway({ env: PRODUCTION });
  auth = gw.headersFor('ada');
});
afterAll(() => gw.close());

const run = (query: string, variables?: Record<string, unknown>) => post(gw.url, { query, variables }, auth);
const getUrl = (params: Record<string, string>) => `${gw.url}?${new URLSearchParams(params)}`;

describe('production refuses', () => {
  it('101 aliases of one field, __typename included', async () => {
    expectRefused(await run(`{ ${repeated(101, (i) => `t${i}: __typename`)} }`), 400);
    expectRefused(await run(`{ viewer { ${repeated(101, (i) => `k${i}: kind`)} } }`), 400);
  });

  it('11 batched operations (batching is off by default)', async () => {
    const r = await post(
      gw.url,
      Array.from({ length: 11 }, () => ({ query: '{ __typename }' })),
      auth,
    );
    expectRefused(r, 400);
  });

  it('11 batched operations when batching is on with the limit of 10', async () => {
    const batching = await startTestGateway({ env: { ...PRODUCTION, MAX_BATCH: '10' } });
    try {
      const r = await post(
        batching.url,
        Array.from({ length: 11 }, () => ({ query: '{ __typename }' })),
        batching.headersFor('ada'),
      );
      expectRefused(r, 413);
    } finally {
      await batching.close();
    }
  });

  it('10 repeated directives, on one field or spread over several', async () => {
    expectRefused(await run(`{ __typename ${repeated(10, () => '@include(if: true)')} }`), 400);
    expectRefused(await run(`{ ${repeated(10, (i) => `f${i}: __typename @include(if: true)`)} }`), 400);
  });

  it('500 repeated fields', async () => {
    expectRefused(await run(`{ ${repeated(500, () => '__typename')} }`), 400);
    expectRefused(await run(`{ viewer { ${repeated(500, () => 'kind')} } }`), 400);
  });

  it('introspection, plain or circular', async () => {
    expectRefused(await run('{ __schema { queryType { name } } }'), 400);
    expectRefused(await run('{ __type(name: "Invoice") { name fields { name } } }'), 400);
    const circular = `{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }`;
    expectRefused(await run(circular), 400);
    const viaFragments = `query { __schema { types { ...T } } } fragment T on __Type { fields { type { ofType { name } } } }`;
    expectRefused(await run(viaFragments), 400);
  });

  it('circular fragments', async () => {
    const r = await run(`query { viewer { ...A } } fragment A on Viewer { ...B } fragment B on Viewer { kind ...A }`);
    expectRefused(r, 400);
    expect(errorsOf(r)[0]!.message).toMatch(/cannot spread fragment/i);
  });

  it('"Did you mean" suggestions, from validation and from variable coercion alike', async () => {
    const probes = [
      await run('{ viewr { kind } }'),
      await run('{ viewer { knd } }'),
      await run(`{ billingAccount(id: "${accountId(1)}") { invoices(frist: 10) { totalCount } } }`),
      await run(`{ billingAccount(id: "${accountId(1)}") { invoices(filter: { statuss: [DUE] }) { totalCount } } }`),
      await run(`{ billingAccount(id: "${accountId(1)}") { invoices(filter: { statuses: [DUEE] }) { totalCount } } }`),
      await run(
        `query($s: [InvoiceStatus!]) { billingAccount(id: "${accountId(1)}") { invoices(filter: { statuses: $s }) { totalCount } } }`,
        { s: ['DUEE'] },
      ),
      await run(`query { node(id: "x") { ... on Invoce { id } } }`),
    ];
    for (const r of probes) {
      expectRefused(r);
      expect(r.text).not.toMatch(/did you mean/i);
      expect(errorsOf(r)[0]!.message.length).toBeGreaterThan(10);
    }
  });

  it('GraphiQL', async () => {
    const r = await send(gw.url, { headers: { accept: 'text/html' } });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.headers.get('content-type') ?? '').not.toContain('text/html');
    expect(r.text).not.toMatch(/graphiql/i);
  });

  it('a mutation over GET, even with the CSRF header', async () => {
    const mutation = 'mutation { revokeApiKey(input: { apiKeyId: "x" }) { __typename } }';
    const r = await send(getUrl({ query: mutation }), {
      headers: { accept: 'application/graphql-response+json', [CSRF_HEADERS[0]!]: '1', ...auth },
    });
    expectRefused(r, 405);
  });

  it('a URL-encoded POST (what an HTML form sends), with or without the CSRF header', async () => {
    for (const extra of [{}, { [CSRF_HEADERS[0]!]: '1' }]) {
      const r = await send(gw.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...extra, ...auth },
        body: new URLSearchParams({ query: '{ viewer { kind } }' }).toString(),
      });
      expectRefused(r, 415);
    }
    const plain = await send(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', ...auth },
      body: JSON.stringify({ query: '{ viewer { kind } }' }),
    });
    expectRefused(plain, 415);
  });

  it('a query over GET without a CSRF header (and runs it with one)', async () => {
    const url = getUrl({ query: '{ viewer { kind } }' });
    expectRefused(await send(url, { headers: { accept: 'application/graphql-response+json', ...auth } }), 403);
    for (const header of CSRF_HEADERS) {
      const ok = await send(url, { headers: { accept: 'application/graphql-response+json', [header]: '1', ...auth } });
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({ data: { viewer: { kind: 'USER' } } });
    }
  });
});

describe('error masking', () => {
  it('expected errors keep their message and code, without internals', async () => {
    const r = await post(gw.url, { query: '{ viewer { kind } }' }, { authorization: 'Bearer not-a-jwt' });
    expect(r.status).toBe(401);
    expect(errorsOf(r)[0]).toEqual({
      message: 'The bearer token is invalid or expired.',
      extensions: { code: 'UNAUTHENTICATED' },
    });
    expectNoInternals(r);
  });

  it('unexpected errors are "Unexpected error." in production, with no stack or exception', async () => {
    const broken = await startTestGateway({ env: PRODUCTION });
    // The database going away under the gateway: every resolver now fails with a driver error.
    await broken.gateway.resources.store.close();
    try {
      const r = await post(
        broken.url,
        { query: '{ viewer { kind billingAccounts { id } } }' },
        broken.headersFor('ada'),
      );
      expect(r.status).toBe(500);
      expect(errorsOf(r).map((e) => e.message)).toEqual(['Unexpected error.']);
      for (const error of errorsOf(r)) expect(Object.keys(error.extensions ?? {}).sort()).toEqual(['code']);
      expectNoInternals(r);
    } finally {
      await broken.close();
    }
  });

  it('development shows the original message to help debugging (the contrast)', async () => {
    const dev = await startTestGateway({ env: { LOG_LEVEL: 'silent' } });
    await dev.gateway.resources.store.close();
    try {
      const r = await post(dev.url, { query: '{ viewer { kind } }' }, dev.headersFor('ada'));
      expect(r.text).toMatch(/originalError/);
      expect(r.text).not.toMatch(/"exception"/);
    } finally {
      await dev.close();
    }
  });
});

describe('CORS', () => {
  const preflight = (url: string, origin: string) =>
    send(url, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,authorization',
      },
    });

  it('production without CORS_ORIGINS allows no other origin', async () => {
    const pre = await preflight(gw.url, 'https://app.example');
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    const r = await post(gw.url, { query: '{ __typename }' }, { origin: 'https://app.example' });
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows exactly the configured origins, without credentials', async () => {
    const cors = await startTestGateway({
      env: { ...PRODUCTION, CORS_ORIGINS: 'https://app.example, https://admin.example' },
    });
    try {
      const pre = await preflight(cors.url, 'https://app.example');
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect(pre.headers.get('access-control-allow-headers')).toMatch(/authorization/);
      expect(pre.headers.get('access-control-allow-credentials')).toBeNull();
      const ok = await post(cors.url, { query: '{ __typename }' }, { origin: 'https://admin.example' });
      expect(ok.headers.get('access-control-allow-origin')).toBe('https://admin.example');
      // A browser client may read the request id and its rate limit (RateLimit fields, Retry-After).
      const exposed = ok.headers.get('access-control-expose-headers')?.split(/,\s*/);
      expect(exposed).toEqual(expect.arrayContaining(['x-request-id', 'retry-after', 'ratelimit-policy', 'ratelimit']));

      for (const evil of ['https://evil.example', 'https://app.example.evil.example', 'null']) {
        expect((await preflight(cors.url, evil)).headers.get('access-control-allow-origin')).toBeNull();
        expect(
          (await post(cors.url, { query: '{ __typename }' }, { origin: evil })).headers.get(
            'access-control-allow-origin',
          ),
        ).toBeNull();
      }
    } finally {
      await cors.close();
    }
  });

  it('development allows the local web UI by default', async () => {
    const dev = await startTestGateway({ env: { LOG_LEVEL: 'silent' } });
    try {
      const pre = await preflight(dev.url, 'http://localhost:5173');
      expect(pre.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    } finally {
      await dev.close();
    }
  });
});

describe('development keeps the tools', () => {
  it('serves GraphiQL and answers introspection and suggestions', async () => {
    const dev = await startTestGateway({ env: { LOG_LEVEL: 'silent' } });
    try {
      const page = await send(dev.url, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(page.text).toMatch(/graphiql/i);
      const schema = await post(dev.url, { query: '{ __schema { queryType { name } } }' });
      expect(schema.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
      const typo = await post(dev.url, { query: '{ viewr { kind } }' });
      expect(errorsOf(typo)[0]!.message).toMatch(/Did you mean "viewer"\?/);
    } finally {
      await dev.close();
    }
  });

  it('production can turn introspection back on (INTROSPECTION=true)', async () => {
    const open = await startTestGateway({ env: { ...PRODUCTION, INTROSPECTION: 'true' } });
    try {
      const r = await post(open.url, { query: '{ __schema { queryType { name } } }' }, JSON_HEADERS);
      expect(r.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    } finally {
      await open.close();
    }
  });
});
