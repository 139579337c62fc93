// The figures behind docs/scaling.md: the gateway on SQLite (one process) and on PostgreSQL (one and
// two processes on one database), same data, same machine, measured in one run:
//   - SQL statements, writes and PostgreSQL round trips per invoices page and per payInvoice
//     (in-process gateway, counted by the onQuery hook and at the pg client);
//   - requests/s for the invoices page and payInvoice (the real CLI in child processes, autocannon).
// Run: `pnpm --filter @billing/bench scale-out [--duration=S]` (PostgreSQL at TEST_POSTGRES_URL).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type autocannon from 'autocannon';
import pg from 'pg';
import type { BillingServices } from '@billing/schema/billing';
import { createTestPostgresDatabase, openStore, seedDemoData, seedLargeInvoices } from '@billing/schema/db';
import { toGlobalId } from '@billing/schema/graphql';
import { createAuthenticator, loadConfig, startGateway } from '@billing/server';
import { runLoad, type LoadResult } from './load.js';
import { REPO_DIR } from './options.js';
import { freePort, GATEWAY_CLI, listeningLine, SERVERS_DIR, startServer, type ServerChild } from './procs.js';
import { gqlBody, INVOICES_PAGE, looksLike, PAY_INVOICE } from './queries.js';
import { SCALE_OUT_JSON_PREFIX, type Counted, type Measured, type ScaleOutFigures } from './scale-out-figures.js';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const DURATION_S = Number(arg('duration') ?? 5);
const CONNECTIONS = 10;
const PAGE_SIZE = 20;
const INVOICES = 24_000; // a tenth of them open: the payInvoice pool, shared by the PostgreSQL runs
/** payInvoice runs are shorter: each request consumes an open invoice. */
const PAY_DURATION_S = Math.min(DURATION_S, 2);
const TODAY = '2026-11-29';
const ADA = 1;
const MARKETING_CARD = 5;
const jwtSecret = 'scale-out-bench-secret-long-enough-for-hs256';
const webhookKey = 'b3'.repeat(32);
const dir = mkdtempSync(join(tmpdir(), 'billing-scale-'));
// The instances run the gateway as `pnpm start` does: compiled.
execFileSync(process.execPath, [join(REPO_DIR, 'scripts/build-server.mjs')], { stdio: 'inherit' });

interface Target {
  name: string;
  env: Record<string, string>;
  cleanup: () => Promise<void>;
  open: number[];
}

async function prepare(name: string, url: string, env: Record<string, string>, cleanup = async () => {}) {
  const store = openStore({ url });
  await store.migrate();
  await seedDemoData(store, { today: TODAY });
  await seedLargeInvoices(store, {
    billingAccountId: 1,
    billingProfileId: 2,
    currency: 'USD',
    invoices: INVOICES,
    today: TODAY,
  });
  const open = (
    await store.rawQuery<{ id: number }>(
      "SELECT id FROM invoices WHERE billing_profile_id = 2 AND lifecycle = 'OPEN' ORDER BY id",
    )
  ).map((r) => r.id);
  await store.close();
  return { name, env, cleanup, open } satisfies Target;
}

const baseEnv = (ledger: string): Record<string, string> => ({
  NODE_ENV: 'production',
  BILLING_MODE: 'production',
  HOST: '127.0.0.1',
  SANDBOX_LEDGER_PATH: join(dir, ledger),
  SANDBOX_LATENCY_MS: '0',
  SEED_DEMO_DATA: 'false',
  JWT_SECRET: jwtSecret,
  WEBHOOK_ENCRYPTION_KEY: webhookKey,
  BILLING_DATA_DIR: dir,
  RECONCILE_INTERVAL_MS: '3600000',
  RATE_LIMIT_PER_MINUTE: '1000000000',
  ANONYMOUS_RATE_LIMIT_PER_MINUTE: '1000000000',
  // One principal sends all the load: the card-testing limits would measure themselves.
  PAY_INVOICE_PER_MINUTE: '0',
  ADD_PAYMENT_METHOD_PER_MINUTE: '0',
  LOG_LEVEL: 'warn',
});

