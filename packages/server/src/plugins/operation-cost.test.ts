import { billingSchema } from '@billing/schema/graphql';
import { describe, expect, it } from 'vitest';
import { pluginYoga, postTo } from '../../test/plugin-yoga.js';
import { useOperationCostLimit } from './operation-cost.js';

const yoga = pluginYoga([useOperationCostLimit({ maxFields: 5, maxCost: 100 })], billingSchema());
const CONNECTION = `query($first: Int) { billingAccount(id: "x") { invoices(first: $first) { nodes { id number } } } }`;

describe('useOperationCostLimit', () => {
  it('refuses, before anything runs, an operation over the cost its page size gives it', async () => {
    // 2 + 50 invoices x (nodes, id, number) = 152 > 100; 2 + 30 x 3 = 92 is within.
    const refused = await postTo(yoga, { query: CONNECTION, variables: { first: 50 } });
    expect(refused.status).toBe(400);
    expect(refused.json.data ?? null).toBeNull();
    expect(refused.json.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/^Cost limit of 100 exceeded, estimated 152/),
      extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'cost', maximum: 100 },
    });
    const within = await postTo(yoga, { query: CONNECTION, variables: { first: 30 } });
    expect((within.json.errors ?? []).map((e) => e.extensions?.code)).not.toContain('QUERY_TOO_COMPLEX');
  });

  it('refuses more field selections than allowed, fragments counted at every spread', async () => {
    const r = await postTo(yoga, { query: '{ ...F ...F ...F } fragment F on Query { __typename a: __typename }' });
    expect(r.status).toBe(400);
    expect(r.json.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'fields', maximum: 5 });
    expect((await postTo(yoga, { query: '{ __typename }' })).json).toEqual({ data: { __typename: 'Query' } });
  });

  it('keeps 200 for plain application/json clients, as for any invalid document', async () => {
    const r = await postTo(yoga, { query: CONNECTION, variables: { first: 50 } }, { accept: 'application/json' });
    expect(r.status).toBe(200);
    expect(r.json.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });
});
