// The SDK's own manifest (`@billing/sdk/trusted-documents.json`) on a gateway in trusted-documents mode:
// the SDK sends every operation by hash and the gateway knows each one.
import { createRequire } from 'node:module';
import { accountId, startTestGateway, type TestGateway } from '@billing/server/testing';
import * as sdk from '@billing/sdk';
import type { DocumentNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe("the SDK's own manifest", () => {
  let gw: TestGateway;
  beforeAll(async () => {
    // TRUSTED_DOCUMENTS_PATH unset: the default is the SDK package's trusted-documents.json export.
    gw = await startTestGateway({
      env: { TRUSTED_DOCUMENTS_ONLY: 'true', BILLING_MODE: 'production', LOG_LEVEL: 'silent' },
    });
  });
  afterAll(() => gw.close());

  it('has an entry for every SDK document, under the hash the document carries', () => {
    const manifest = createRequire(import.meta.url)('@billing/sdk/trusted-documents.json') as Record<string, string>;
    const documents = Object.entries(sdk).filter(([name]) => name.endsWith('Document')) as [
      string,
      DocumentNode & { __meta__?: { hash?: string } },
    ][];
    expect(documents.length).toBeGreaterThan(5);
    for (const [name, document] of documents) {
      const hash = document.__meta__?.hash?.replace(/^sha256:/, '');
      expect(hash, name).toMatch(/^[0-9a-f]{64}$/);
      expect(manifest[`sha256:${hash}`], name).toBeDefined();
    }
  });

  it('lets the real SDK client work unchanged: it sends hashes, never text', async () => {
    const bodies: { query?: unknown; extensions?: { persistedQuery?: { sha256Hash?: string } } }[] = [];
    const recording: typeof fetch = async (input, init) => {
      bodies.push(JSON.parse(String(init?.body)));
      return fetch(input, init);
    };
    const client = sdk.createBillingClient({ url: gw.url, token: gw.tokens.ada, fetch: recording });
    const viewer = await client.checkMyAccess();
    expect(viewer?.billingAccounts.length).toBeGreaterThan(0);
    const page = await client.listInvoices({ accountId: accountId(1) }, { first: 5 });
    expect(page?.nodes.length).toBe(5);
    const removed = await client.removePaymentMethod('not-an-id');
    expect(removed.__typename).toBe('NotFoundError');
    expect(bodies.length).toBe(3);
    for (const body of bodies) {
      expect(body.query).toBeUndefined();
      expect(body.extensions?.persistedQuery?.sha256Hash).toMatch(/^[0-9a-f]{64}$/);
    }
    // Anything off the manifest is still refused.
    const response = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...gw.headersFor('ada') },
      body: JSON.stringify({ query: '{ viewer { kind } }' }),
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe(
      'TRUSTED_DOCUMENT_REQUIRED',
    );
  });
});