const sqlitePath = join(dir, 'billing.db');
const postgres = await createTestPostgresDatabase();
const targets = [
  await prepare('SQLite', sqlitePath, { ...baseEnv('ledger-sqlite.db'), DATABASE_PATH: sqlitePath }),
  await prepare('PostgreSQL', postgres.url, { ...baseEnv('ledger-pg.db'), DATABASE_URL: postgres.url }, () =>
    postgres.drop(),
  ),
];
const minter = createAuthenticator(loadConfig({ ...targets[0]!.env, PORT: '0' }), {} as BillingServices);
const auth = { authorization: `Bearer ${await minter.mintUserToken(ADA)}`, 'content-type': 'application/json' };
const pageBody = gqlBody(INVOICES_PAGE, { account: toGlobalId('BillingAccount', 1), first: PAGE_SIZE });
const payBody = (invoice: number, key: string) =>
  gqlBody(PAY_INVOICE, {
    input: {
      invoiceId: toGlobalId('Invoice', invoice),
      paymentMethodId: toGlobalId('PaymentMethod', MARKETING_CARD),
      idempotencyKey: key,
    },
  });

// --- Statements per request (in-process) ------------------------------------------------------------
// pg round trips: every Client.query call is one (drizzle's BEGIN/COMMIT included).
let roundTrips = 0;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  roundTrips += 1;
  return (query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof query;

const counted: Counted[] = [];
for (const target of targets) {
  const log: string[] = [];
  const gateway = await startGateway(loadConfig({ ...target.env, PORT: '0' }), { onQuery: (sql) => log.push(sql) });
  const post = async (request: string, body: string) => {
    log.length = 0;
    roundTrips = 0;
    const response = await fetch(gateway.graphqlUrl, { method: 'POST', headers: auth, body });
    const text = await response.text();
    if (response.status !== 200 || text.includes('"errors"')) throw new Error(`${request}: ${text.slice(0, 300)}`);
    counted.push({
      dialect: target.name,
      request,
      statements: log.length,
      writes: log.filter((s) => /^\s*(insert|update|delete)\b/i.test(s)).length,
      roundTrips: target.name === 'PostgreSQL' ? roundTrips : null,
    });
  };
  await post(`invoices page (${PAGE_SIZE})`, pageBody);
  await post('payInvoice', payBody(target.open.shift()!, `count-${target.name}`));
  await gateway.close();
}

// --- Throughput (real CLI processes) ----------------------------------------------------------------
async function startInstance(target: Target, name: string, attempt = 1): Promise<ServerChild & { url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/graphql`;
  // The free port is found before the gateway binds it: on a busy machine another process can take it first.
  const child = await startServer({
    name,
    args: [GATEWAY_CLI, 'start'],
    env: { ...target.env, PORT: String(port) },
    ready: async () => {
      try {
        const r = await fetch(url, { method: 'POST', headers: auth, body: pageBody });
        return r.status === 200 ? url : null;
      } catch {
        return null;
      }
    },
  }).catch((error: unknown) => {
    if (attempt < 3 && String(error).includes('EADDRINUSE')) return null;
    throw error;
  });
  if (!child) return startInstance(target, name, attempt + 1);
  return Object.assign(child, { url });
}

const measured: Measured[] = [];
/** Requests per second of the raw baseline on the invoices page (no raw payInvoice exists). */
let rawPage = Number.NaN;
async function measure(setup: string, target: Target, urls: string[]) {
  const loads = (request: 'page' | 'pay') =>
    urls.map((url, i) => {
      let n = 0;
      return runLoad({
        title: `${setup} ${request} #${i}`,
        url,
        method: 'POST',
        headers: auth,
        body: pageBody,
        connections: Math.max(1, Math.round(CONNECTIONS / urls.length)),
        durationS: request === 'page' ? DURATION_S : PAY_DURATION_S,
        warmupS: request === 'page' ? 1 : 0,
        verify: request === 'page' ? looksLike.page(PAGE_SIZE) : looksLike.paid,
        ...(request === 'pay'
          ? {
              setupRequest: (r: autocannon.Request) => ({
                ...r,
                body: payBody(target.open.shift() ?? -1, `${setup}-${i}-${++n}`),
              }),
            }
          : {}),
      });
    });
  for (const request of ['page', 'pay'] as const) {
    const results: LoadResult[] = await Promise.all(loads(request));
    measured.push({
      setup,
      request: request === 'page' ? `invoices page (${PAGE_SIZE})` : 'payInvoice',
      rps: results.reduce((n, r) => n + r.rps, 0),
      p99: Math.max(...results.map((r) => r.latencyMs.p99)),
      errors: results.reduce((n, r) => n + r.errors + r.non2xx + r.mismatches, 0),
      otherCpu: Math.max(...results.map((r) => r.otherCpuCores)),
    });
  }
}

