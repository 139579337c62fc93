import { describe, expect, it } from 'vitest';
import { pluginYoga, postTo } from '../../test/plugin-yoga.js';
import { useIntrospectionDisabled } from './introspection.js';

describe('useIntrospectionDisabled', () => {
  it('refuses __schema and __type, keeps __typename', async () => {
    const yoga = pluginYoga([useIntrospectionDisabled()]);
    for (const query of ['{ __schema { types { name } } }', '{ __type(name: "Query") { name } }']) {
      const r = await postTo(yoga, { query });
      expect(r.status, query).toBe(400);
      expect(r.json.errors?.[0]?.message).toMatch(/introspection/i);
    }
    expect((await postTo(yoga, { query: '{ __typename hello }' })).json).toEqual({
      data: { __typename: 'Query', hello: 'world' },
    });
  });
});
