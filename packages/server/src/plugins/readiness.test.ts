import { describe, expect, it } from 'vitest';
import { pluginYoga } from '../../test/plugin-yoga.js';
import { useReadiness } from './readiness.js';

describe('useReadiness', () => {
  it('answers 200 with the named checks when all pass, 503 when one fails, asking on every request', async () => {
    let database = true;
    const yoga = pluginYoga([useReadiness({ checks: async () => ({ database, accepting: true }) })]);
    const ready = await yoga.fetch('http://yoga/ready');
    expect(ready.status).toBe(200);
    expect(ready.headers.get('cache-control')).toBe('no-store');
    expect(await ready.json()).toEqual({ ready: true, status: 'ready', checks: { database: true, accepting: true } });
    database = false;
    const down = await yoga.fetch('http://yoga/ready');
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({
      ready: false,
      status: 'not-ready',
      checks: { database: false, accepting: true },
    });
  });

  it('an optional check that fails degrades (200, status degraded) instead of taking the instance out', async () => {
    let redis = false;
    let database = true;
    const yoga = pluginYoga([useReadiness({ checks: async () => ({ database, redis }), optional: ['redis'] })]);
    const degraded = await yoga.fetch('http://yoga/ready');
    expect(degraded.status).toBe(200);
    expect(await degraded.json()).toEqual({
      ready: true,
      status: 'degraded',
      checks: { database: true, redis: false },
    });
    database = false;
    expect((await yoga.fetch('http://yoga/ready')).status).toBe(503);
    database = true;
    redis = true;
    expect(await (await yoga.fetch('http://yoga/ready')).json()).toMatchObject({ status: 'ready' });
  });

  it('serves another endpoint when asked, and leaves GraphQL alone', async () => {
    const yoga = pluginYoga([useReadiness({ checks: async () => ({}), endpoint: '/readyz' })]);
    expect((await yoga.fetch('http://yoga/readyz')).status).toBe(200);
    const query = await yoga.fetch('http://yoga/graphql?query=%7Bhello%7D');
    expect(await query.json()).toEqual({ data: { hello: 'world' } });
  });
});
