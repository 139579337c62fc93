// Where start-up goes: timestamps (ms since the process began) after each step of what
// `billing-gateway start` does. Prints one JSON line and exits.
import { performance } from 'node:perf_hooks';

const marks: Record<string, number> = { 'process start -> first line of this script (node + tsx)': performance.now() };
const mark = (name: string) => (marks[name] = performance.now());
await import('graphql');
mark('import graphql');
await import('@billing/schema/db');
mark('import schema db (drizzle, better-sqlite3)');
const { billingSchema } = await import('@billing/schema/graphql');
mark('import schema graphql (Pothos types)');
billingSchema();
mark('build the schema (builder.toSchema)');
const server = await import('@billing/server');
mark('import server (Yoga, plugins, pino, prom-client, GraphiQL renderer)');
const gateway = await server.startGateway(server.loadConfig(process.env));
mark('startGateway: open + migrate + reconcile + listen');
process.stdout.write(`${JSON.stringify(marks)}\n`);
await gateway.close();
process.exit(0);