try {
  const [sqlite, postgresql] = targets as [Target, Target];
  for (const [setup, target, count] of [
    ['SQLite x1', sqlite, 1],
    ['PostgreSQL x1', postgresql, 1],
    ['PostgreSQL x2', postgresql, 2],
  ] as const) {
    const instances = await Promise.all(
      Array.from({ length: count }, (_, i) => startInstance(target, `${setup}#${i}`)),
    );
    try {
      await measure(
        setup,
        target,
        instances.map((i) => i.url),
      );
    } finally {
      await Promise.all(instances.map((i) => i.stop()));
    }
  }
  // The raw baseline: the same page from a hand-written endpoint on the SQLite file (bench/src/servers/baseline.ts).
  const port = await freePort();
  const baseline = await startServer({
    name: 'raw baseline',
    args: [join(SERVERS_DIR, 'baseline.ts')],
    env: { JWT_SECRET: jwtSecret, DATABASE_PATH: sqlitePath, PORT: String(port) },
    ready: listeningLine,
  });
  try {
    const raw = await runLoad({
      title: 'raw baseline page',
      url: `${baseline.url}/accounts/${encodeURIComponent(toGlobalId('BillingAccount', 1))}/invoices?first=${PAGE_SIZE}`,
      headers: auth,
      connections: CONNECTIONS,
      durationS: DURATION_S,
      warmupS: 1,
      verify: looksLike.page(PAGE_SIZE),
    });
    rawPage = raw.rps;
  } finally {
    await baseline.stop();
  }
} finally {
  for (const target of targets) await target.cleanup();
  rmSync(dir, { recursive: true, force: true });
}

const base = (request: string) => measured.find((m) => m.setup === 'SQLite x1' && m.request === request)!.rps;
process.stdout.write(`\nSQL per request (in-process gateway)\n`);
for (const c of counted)
  process.stdout.write(
    `  ${c.dialect.padEnd(11)} ${c.request.padEnd(20)} ${c.statements} statements, ${c.writes} writes${c.roundTrips === null ? '' : `, ${c.roundTrips} round trips`}\n`,
  );
process.stdout.write(
  `\nThroughput (${DURATION_S} s, ${CONNECTIONS} connections in total, this machine's cores shared)\n`,
);
for (const m of measured)
  process.stdout.write(
    `  ${m.setup.padEnd(14)} ${m.request.padEnd(20)} ${m.rps.toFixed(0).padStart(6)} req/s  (${(m.rps / base(m.request)).toFixed(2)}x SQLite x1${m.request.startsWith('invoices') ? `, ${(m.rps / rawPage).toFixed(2)}x raw` : ''})  p99 ${m.p99.toFixed(1)} ms  errors ${m.errors}  other CPU ${m.otherCpu.toFixed(2)} cores\n`,
  );
process.stdout.write(
  `  raw baseline   invoices page (${PAGE_SIZE})  ${rawPage.toFixed(0).padStart(6)} req/s  (hand-written endpoint on the SQLite file; payInvoice has no raw counterpart)\n`,
);
// For `pnpm bench`'s targets table (run.ts reads this line and does not print it).
process.stdout.write(
  `${SCALE_OUT_JSON_PREFIX}${JSON.stringify({ counted, measured, rawPage } satisfies ScaleOutFigures)}\n`,
);
if (measured.some((m) => m.errors > 0)) process.exitCode = 1;
