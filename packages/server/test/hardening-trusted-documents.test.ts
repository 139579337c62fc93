// Persisted documents. Trusted-documents mode (TRUSTED_DOCUMENTS_ONLY=true): only the manifest's operations run,
// named by hash; anything else is refused. GraphiQL keeps working in development only. Otherwise automatic
// persisted queries: the manifest's hashes answer at once, other clients register theirs.
// (The SDK's own manifest against the gateway: packages/integration-tests.)
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_HEADERS } from '../src/plugins/csrf.js';
import { startTestGateway, type TestGateway } from './harness.js';
import { errorsOf, expectRefused, post, send } from './hardening-support.js';

const KIND = 'query Kind { viewer { kind } }';
const ACCOUNTS =
  'query Accounts($first: Int) { viewer { billingAccounts { displayName id invoices(first: $first) { totalCount } } } }';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const dir = mkdtempSync(join(tmpdir(), 'billing-trusted-'));
const manifestPath = join(dir, 'persisted-documents.json');
writeFileSync(
  manifestPath,
  JSON.stringify({ [`sha256:${sha256(KIND)}`]: KIND, [`sha256:${sha256(ACCOUNTS)}`]: ACCOUNTS }),
);

const TRUSTED = { TRUSTED_DOCUMENTS_ONLY: 'true', TRUSTED_DOCUMENTS_PATH: manifestPath, LOG_LEVEL: 'silent' };

function expectTrustedRefusal(response: Awaited<ReturnType<typeof post>>, code: string, status: number) {
  expectRefused(response, status);
  expect(errorsOf(response)[0]?.extensions?.code).toBe(code);
}

describe('production, trusted documents only', () => {
  let gw: TestGateway;
  let auth: Record<string, string>;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { ...TRUSTED, BILLING_MODE: 'production' } });
    auth = gw.headersFor('ada');
  });
  afterAll(() => gw.close());

  it('runs a manifest document named by documentId', async () => {
    const r = await post(gw.url, { documentId: `sha256:${sha256(KIND)}` }, auth);
    expect(r.body).toEqual({ data: { viewer: { kind: 'USER' } } });
  });

  it('runs one named by extensions.persistedQuery (the APQ shape, bare hex)', async () => {
    const r = await post(
      gw.url,
      { extensions: { persistedQuery: { version: 1, sha256Hash: sha256(ACCOUNTS) } }, variables: { first: 1 } },
      auth,
    );
    expect(errorsOf(r)).toEqual([]);
    expect(
      (r.body as { data: { viewer: { billingAccounts: unknown[] } } }).data.viewer.billingAccounts.length,
    ).toBeGreaterThan(0);
  });

  it('runs one named by hash over GET (with the CSRF header)', async () => {
    const extensions = JSON.stringify({ persistedQuery: { version: 1, sha256Hash: sha256(KIND) } });
    const r = await send(`${gw.url}?${new URLSearchParams({ extensions })}`, {
      headers: { accept: 'application/graphql-response+json', [CSRF_HEADERS[0]!]: '1', ...auth },
    });
    expect(r.body).toEqual({ data: { viewer: { kind: 'USER' } } });
  });

  it('refuses a manifest document sent as text: documents are named by hash', async () => {
    expectTrustedRefusal(await post(gw.url, { query: KIND }, auth), 'TRUSTED_DOCUMENT_REQUIRED', 403);
    const reordered = `query Accounts($first: Int) {
      viewer { billingAccounts { id invoices(first: $first) { totalCount } displayName } }
    }`;
    expectTrustedRefusal(
      await post(gw.url, { query: reordered, variables: { first: 2 } }, auth),
      'TRUSTED_DOCUMENT_REQUIRED',
      403,
    );
  });

  it('refuses any other document, however small', async () => {
    expectTrustedRefusal(await post(gw.url, { query: '{ viewer { kind } }' }, auth), 'TRUSTED_DOCUMENT_REQUIRED', 403);
    expectTrustedRefusal(await post(gw.url, { query: '{ __typename }' }, auth), 'TRUSTED_DOCUMENT_REQUIRED', 403);
    // A trusted document with one more field is another document.
    expectTrustedRefusal(
      await post(gw.url, { query: 'query Kind { viewer { kind user { email } } }' }, auth),
      'TRUSTED_DOCUMENT_REQUIRED',
      403,
    );
    // Nor does an unparsable text slip through.
    expectTrustedRefusal(
      await post(gw.url, { query: 'query Kind { viewer { kind ' }, auth),
      'TRUSTED_DOCUMENT_REQUIRED',
      403,
    );
  });

  it('refuses unknown hashes, and a hash that does not match the text sent with it', async () => {
    expectTrustedRefusal(
      await post(gw.url, { documentId: `sha256:${sha256('nope')}` }, auth),
      'TRUSTED_DOCUMENT_NOT_FOUND',
      400,
    );
    // A client claiming a trusted hash while sending another text runs the manifest's text, not its own.
    const r = await post(
      gw.url,
      {
        query: '{ viewer { user { email } } }',
        extensions: { persistedQuery: { version: 1, sha256Hash: sha256(KIND) } },
      },
      auth,
    );
    expect(r.body).toEqual({ data: { viewer: { kind: 'USER' } } });
  });

  it('ignores a GraphiQL Referer in production', async () => {
    const r = await post(gw.url, { query: '{ viewer { kind } }' }, { ...auth, referer: gw.url });
    expectTrustedRefusal(r, 'TRUSTED_DOCUMENT_REQUIRED', 403);
  });
});

