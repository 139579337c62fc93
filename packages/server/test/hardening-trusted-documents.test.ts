// Trusted documents (TRUSTED_DOCUMENTS_ONLY=true): only the manifest's operations run, named by
// hash or sent as text; anything else is refused. GraphiQL keeps working in development only.
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, print, type DocumentNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sdk from '../../sdk/src/index.js';
import { DEFAULT_TRUSTED_DOCUMENTS_PATH } from '../src/config.js';
import { canonicalForm, loadTrustedDocuments } from '../src/plugins/trusted-documents.js';
import { CSRF_HEADERS } from '../src/plugins/csrf.js';
import { accountId, startTestGateway, type TestGateway } from './harness.js';
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

  it('runs a manifest document sent as text, also laid out and ordered differently (as urql prints it)', async () => {
    expect((await post(gw.url, { query: KIND }, auth)).body).toEqual({ data: { viewer: { kind: 'USER' } } });
    const reordered = `query Accounts($first: Int) {
      viewer {
        billingAccounts {
          id
          invoices(first: $first) { totalCount }
          displayName
        }
      }
    }`;
    const r = await post(gw.url, { query: reordered, variables: { first: 2 } }, auth);
    expect(errorsOf(r)).toEqual([]);
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

describe("the SDK's own manifest", () => {
  let gw: TestGateway;
  beforeAll(async () => {
    // TRUSTED_DOCUMENTS_PATH unset: the default is packages/sdk/src/generated/persisted-documents.json.
    gw = await startTestGateway({
      env: { TRUSTED_DOCUMENTS_ONLY: 'true', BILLING_MODE: 'production', LOG_LEVEL: 'silent' },
    });
  });
  afterAll(() => gw.close());

  it('recognizes every SDK document as urql sends it (printed in source order) as its manifest entry', () => {
    const manifest = loadTrustedDocuments(DEFAULT_TRUSTED_DOCUMENTS_PATH);
    const documents = Object.entries(sdk).filter(([name]) => name.endsWith('Document')) as [
      string,
      DocumentNode & { __meta__?: { hash?: string } },
    ][];
    expect(documents.length).toBeGreaterThan(5);
    for (const [name, document] of documents) {
      const hash = manifest.byCanonicalForm.get(canonicalForm(parse(print(document))));
      expect(hash, name).toBeDefined();
      expect(`sha256:${hash}`, name).toBe(document.__meta__?.hash);
    }
  });

  it('lets the real SDK client work unchanged (it sends document text; it matches the manifest)', async () => {
    const client = sdk.createBillingClient({ url: gw.url, token: gw.tokens.ada });
    const viewer = await client.checkMyAccess();
    expect(viewer?.billingAccounts.length).toBeGreaterThan(0);
    const page = await client.listInvoices({ accountId: accountId(1) }, { first: 5 });
    expect(page?.nodes.length).toBe(5);
    // Anything off the manifest is still refused.
    const r = await post(gw.url, { query: '{ viewer { kind } }' }, gw.headersFor('ada'));
    expectTrustedRefusal(r, 'TRUSTED_DOCUMENT_REQUIRED', 403);
  });
});

describe('canonical form', () => {
  it('ignores layout and the order of selections and arguments, nothing else', () => {
    const a = canonicalForm(parse('query Q($a: Int) { x(b: 1, a: $a) { z y } w }'));
    expect(canonicalForm(parse('query Q($a: Int){w x(a:$a b:1){y z}}'))).toBe(a);
    expect(canonicalForm(parse('query Q($a: Int) { x(b: 1, a: $a) { z y alias: y } w }'))).not.toBe(a);
    expect(canonicalForm(parse('query Q($a: Int) { x(b: 2, a: $a) { z y } w }'))).not.toBe(a);
  });
});
