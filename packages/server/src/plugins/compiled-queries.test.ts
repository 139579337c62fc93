import type { DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { pluginYoga, postTo } from '../../test/plugin-yoga.js';
import { useCompiledQueries } from './compiled-queries.js';

function compiledYoga(compileAfter?: number) {
  const compiled: DocumentNode[] = [];
  const yoga = pluginYoga([
    useCompiledQueries({ ...(compileAfter === undefined ? {} : { compileAfter }), onCompile: (d) => compiled.push(d) }),
  ]);
  return { yoga, compiled };
}

describe('useCompiledQueries', () => {
  it('compiles a query after it ran twice on the interpreter (the default), and answers the same', async () => {
    const { yoga, compiled } = compiledYoga();
    const query = '{ hello words(first: 2) }';
    const answers = [];
    for (let run = 1; run <= 4; run++) {
      answers.push((await postTo(yoga, { query })).json);
      expect(compiled.length, `after run ${run}`).toBe(run <= 2 ? 0 : 1);
    }
    for (const answer of answers) expect(answer).toEqual({ data: { hello: 'world', words: ['a', 'b'] } });
  });

  it('compiles on first use with compileAfter 0, once per document', async () => {
    const { yoga, compiled } = compiledYoga(0);
    await postTo(yoga, { query: '{ hello }' });
    await postTo(yoga, { query: '{ hello }' });
    await postTo(yoga, { query: '{ words }' });
    expect(compiled).toHaveLength(2);
  });

  it('never compiles a mutation', async () => {
    const { yoga, compiled } = compiledYoga(0);
    for (let run = 0; run < 3; run++)
      expect((await postTo(yoga, { query: 'mutation { touch }' })).json).toEqual({ data: { touch: true } });
    expect(compiled).toHaveLength(0);
  });

  it("answers errors exactly as the interpreter does (graphql-jit's differ)", async () => {
    const interpreted = pluginYoga([]);
    const { yoga, compiled } = compiledYoga(0);
    const cases = [
      { query: '{ hello boom }' },
      { query: 'query ($n: Int) { words(first: $n) }', variables: { n: 'three' } },
      { query: 'query ($n: Int!) { words(first: $n) }', variables: {} },
    ];
    for (const body of cases) {
      const expected = await postTo(interpreted, body);
      const actual = await postTo(yoga, body);
      expect(actual.status, body.query).toBe(expected.status);
      expect(actual.json, body.query).toEqual(expected.json);
      expect(actual.json.errors?.length, body.query).toBeGreaterThan(0);
    }
    // The first one ran compiled, then again interpreted for its error.
    expect(compiled.length).toBeGreaterThan(0);
    expect((await postTo(yoga, { query: '{ hello boom }' })).json.errors?.[0]).toMatchObject({
      message: 'Unexpected error.',
      locations: [{ line: 1, column: 9 }],
      path: ['boom'],
    });
  });
});
