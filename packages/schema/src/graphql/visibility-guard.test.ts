// The visibility guard on a schema of its own: a foreign row is refused wherever a field returns it,
// directly, through a loader, or as one item of a list, with graphql-js and with graphql-jit alike.
import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import { execute, parse, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import { describe, expect, it } from 'vitest';
import { AccessView } from '../billing/access.js';
import type { GraphQLContext } from './context.js';
import { guardVisibility } from './visibility-guard.js';

interface InvoiceRow {
  id: number;
  billingAccountId: number;
  billingProfileId: number;
}
const OURS: InvoiceRow = { id: 1, billingAccountId: 10, billingProfileId: 100 };
const THEIRS: InvoiceRow = { id: 2, billingAccountId: 20, billingProfileId: 200 };
const rows = new Map([OURS, THEIRS].map((r) => [r.id, r]));

function testSchema(): GraphQLSchema {
  // Fields nullable (Pothos' default), so that a refused field reads as null beside its error.
  // (Cast: the gateway's other plugins declare options every builder's type then asks for.)
  const builder = new SchemaBuilder<{ Context: GraphQLContext }>({
    plugins: [DataloaderPlugin],
  } as ConstructorParameters<typeof SchemaBuilder<{ Context: GraphQLContext }>>[0]);
  // Named as the gateway's type, so that it is guarded by the Invoice rule.
  const Invoice = builder.loadableObject('Invoice', {
    load: async (ids: number[]) => ids.map((id) => rows.get(id) ?? new Error(`no invoice ${id}`)),
    fields: (t) => ({ id: t.exposeID('id') }),
  });
  builder.queryType({
    fields: (t) => ({
      direct: t.field({
        type: Invoice,
        args: { id: t.arg.int({ required: true }) },
        resolve: (_, a) => rows.get(a.id)!,
      }),
      promised: t.field({
        type: Invoice,
        args: { id: t.arg.int({ required: true }) },
        resolve: async (_, a) => rows.get(a.id)!,
      }),
      loaded: t.field({ type: Invoice, args: { id: t.arg.int({ required: true }) }, resolve: (_, a) => a.id }),
      // Nullable items, so that where each error lands shows (the gateway's lists have non-null items,
      // so one refused item makes the whole list an error).
      list: t.field({ type: [Invoice], nullable: { list: true, items: true }, resolve: () => [OURS, THEIRS] }),
      loadedList: t.field({
        type: [Invoice],
        nullable: { list: true, items: true },
        resolve: () => [OURS.id, THEIRS.id],
      }),
    }),
  });
  return guardVisibility(builder.toSchema());
}

// A reader of account 10 only.
const context = (): GraphQLContext =>
  ({
    access: new AccessView({ kind: 'user', userId: 1 }, [
      { billingAccountId: 10, billingProfileId: null, role: 'READER', actions: new Set(['READ_BILLING']) },
    ]),
  }) as unknown as GraphQLContext;

const schema = testSchema();
const executors = {
  'graphql-js': (query: string) => execute({ schema, document: parse(query), contextValue: context() }),
  'graphql-jit': (query: string) => {
    const compiled = compileQuery(schema, parse(query));
    if (!isCompiledQuery(compiled)) throw new Error(JSON.stringify(compiled));
    return compiled.query(undefined, context(), {});
  },
};

const run = async (executor: (query: string) => unknown, query: string) =>
  JSON.parse(JSON.stringify(await executor(query))) as ExecutionResult;
const REFUSED = 'You do not have permission to do this.';
const errors = (result: ExecutionResult) => result.errors?.map((e) => [e.path?.join('.'), e.message]);

describe.each(Object.entries(executors))('row visibility under %s', (_name, executor) => {
  for (const field of ['direct', 'promised', 'loaded']) {
    it(`${field}: the viewer's own row is returned, a foreign one is refused`, async () => {
      const result = await run(executor, `{ mine: ${field}(id: 1) { id } theirs: ${field}(id: 2) { id } }`);
      expect(result.data).toEqual({ mine: { id: '1' }, theirs: null });
      expect(errors(result)).toEqual([['theirs', REFUSED]]);
    });
  }

  it('a list hands back the visible items; the foreign one is an error in its own place', async () => {
    for (const field of ['list', 'loadedList']) {
      const result = await run(executor, `{ ${field} { id } }`);
      expect(result.data).toEqual({ [field]: [{ id: '1' }, null] });
      expect(errors(result)).toEqual([[`${field}.1`, REFUSED]]);
    }
  });
});
