// Schema execution without HTTP: graphql-js `execute` of the invoices page in a loop, context built
// per iteration as the server builds it (grants loaded; the JWT check is left out). Deterministic
// enough to price levers of a few percent that HTTP-level runs on a shared 2-core machine cannot.
// Run as its own process per lever (some levers change how the schema is built):
//   tsx bench/src/exec-micro.ts --mode=base|stmt-cache|jit|scope-off --iterations=N
// Prints one JSON line: { mode, usPerExecution, runs }.
import { parseArgs } from 'node:util';
import { execute, parse, type ExecutionResult } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import { AccessView } from '@billing/schema/billing';
import { billingSchema, toGlobalId } from '@billing/schema/graphql';
import { createResources, loadConfig } from '@billing/server';
import { builder } from '../../packages/schema/src/graphql/builder.js';
import { INVOICES_PAGE } from './queries.js';
import { installStatementCache } from './servers/common.js';

const { values } = parseArgs({
  options: { mode: { type: 'string', default: 'base' }, iterations: { type: 'string', default: '400' } },
});
const mode = values.mode!;
const iterations = Number(values.iterations);
const resources = await createResources(loadConfig(process.env));
const userId = Number(process.env.BENCH_USER_ID ?? 1);
const account = Number(process.env.BENCH_ACCOUNT_ID ?? 1);

const schema =
  mode === 'scope-off'
    ? builder.toSchema({ disableScopeAuth: true } as Parameters<typeof builder.toSchema>[0])
    : billingSchema();
if (mode === 'stmt-cache') for (const c of resources.store.sqliteConnections) installStatementCache(c);

const document = parse(INVOICES_PAGE);
const variableValues = { account: toGlobalId('BillingAccount', account), first: 50 };
// `jit`: compiled once, as the gateway's compiled-queries plugin runs a query it has seen before.
const compilation = mode === 'jit' ? compileQuery(schema, document) : null;
if (compilation && !isCompiledQuery(compilation)) throw new Error(JSON.stringify(compilation.errors));
const compiled = compilation && isCompiledQuery(compilation) ? compilation : null;
let expected: string | null = null;
async function once(): Promise<void> {
  const contextValue = {
    services: resources.services,
    access: await AccessView.load(resources.services.store, { kind: 'user', userId }),
    requestId: 'bench',
  };
  const result: ExecutionResult = compiled
    ? await compiled.query(undefined, contextValue, variableValues)
    : await execute({ schema, document, contextValue, variableValues });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  if (expected === null) expected = JSON.stringify(result);
}
for (let i = 0; i < Math.max(50, iterations / 4); i++) await once();
const runs: number[] = [];
for (let run = 0; run < 5; run++) {
  const started = performance.now();
  for (let i = 0; i < iterations / 5; i++) await once();
  runs.push(((performance.now() - started) / (iterations / 5)) * 1000);
}
const sorted = [...runs].sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({ mode, nodeEnv: process.env.NODE_ENV ?? null, usPerExecution: sorted[2], runs, responseBytes: expected!.length })}\n`,
);
await resources.close();
