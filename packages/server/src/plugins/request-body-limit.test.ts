import { describe, expect, it } from 'vitest';
import { pluginYoga } from '../../test/plugin-yoga.js';
import { useRequestBodyLimit } from './request-body-limit.js';

const yoga = pluginYoga([useRequestBodyLimit({ maxBytes: 100 })]);
const body = (padding: number) => JSON.stringify({ query: '{ hello }', variables: { p: 'x'.repeat(padding) } });

async function post(init: { body: BodyInit; headers?: Record<string, string> }) {
  const response = await yoga.fetch('http://yoga/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...init.headers },
    body: init.body,
    duplex: 'half',
  } as RequestInit);
  return {
    status: response.status,
    json: (await response.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] },
  };
}

/** A body sent in chunks, with no Content-Length (as `Transfer-Encoding: chunked` arrives). */
const chunked = (text: string) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      const bytes = new TextEncoder().encode(text);
      for (let i = 0; i < bytes.length; i += 16) controller.enqueue(bytes.subarray(i, i + 16));
      controller.close();
    },
  });

describe('useRequestBodyLimit', () => {
  it('answers a body within the limit, with or without Content-Length', async () => {
    const text = body(10);
    for (const init of [{ body: text, headers: { 'content-length': String(text.length) } }, { body: chunked(text) }])
      expect((await post(init)).json).toEqual({ data: { hello: 'world' } });
  });

  it('refuses a declared length over the limit with 413 before reading the body', async () => {
    const r = await post({ body: body(10), headers: { 'content-length': '101' } });
    expect(r.status).toBe(413);
    expect(r.json.errors?.[0]).toMatchObject({
      message: 'Request body too large',
      extensions: { code: 'REQUEST_ENTITY_TOO_LARGE' },
    });
  });

  it('counts a body without Content-Length and refuses it once past the limit', async () => {
    const r = await post({ body: chunked(body(200)) });
    expect(r.status).toBe(413);
    expect(r.json.errors?.[0]?.extensions?.code).toBe('REQUEST_ENTITY_TOO_LARGE');
  });

  it('refuses a Content-Length that is not one non-negative integer with 400', async () => {
    for (const value of ['12, 12', '-1', 'abc']) {
      const r = await post({ body: body(1), headers: { 'content-length': value } });
      expect(r.status, value).toBe(400);
      expect(r.json.errors?.[0]?.extensions?.code, value).toBe('BAD_REQUEST');
    }
  });
});