describe('development, trusted documents only', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ env: TRUSTED });
  });
  afterAll(() => gw.close());

  it('lets the gateway’s own GraphiQL page send any document', async () => {
    const page = await send(gw.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const fromGraphiQL = await post(gw.url, { query: '{ __schema { queryType { name } } }' }, { referer: gw.url });
    expect(fromGraphiQL.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });

  it('refuses arbitrary documents from anywhere else', async () => {
    expectTrustedRefusal(await post(gw.url, { query: '{ __typename }' }), 'TRUSTED_DOCUMENT_REQUIRED', 403);
    expectTrustedRefusal(
      await post(gw.url, { query: '{ __typename }' }, { referer: 'http://evil.example/graphql' }),
      'TRUSTED_DOCUMENT_REQUIRED',
      403,
    );
    expectTrustedRefusal(
      await post(gw.url, { query: '{ __typename }' }, { referer: `${gw.url.replace('/graphql', '')}/other` }),
      'TRUSTED_DOCUMENT_REQUIRED',
      403,
    );
  });
});

describe('automatic persisted queries (trusted-documents mode off)', () => {
  let gw: TestGateway;
  let auth: Record<string, string>;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { TRUSTED_DOCUMENTS_PATH: manifestPath, LOG_LEVEL: 'silent' } });
    auth = gw.headersFor('ada');
  });
  afterAll(() => gw.close());

  const byHash = (hash: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });

  it("answers a manifest document's hash at once, with no text ever sent", async () => {
    expect((await post(gw.url, byHash(sha256(KIND)), auth)).body).toEqual({ data: { viewer: { kind: 'USER' } } });
  });

  it('registers any other document by hash and text, then runs it by hash alone', async () => {
    const query = '{ viewer { user { email } } }';
    const miss = await post(gw.url, byHash(sha256(query)), auth);
    expect(miss.status).toBe(404);
    expect(errorsOf(miss)[0]).toMatchObject({ message: 'PersistedQueryNotFound' });
    const registered = await post(gw.url, { query, ...byHash(sha256(query)) }, auth);
    expect(registered.body).toEqual({ data: { viewer: { user: { email: 'ada@contoso.example' } } } });
    expect((await post(gw.url, byHash(sha256(query)), auth)).body).toEqual(registered.body);
  });

  it('refuses a hash that does not match the text sent with it, and plain text still runs', async () => {
    const mismatch = await post(gw.url, { query: '{ viewer { kind } }', ...byHash(sha256(KIND)) }, auth);
    expect(errorsOf(mismatch)[0]?.extensions?.code).toBe('PERSISTED_QUERY_MISMATCH');
    expect((await post(gw.url, { query: '{ viewer { kind } }' }, auth)).body).toEqual({
      data: { viewer: { kind: 'USER' } },
    });
  });
});
