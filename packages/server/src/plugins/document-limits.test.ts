// The document limits on an in-process Yoga: each limit refuses one past it with 400
// QUERY_TOO_COMPLEX naming the limit, and a document at the limit runs.
import { createSchema } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { pluginYoga, postTo } from '../../test/plugin-yoga.js';
import { useDocumentLimits } from './document-limits.js';

const yoga = pluginYoga([useDocumentLimits({ maxTokens: 40, maxDepth: 2, maxAliases: 3, maxDirectives: 2 })]);
const run = (query: string) => postTo(yoga, { query });
const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: hello`).join(' ')} }`;

describe('useDocumentLimits', () => {
  it.each([
    ['aliases', aliases(3), aliases(4), 3],
    [
      'aliases, __typename included',
      '{ a: __typename b: __typename c: __typename }',
      '{ a: __typename b: __typename c: __typename d: __typename }',
      3,
    ],
    [
      'directives',
      '{ hello @skip(if: false) @include(if: true) }',
      '{ hello @skip(if: false) @include(if: true) @skip(if: false) }',
      2,
    ],
    ['tokens', '{ hello }', `{ ${'hello '.repeat(40)}}`, 40],
  ])('%s: at the limit runs, past it is 400 QUERY_TOO_COMPLEX', async (label, atLimit, pastLimit, maximum) => {
    expect((await run(atLimit)).json.errors).toBeUndefined();
    const refused = await run(pastLimit);
    expect(refused.status).toBe(400);
    expect(refused.json.errors?.[0]?.extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      limit: label.split(',')[0],
      maximum,
    });
  });

  it('depth: past it is refused; fragments count by what they contain; introspection is not counted', async () => {
    const tree = createSchema({
      typeDefs: 'type Query { root: Branch } type Branch { name: String child: Branch }',
      resolvers: {},
    });
    const nested = pluginYoga(
      [useDocumentLimits({ maxTokens: 1000, maxDepth: 3, maxAliases: 10, maxDirectives: 5 })],
      tree,
    );
    const run = (query: string) => postTo(nested, { query });
    expect((await run('{ root { child { name } } }')).json.errors).toBeUndefined();
    const deep = await run('{ root { child { child { name } } } }');
    expect(deep.status).toBe(400);
    expect(deep.json.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'depth', maximum: 3 });
    // The same depth through a fragment: refused alike, and not deeper for the spread.
    expect((await run('{ root { ...B } } fragment B on Branch { child { name } }')).json.errors).toBeUndefined();
    expect((await run('{ root { ...B } } fragment B on Branch { child { child { name } } }')).status).toBe(400);
    expect((await run('{ __schema { queryType { fields { type { name } } } } }')).json.errors).toBeUndefined();
  });
});
