import { createSchema } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { pluginYoga, postTo } from '../../test/plugin-yoga.js';
import { useVariableErrorCodes } from './error-codes.js';

const schema = createSchema({
  typeDefs: /* GraphQL */ `
    type Query {
      twice(n: Int!): Int!
      fails: Int
    }
    type Subscription {
      ticks(n: Int!): Int!
    }
  `,
  resolvers: {
    Query: {
      twice: (_root: unknown, args: { n: number }) => args.n * 2,
      fails: () => {
        throw new Error('kaboom');
      },
    },
    Subscription: {
      ticks: {
        subscribe: async function* (_root: unknown, args: { n: number }) {
          yield { ticks: args.n };
        },
      },
    },
  },
});

describe('useVariableErrorCodes', () => {
  const yoga = pluginYoga([useVariableErrorCodes()], schema);

  it.each([
    ['a variable of the wrong type', { n: 'two' }],
    ['a required variable missing', {}],
  ])('gives %s BAD_USER_INPUT (graphql-js gives it no code)', async (_name, variables) => {
    const r = await postTo(yoga, { query: 'query($n: Int!) { twice(n: $n) }', variables });
    expect(r.status).toBe(400);
    expect(r.json.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });

  it('a subscription needs nothing: Yoga already codes its refused variables', async () => {
    const r = await postTo(yoga, { query: 'subscription($n: Int!) { ticks(n: $n) }', variables: { n: 'x' } });
    expect(r.json.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });

  it('leaves field errors and coded errors as they are', async () => {
    const ran = await postTo(yoga, { query: '{ fails twice(n: 2) }' });
    expect(ran.json.data).toEqual({ fails: null, twice: 4 });
    expect(ran.json.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    const invalid = await postTo(yoga, { query: '{ nope }' });
    expect(invalid.json.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
