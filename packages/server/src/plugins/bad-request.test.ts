import { describe, expect, it } from 'vitest';
import { pluginYoga } from '../../test/plugin-yoga.js';
import { useBadRequestsAs400 } from './bad-request.js';

describe('useBadRequestsAs400', () => {
  it('answers a GET with malformed JSON parameters with 400 BAD_REQUEST, not 500', async () => {
    const yoga = pluginYoga([useBadRequestsAs400()]);
    for (const parameter of ['variables', 'extensions']) {
      const r = await yoga.fetch(`http://yoga/graphql?query=%7Bhello%7D&${parameter}=%7Bnot-json`, {
        headers: { accept: 'application/graphql-response+json' },
      });
      expect(r.status, parameter).toBe(400);
      expect((await r.json()).errors[0]).toMatchObject({
        message: 'The request parameters are not valid JSON.',
        extensions: { code: 'BAD_REQUEST' },
      });
    }
    const fine = await yoga.fetch('http://yoga/graphql?query=%7Bhello%7D&variables=%7B%7D');
    expect(await fine.json()).toEqual({ data: { hello: 'world' } });
  });
});
