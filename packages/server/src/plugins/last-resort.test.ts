// The last resort on an in-process Yoga: an exception escaping the request pipeline (here, from a
// plugin's request hook) is answered with a plain 500 JSON error, no stack, and logged once.
import { Writable } from 'node:stream';
import type { Plugin } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { pluginYoga, postTo } from '../../test/plugin-yoga.js';
import { createLogger } from '../logger.js';
import { useLastResortErrorResponse } from './last-resort.js';

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ logLevel: 'error', mode: 'production' }, sink) };
}

/** A request handler that throws on `?explode` (listed before the last resort, which wraps it). */
const escaping: Plugin = {
  onRequest({ requestHandler, setRequestHandler }) {
    setRequestHandler((request, serverContext) => {
      if (new URL(request.url).searchParams.has('explode')) throw new Error('secret internal detail at /srv/app.js:42');
      return requestHandler(request, serverContext);
    });
  },
};

describe('useLastResortErrorResponse', () => {
  it('answers an escaped exception with 500 "Unexpected error." and logs it, never in the body', async () => {
    const { lines, logger } = capturingLogger();
    const yoga = pluginYoga([escaping, useLastResortErrorResponse({ logger })]);
    const response = await yoga.fetch('http://yoga/graphql?explode=1', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ hello }' }),
    });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
    });
    expect(text).not.toContain('secret');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50, msg: 'unhandled error in the request pipeline' });
    expect(JSON.stringify(lines[0])).toContain('secret internal detail');
  });

  it('leaves ordinary requests and GraphQL errors alone', async () => {
    const { lines, logger } = capturingLogger();
    const yoga = pluginYoga([escaping, useLastResortErrorResponse({ logger })]);
    expect((await postTo(yoga, { query: '{ hello }' })).json).toEqual({ data: { hello: 'world' } });
    const failing = await postTo(yoga, { query: '{ boom }' });
    expect(failing.status).toBe(200);
    expect(failing.json.errors?.[0]?.message).toBe('Unexpected error.');
    expect(lines).toHaveLength(0);
  });
});
