// Persisted documents on an in-process Yoga: in trusted-documents mode only the manifest's
// operations run, named by hash; otherwise automatic persisted queries that know the manifest's
// hashes from the start. The manifest file's errors name the file.
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pluginYoga, postTo } from '../../test/plugin-yoga.js';
import { loadTrustedDocuments, persistedDocumentPlugins } from './trusted-documents.js';

const HELLO = 'query Hello { hello }';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const documents = new Map([[sha256(HELLO), HELLO]]);
const byHash = (hash: string, query?: string) => ({
  ...(query ? { query } : {}),
  extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
});

describe('persistedDocumentPlugins, trusted documents only', () => {
  const yoga = pluginYoga(
    persistedDocumentPlugins({
      documents,
      trustedOnly: true,
      allowArbitraryDocuments: (request) => request.headers.has('x-graphiql'),
    }),
  );
  const send = (body: Parameters<typeof postTo>[1], headers: Record<string, string> = {}) =>
    postTo(yoga, body, headers);

  it('runs a manifest operation by hash, as `sha256:` key, or as documentId', async () => {
    expect((await send(byHash(sha256(HELLO)))).json).toEqual({ data: { hello: 'world' } });
    expect((await send(byHash(`sha256:${sha256(HELLO).toUpperCase()}`))).json).toEqual({ data: { hello: 'world' } });
    expect((await send({ documentId: sha256(HELLO) })).json).toEqual({ data: { hello: 'world' } });
  });

  it("runs the manifest's text when a hash comes with other text", async () => {
    const r = await send(byHash(sha256(HELLO), '{ words }'));
    expect(r.json).toEqual({ data: { hello: 'world' } });
  });

  it('refuses text with 403 and an unknown hash with 400, each with its code', async () => {
    const text = await send({ query: '{ hello }' });
    expect(text.status).toBe(403);
    expect(text.json.errors?.[0]?.extensions?.code).toBe('TRUSTED_DOCUMENT_REQUIRED');
    const unknown = await send(byHash(sha256('{ words }')));
    expect(unknown.status).toBe(400);
    expect(unknown.json.errors?.[0]?.extensions?.code).toBe('TRUSTED_DOCUMENT_NOT_FOUND');
  });

  it('lets a request the option allows run any text', async () => {
    expect((await send({ query: '{ words }' }, { 'x-graphiql': '1' })).json).toEqual({
      data: { words: ['a', 'b', 'c'] },
    });
  });
});

describe('persistedDocumentPlugins, automatic persisted queries', () => {
  const yoga = pluginYoga(
    persistedDocumentPlugins({ documents, trustedOnly: false, allowArbitraryDocuments: () => false }),
  );

  it("knows the manifest's hashes from the first request, and learns others when sent with their text", async () => {
    expect((await postTo(yoga, byHash(sha256(HELLO)))).json).toEqual({ data: { hello: 'world' } });
    const words = '{ words(first: 1) }';
    const first = await postTo(yoga, byHash(sha256(words)));
    expect(first.json.errors?.[0]?.message).toBe('PersistedQueryNotFound');
    expect((await postTo(yoga, byHash(sha256(words), words))).json).toEqual({
      data: { words: ['a'] },
    });
    expect((await postTo(yoga, byHash(sha256(words)))).json).toEqual({ data: { words: ['a'] } });
    // Plain text still runs in this mode.
    expect((await postTo(yoga, { query: '{ hello }' })).json).toEqual({ data: { hello: 'world' } });
  });
});

describe('loadTrustedDocuments', () => {
  it('reads the manifest by normalized hash, and names the file when it is wrong', () => {
    const dir = mkdtempSync(join(tmpdir(), 'manifest-'));
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ [`sha256:${sha256(HELLO)}`]: HELLO }));
    expect(loadTrustedDocuments(good).get(sha256(HELLO))).toBe(HELLO);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ x: 1 }));
    expect(() => loadTrustedDocuments(bad)).toThrow(`the trusted-documents manifest ${bad}: entry x is not a string`);
    expect(() => loadTrustedDocuments(join(dir, 'missing.json'))).toThrow(/cannot read the trusted-documents manifest/);
  });
});
