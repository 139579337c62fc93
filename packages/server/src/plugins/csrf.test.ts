import { describe, expect, it } from 'vitest';
import { pluginYoga } from '../../test/plugin-yoga.js';
import { CSRF_HEADERS, useCsrfProtection } from './csrf.js';

const yoga = pluginYoga([useCsrfProtection()]);
const get = (headers: Record<string, string> = {}) => yoga.fetch('http://yoga/graphql?query=%7Bhello%7D', { headers });

describe('useCsrfProtection', () => {
  it('refuses a GET without one of the CSRF headers, runs it with any one of them', async () => {
    const refused = await get();
    expect(refused.status).toBe(403);
    expect((await refused.json()).errors[0].extensions).toEqual({ code: 'FORBIDDEN' });
    for (const header of CSRF_HEADERS) {
      const r = await get({ [header]: '1' });
      expect(await r.json(), header).toEqual({ data: { hello: 'world' } });
    }
  });

  it('refuses form posts with 415, whatever they carry', async () => {
    for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/plain']) {
      const r = await yoga.fetch('http://yoga/graphql', {
        method: 'POST',
        headers: { 'content-type': type, 'x-graphql-csrf': '1' },
        body: 'query=%7Bhello%7D',
      });
      expect(r.status, type).toBe(415);
      expect((await r.json()).errors[0].extensions.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('takes other headers when told', async () => {
    const custom = pluginYoga([useCsrfProtection({ requestHeaders: ['x-mine'] })]);
    const url = 'http://yoga/graphql?query=%7Bhello%7D';
    expect((await custom.fetch(url, { headers: { 'x-graphql-csrf': '1' } })).status).toBe(403);
    expect((await custom.fetch(url, { headers: { 'x-mine': '1' } })).status).toBe(200);
  });
});
