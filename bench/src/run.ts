// `pnpm bench [--quick]`: builds (or reuses) the data, starts each server in its own process, drives
// load with autocannon from this process, prints tables and writes bench/results/latest.json.
// See bench/README.md for how to read the output.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type autocannon from 'autocannon';
import type { BillingServices } from '@billing/schema/billing';
import { toGlobalId } from '@billing/schema/graphql';
import { createAuthenticator, loadConfig } from '@billing/server';
import { prepareData, type BenchData } from './data.js';
import { problemsOf, runLoad, type LoadResult, type LoadSpec } from './load.js';
import { postgresUnavailableReason } from '@billing/schema/db';
import { BENCH_DIR, parseOptions, REPO_DIR } from './options.js';
import { freePort, GATEWAY_CLI, listeningLine, SERVERS_DIR, startServer, TSX, type ServerChild } from './procs.js';
import { peerTargets, runPeers, type PeersResult } from './peers.js';
import { summarizeProfile, type ProfileSummary } from './profile.js';
import {
  gqlBody,
  INVOICE_DETAIL,
  INVOICES_PAGE,
  INVOICES_PAGE_NO_COUNT,
  looksLike,
  PAY_INVOICE,
  VIEWER,
} from './queries.js';
import { fmt, table } from './report.js';
import { splitScaleOutOutput, type ScaleOutFigures } from './scale-out-figures.js';
import { countSqlPerRequest, type SqlCount } from './sql-count.js';

const options = parseOptions(process.argv.slice(2));
const runStarted = performance.now();
const log = (line: string) => process.stdout.write(`${line}\n`);
const elapsed = () => `${((performance.now() - runStarted) / 1000).toFixed(0)} s`;
const problems: string[] = [];
/** Runs during which other processes on this machine used a noticeable share of the CPU. */
const noisy: string[] = [];
const NOISE_CORES = 0.15;
const PAGE_SIZE = 50;

log(
  `billing gateway benchmark (${options.quick ? 'quick' : 'full'} run): Node ${process.version}, ${availableParallelism()} cores`,
);

// --- data and credentials ----------------------------------------------------------------------------
const data: BenchData = await prepareData(options, log);
const fx = data.fixtures;
log(
  `data: ${data.rows.invoices.toLocaleString('en-US')} invoices, ${data.rows.lineItems.toLocaleString('en-US')} line items, ` +
    `${data.rows.payments.toLocaleString('en-US')} payments, ${fmt.mb(data.fileMB)} (${data.generated ? `generated in ${data.generateSeconds!.toFixed(1)} s` : 'cached'})`,
);

const jwtSecret = randomBytes(32).toString('hex');
const webhookKey = randomBytes(32).toString('hex');
/** The gateway's environment for every run: production mode, the working copy, rate limits out of the way. */
const gatewayEnv: Record<string, string> = {
  NODE_ENV: 'production',
  BILLING_MODE: 'production',
  HOST: '127.0.0.1',
  DATABASE_PATH: data.path,
  SANDBOX_LEDGER_PATH: data.ledgerPath,
  SANDBOX_LATENCY_MS: '0',
  SEED_DEMO_DATA: 'false',
  JWT_SECRET: jwtSecret,
  WEBHOOK_ENCRYPTION_KEY: webhookKey,
  BILLING_DATA_DIR: data.runDir,
  RECONCILE_INTERVAL_MS: '3600000',
  // One principal sends all the load: a per-principal rate limit would measure the limiter.
  RATE_LIMIT_PER_MINUTE: '1000000000',
  ANONYMOUS_RATE_LIMIT_PER_MINUTE: '1000000000',
  PAY_INVOICE_PER_MINUTE: '0',
  ADD_PAYMENT_METHOD_PER_MINUTE: '0',
};
// Tokens are minted exactly as the gateway's own authenticator mints them (HS256, same secret).
// Minting needs no services; authenticating (which the servers do) does.
const minter = createAuthenticator(loadConfig({ ...gatewayEnv, PORT: '0' }), {} as BillingServices);
const adaAuth = { authorization: `Bearer ${await minter.mintUserToken(fx.ada)}` };
const scaleAuth = { authorization: `Bearer ${await minter.mintUserToken(fx.scaleOwner)}` };
const ids = {
  contoso: toGlobalId('BillingAccount', fx.contosoAccountId),
  scale: toGlobalId('BillingAccount', fx.scaleAccountId),
  detail: toGlobalId('Invoice', fx.detailInvoiceId),
  payCard: toGlobalId('PaymentMethod', fx.payCardId),
};
const json = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };

/** Open invoices to pay, handed out once each across the whole run. */
const payables = [...fx.payableInvoiceIds];
const takePayables = (n: number) => payables.splice(0, Math.min(n, payables.length));

// --- helpers -----------------------------------------------------------------------------------------
async function postGraphQL(
  url: string,
  headers: Record<string, string>,
  query: string,
  variables: Record<string, unknown>,
) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { ...json, ...headers },
    body: gqlBody(query, variables),
  });
  const text = await response.text();
  return {
    status: response.status,
    text,
    body: (() => {
      try {
        return JSON.parse(text) as { data?: unknown; errors?: unknown };
      } catch {
        return null;
      }
    })(),
  };
}

async function startGatewayCli(
  name: string,
  extra: { env?: Record<string, string>; nodeArgs?: string[] } = {},
): Promise<ServerChild> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/graphql`;
  // Ready = the first successful invoices page (spawn to first successful request).
  return startServer({
    name,
    args: [GATEWAY_CLI, 'start'],
    env: { ...gatewayEnv, PORT: String(port), ...extra.env },
    ...(extra.nodeArgs ? { nodeArgs: extra.nodeArgs } : {}),
    pollMs: 10,
    ready: async () => {
      try {
        const r = await postGraphQL(url, adaAuth, INVOICES_PAGE, { account: ids.contoso, first: PAGE_SIZE });
        return r.status === 200 && looksLike.page(PAGE_SIZE)(r.text) ? url : null;
      } catch {
        return null; // not listening yet
      }
    },
  });
}

async function startBenchServer(
  name: string,
  script: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<ServerChild> {
  const port = await freePort();
  return startServer({
    name,
    args: [join(SERVERS_DIR, script), ...args],
    env: { ...gatewayEnv, PORT: String(port), ...env },
    ready: listeningLine,
  });
}

const graphqlLoad = (
  url: string,
  headers: Record<string, string>,
  query: string,
  variables: Record<string, unknown>,
) => ({
  url,
  method: 'POST' as const,
  headers: { ...json, ...headers },
  body: gqlBody(query, variables),
});

function load(
  spec: Omit<LoadSpec, 'connections' | 'durationS' | 'warmupS'> &
    Partial<Pick<LoadSpec, 'connections' | 'durationS' | 'warmupS'>>,
): Promise<LoadResult> {
  return runLoad({
    connections: options.connections,
    durationS: options.durationS,
    warmupS: options.warmupS,
    ...spec,
  }).then((result) => {
    const problem = problemsOf(result);
    if (problem) {
      problems.push(problem);
      log(`  PROBLEM ${problem}`);
    }
    const noise =
      result.otherCpuCores > NOISE_CORES
        ? `  (noise: other processes used ${result.otherCpuCores.toFixed(2)} cores)`
        : '';
    if (noise) noisy.push(`${result.title}: ${result.otherCpuCores.toFixed(2)} cores`);
    log(
      `  ${result.title.padEnd(58)} ${fmt.int(result.rps).padStart(6)} req/s  p50 ${fmt.ms(result.latencyMs.p50)} ms  p99 ${fmt.ms(result.latencyMs.p99)} ms${noise}`,
    );
    return result;
  });
}

function payInvoiceRequests(
  pool: number[],
  keyPrefix: string,
): Pick<LoadSpec, 'setupRequest'> & { used: () => number } {
  let next = 0;
  return {
    used: () => next,
    setupRequest: (request: autocannon.Request) => {
      // Each request: a new invoice and a new idempotency key. If the pool runs dry the same invoice is
      // sent again, answered InvoiceNotPayableError, and counted as a mismatch (a visible problem).
      const invoiceId = pool[Math.min(next, pool.length - 1)]!;
      next += 1;
      return {
        ...request,
        body: gqlBody(PAY_INVOICE, {
          input: {
            invoiceId: toGlobalId('Invoice', invoiceId),
            paymentMethodId: ids.payCard,
            idempotencyKey: `${keyPrefix}-${next}-${invoiceId}`,
          },
        }),
      };
    },
  };
}

function firstDifference(a: unknown, b: unknown, path = '$'): string | null {
  if (isDeepStrictEqual(a, b)) return null;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null)
    return `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const d = firstDifference(
      (a as Record<string, unknown>)[key],
      (b as Record<string, unknown>)[key],
      `${path}.${key}`,
    );
    if (d) return d;
  }
  return `${path}: differs`;
}

function mustEqual(what: string, expected: unknown, actual: unknown): void {
  const difference = firstDifference(expected, actual);
  if (difference) throw new Error(`${what}: responses differ at ${difference}`);
  log(`  verified: ${what}`);
}

const results: Record<string, unknown> = {};

// --- 1. SQL statements per request (in-process, counted by the gateway's onQuery hook) ------------------
log(`\n[${elapsed()}] SQL statements per request (in-process gateway, onQuery)`);
const { counts: sqlCounts, deepCursor } = await countSqlPerRequest(gatewayEnv, fx, takePayables(2));
const decodedCursor = Buffer.from(deepCursor, 'base64').toString('utf8');
for (const c of sqlCounts)
  log(`  ${c.scenario}: ${c.bySize.map((b) => `${b.size ?? '-'} -> ${b.total} (${b.auth} auth)`).join(', ')}`);
log(
  `  deep cursor (101st from the end, via invoices(last: 100) then invoices(last: 1, before: ...)): ${deepCursor} = ${decodedCursor}`,
);

// --- 2. The gateway (the real CLI in a child process) ---------------------------------------------------
// Compiled exactly as `pnpm start` compiles it.
execFileSync(process.execPath, [join(REPO_DIR, 'scripts/build-server.mjs')], { stdio: 'inherit' });
log(`\n[${elapsed()}] gateway: node packages/server/dist/cli.js start (compiled, production mode)`);
const startupSamples: number[] = [];
const startupCpuSamples: number[] = [];
const gateway = await startGatewayCli('gateway');
startupSamples.push(gateway.readyMs);
startupCpuSamples.push(gateway.readyCpuMs);
const restingMB = gateway.memory().serverMB;
log(`  start-up (spawn -> first invoices page): ${fmt.ms(gateway.readyMs)} ms; RSS at rest ${fmt.mb(restingMB)}`);

// The expected JSON, once: gateway vs raw baseline, before measuring either.
const gatewayPage = await postGraphQL(gateway.url, adaAuth, INVOICES_PAGE, { account: ids.contoso, first: PAGE_SIZE });
const gatewayDetail = await postGraphQL(gateway.url, adaAuth, INVOICE_DETAIL, { id: ids.detail });
{
  const baseline = await startBenchServer('baseline', 'baseline.ts');
  const page = await fetch(`${baseline.url}/accounts/${encodeURIComponent(ids.contoso)}/invoices?first=${PAGE_SIZE}`, {
    headers: adaAuth,
  });
  const detail = await fetch(`${baseline.url}/invoices/${encodeURIComponent(ids.detail)}`, { headers: adaAuth });
  mustEqual(
    `(a) invoices page: gateway JSON == raw baseline JSON (${PAGE_SIZE} invoices)`,
    gatewayPage.body,
    await page.json(),
  );
  mustEqual('(b) invoice detail: gateway JSON == raw baseline JSON', gatewayDetail.body, await detail.json());
  await baseline.stop();
}

const gatewayMemory: { scenario: string; peakMB: number; meanMB: number }[] = [];
const rssOf = (server: ServerChild) => () => server.memory().serverMB;
async function gatewayLoad(
  scenario: string,
  spec: Omit<LoadSpec, 'connections' | 'durationS' | 'warmupS' | 'sample'> & Partial<LoadSpec>,
) {
  const result = await load({ ...spec, sample: rssOf(gateway) });
  gatewayMemory.push({ scenario, peakMB: result.sampled!.peak, meanMB: result.sampled!.mean });
  return result;
}

const gw = {
  page: await gatewayLoad('(a) invoices page', {
    title: `gateway (a) invoices page, ${PAGE_SIZE}`,
    ...graphqlLoad(gateway.url, adaAuth, INVOICES_PAGE, { account: ids.contoso, first: PAGE_SIZE }),
    verify: looksLike.page(PAGE_SIZE),
  }),
  detail: await gatewayLoad('(b) invoice detail', {
    title: 'gateway (b) invoice detail',
    ...graphqlLoad(gateway.url, adaAuth, INVOICE_DETAIL, { id: ids.detail }),
    verify: looksLike.detail,
  }),
  viewer: await gatewayLoad('(c) viewer', {
    title: 'gateway (c) viewer',
    ...graphqlLoad(gateway.url, adaAuth, VIEWER, {}),
    verify: looksLike.viewer,
  }),
  pay: await (async () => {
    const pool = takePayables(Math.ceil(payables.length * (options.levers ? 0.6 : 1)));
    const requests = payInvoiceRequests(pool, 'bench-gw');
    const result = await gatewayLoad('(d) payInvoice', {
      title: 'gateway (d) payInvoice (sandbox, 0 ms)',
      ...graphqlLoad(gateway.url, adaAuth, PAY_INVOICE, {}),
      ...requests,
      verify: looksLike.paid,
    });
    if (requests.used() > pool.length)
      problems.push(`payInvoice pool too small: ${requests.used()} requests for ${pool.length} invoices`);
    return result;
  })(),
};

// Warm path: the same gateway with the response cache on (every request after the first a hit; the
// cache is never stale, see packages/server/test/response-cache.test.ts), checked to answer the same JSON.
const warm = await (async () => {
  const cached = await startGatewayCli('gateway, response cache on', { env: { RESPONSE_CACHE_TTL_MS: '600000' } });
  try {
    mustEqual(
      '(a) invoices page: cached gateway JSON == gateway JSON',
      gatewayPage.body,
      (await postGraphQL(cached.url, adaAuth, INVOICES_PAGE, { account: ids.contoso, first: PAGE_SIZE })).body,
    );
    return {
      page: await load({
        title: `gateway, response cache on (a) invoices page, ${PAGE_SIZE}`,
        ...graphqlLoad(cached.url, adaAuth, INVOICES_PAGE, { account: ids.contoso, first: PAGE_SIZE }),
        verify: looksLike.page(PAGE_SIZE),
        sample: rssOf(cached),
      }),
      detail: await load({
        title: 'gateway, response cache on (b) invoice detail',
        ...graphqlLoad(cached.url, adaAuth, INVOICE_DETAIL, { id: ids.detail }),
        verify: looksLike.detail,
        sample: rssOf(cached),
      }),
    };
  } finally {
    await cached.stop();
  }
})();

// Scale: the 1M-invoice tenant, first page vs a page deep in the list by cursor, one connection.
log(`  scale tenant: ${fx.scaleInvoices.toLocaleString('en-US')} invoices`);
const scaleSpec = (title: string, query: string, after: string | null) => ({
  title,
  ...graphqlLoad(gateway.url, scaleAuth, query, { account: ids.scale, first: PAGE_SIZE, ...(after ? { after } : {}) }),
  verify: looksLike.page(PAGE_SIZE),
});
// The four one-connection runs alternate, in rounds, and each keeps its median round (by p50): on a
// shared machine a burst of other work then lands on one round of each, not on one run's whole 10 s.
const SCALE_ROUNDS = options.quick ? 1 : 3;
const scaleRuns = {
  first: ['scale: first page', 'first page (with totalCount)', INVOICES_PAGE, null],
  deep: ['scale: deep page', 'deep page by cursor (with totalCount)', INVOICES_PAGE, deepCursor],
  firstNoCount: ['scale: first page, no count', 'first page (no totalCount)', INVOICES_PAGE_NO_COUNT, null],
  deepNoCount: [
    'scale: deep page, no count',
    'deep page by cursor (no totalCount)',
    INVOICES_PAGE_NO_COUNT,
    deepCursor,
  ],
} as const;
const scaleRounds = Object.fromEntries(Object.keys(scaleRuns).map((k) => [k, [] as LoadResult[]])) as Record<
  keyof typeof scaleRuns,
  LoadResult[]
>;
for (let round = 1; round <= SCALE_ROUNDS; round++) {
  for (const [key, [scenario, title, query, after]] of Object.entries(scaleRuns) as [
    keyof typeof scaleRuns,
    (typeof scaleRuns)[keyof typeof scaleRuns],
  ][]) {
    scaleRounds[key].push(
      await gatewayLoad(`${scenario} (round ${round})`, {
        ...scaleSpec(`scale: ${title}, c=1, round ${round}/${SCALE_ROUNDS}`, query, after),
        connections: 1,
        durationS: Math.max(1, options.durationS / SCALE_ROUNDS),
      }),
    );
  }
}
const medianRound = (rounds: LoadResult[]) =>
  [...rounds].sort((a, b) => a.latencyMs.p50 - b.latencyMs.p50)[Math.floor(rounds.length / 2)]!;
const scale = {
  first: medianRound(scaleRounds.first),
  deep: medianRound(scaleRounds.deep),
  firstNoCount: medianRound(scaleRounds.firstNoCount),
  deepNoCount: medianRound(scaleRounds.deepNoCount),
  firstLoaded: await gatewayLoad(
    'scale: first page, 10 connections',
    scaleSpec(`scale: first page (with totalCount), c=${options.connections}`, INVOICES_PAGE, null),
  ),
};
const hwm = gateway.memory();
await gateway.stop();

// More start-up samples on the same database.
for (let i = 1; i < options.startupRuns; i++) {
  const again = await startGatewayCli(`gateway start-up #${i + 1}`);
  startupSamples.push(again.readyMs);
  startupCpuSamples.push(again.readyCpuMs);
  await again.stop();
}
const floorServer = await (async () => {
  const port = await freePort();
  return startServer({
    name: 'hello',
    args: [join(SERVERS_DIR, 'hello.ts')],
    env: { PORT: String(port) },
    pollMs: 10,
    ready: async () => {
      try {
        return (await fetch(`http://127.0.0.1:${port}/`)).ok ? `http://127.0.0.1:${port}/` : null;
      } catch {
        return null;
      }
    },
  });
})();
const startupFloorMs = floorServer.readyMs;
await floorServer.stop();
// Where start-up goes, step by step, in a probe that does what `start` does.
const startupSteps = (() => {
  const out = execFileSync(TSX, [join(SERVERS_DIR, 'startup-probe.ts')], {
    cwd: REPO_DIR,
    env: { ...process.env, ...gatewayEnv, PORT: '0', LOG_LEVEL: 'warn' },
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>;
})();
const sortedStartups = [...startupSamples].sort((a, b) => a - b);
const startupMedian = sortedStartups[Math.floor(sortedStartups.length / 2)]!;
const startupCpuMedian = [...startupCpuSamples].sort((a, b) => a - b)[Math.floor(startupCpuSamples.length / 2)]!;
log(
  `  start-up samples: ${startupSamples.map((s) => `${fmt.ms(s)} ms`).join(', ')}; floor (tsx + node + http, nothing else): ${fmt.ms(startupFloorMs)} ms`,
);

// --- 3. Raw baseline ---------------------------------------------------------------------------------
log(`\n[${elapsed()}] raw baseline: node:http + better-sqlite3, hand-written prepared SQL`);
const baseline = await startBenchServer('baseline', 'baseline.ts');
const base = {
  page: await load({
    title: `raw baseline (a) invoices page, ${PAGE_SIZE}`,
    url: `${baseline.url}/accounts/${encodeURIComponent(ids.contoso)}/invoices?first=${PAGE_SIZE}`,
    headers: adaAuth,
    verify: (body) => body.startsWith('{"data":{"billingAccount":{"invoices":'),
  }),
  detail: await load({
    title: 'raw baseline (b) invoice detail',
    url: `${baseline.url}/invoices/${encodeURIComponent(ids.detail)}`,
    headers: adaAuth,
    verify: (body) => body.startsWith('{"data":{"invoice":{'),
  }),
};
const baselineMemory = baseline.memory();
await baseline.stop();

// --- 4. Peers -------------------------------------------------------------------------------------------
log(`\n[${elapsed()}] peer: the same schema on plain graphql-js execute behind node:http`);
const peerServer = await startBenchServer('graphql-js', 'graphql-js.ts');
mustEqual(
  '(a) invoices page: graphql-js peer JSON == gateway JSON',
  gatewayPage.body,
  (await postGraphQL(peerServer.url, adaAuth, INVOICES_PAGE, { account: ids.contoso, first: PAGE_SIZE })).body,
);
const peer = {
  page: await load({
    title: `graphql-js peer (a) invoices page, ${PAGE_SIZE}`,
    ...graphqlLoad(peerServer.url, adaAuth, INVOICES_PAGE, { account: ids.contoso, first: PAGE_SIZE }),
    verify: looksLike.page(PAGE_SIZE),
  }),
};
await peerServer.stop();

// --- 4b. The peers table (--peers): PostGraphile, Mercurius + graphql-jit and this gateway, each
// alternated with the raw baseline (src/peers.ts).
let peersResult: PeersResult | null = null;
if (options.peers) {
  log(
    `\n[${elapsed()}] peers: ${options.peersCheckOnly ? 'install, start and check each (--peers-check)' : 'each system alternated with the raw baseline (--peers)'}`,
  );
  peersResult = await runPeers({
    log,
    checkOnly: options.peersCheckOnly,
    load,
    problems,
    data,
    serverEnv: gatewayEnv,
    auth: adaAuth,
    json,
    accountGlobalId: ids.contoso,
    pageSize: PAGE_SIZE,
    startGateway: (name, env) => startGatewayCli(name, { env }),
    startBenchServer: (name, script) => startBenchServer(name, script),
    postGraphQL,
    mustEqual,
  });
  log(`  peers stage took ${peersResult.seconds.toFixed(0)} s`);
}
const POSTGRAPHILE_ROW = peersResult
  ? 'see the peers table'
  : 'run with --peers (PostGraphile 5, Mercurius + graphql-jit)';

// --- 5. Profile and levers ------------------------------------------------------------------------------
interface LeverResult {
  lever: string;
  variant: string;
  result: LoadResult | null;
  reference: string;
  note: string;
}
const levers: LeverResult[] = [];
let profile: ProfileSummary | null = null;
let timing: Record<string, number> | null = null;

async function variantRun(name: string, args: string[], extra: { env?: Record<string, string>; script?: string } = {}) {
  const server = await startBenchServer(name, extra.script ?? 'variant.ts', args, extra.env);
  try {
    const check = await postGraphQL(server.url, adaAuth, INVOICES_PAGE, { account: ids.contoso, first: PAGE_SIZE });
    mustEqual(`(a) invoices page: ${name} JSON == gateway JSON`, gatewayPage.body, check.body);
    const result = await load({
      title: `${name} (a) invoices page, ${PAGE_SIZE}`,
      ...graphqlLoad(server.url, adaAuth, INVOICES_PAGE, { account: ids.contoso, first: PAGE_SIZE }),
      verify: looksLike.page(PAGE_SIZE),
      sample: rssOf(server),
    });
    return { server, result };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

if (options.profile) {
  log(`\n[${elapsed()}] CPU profile of the gateway under (a) (node --cpu-prof on the child)`);
  const profileDir = join(BENCH_DIR, 'results', 'profiles');
  rmSync(profileDir, { recursive: true, force: true });
  mkdirSync(profileDir, { recursive: true });
  const profiled = await startGatewayCli('gateway (profiled)', {
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
  });
  const profiledLoad = graphqlLoad(profiled.url, adaAuth, INVOICES_PAGE, { account: ids.contoso, first: PAGE_SIZE });
  await runLoad({
    title: 'warm-up',
    ...profiledLoad,
    connections: options.connections,
    durationS: options.warmupS,
    warmupS: 0,
  });
  const loadStarted = performance.now();
  await load({
    title: `gateway under --cpu-prof (a) invoices page, ${PAGE_SIZE}`,
    ...profiledLoad,
    verify: looksLike.page(PAGE_SIZE),
    warmupS: 0,
  });
  const loadEnded = performance.now();
  await profiled.stop();
  const exited = performance.now();
  // tsx's launcher is profiled too; the server's profile is the big one.
  const files = readdirSync(profileDir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(profileDir, f));
  const biggest = files.sort((a, b) => statSync(b).size - statSync(a).size)[0];
  if (biggest) {
    // The profile covers the whole process; count only the samples of the measured load.
    profile = summarizeProfile(biggest, { fromEndMs: [exited - loadStarted, exited - loadEnded] });
    for (const f of files) if (f !== biggest) rmSync(f);
    log(`  ${biggest.replace(`${REPO_DIR}/`, '')}: ${fmt.int(profile.busyMs)} ms busy`);
  } else {
    problems.push('no CPU profile was written');
  }
}

interface MicroResult {
  mode: string;
  label: string;
  nodeEnv: string | null;
  usPerExecution: number;
  runs: number[];
}
const micro: MicroResult[] = [];
if (options.levers) {
  log(`\n[${elapsed()}] schema execution without HTTP (graphql-js execute of (a), in a fresh process per lever)`);
  const iterations = options.quick ? 100 : 2_000;
  const microRun = (mode: string, label: string, env: Record<string, string> = {}) => {
    const out = execFileSync(
      TSX,
      [join(BENCH_DIR, 'src', 'exec-micro.ts'), `--mode=${mode}`, `--iterations=${iterations}`],
      {
        cwd: REPO_DIR,
        env: {
          ...process.env,
          ...gatewayEnv,
          PORT: '0',
          LOG_LEVEL: 'warn',
          BENCH_USER_ID: String(fx.ada),
          BENCH_ACCOUNT_ID: String(fx.contosoAccountId),
          ...env,
        },
        encoding: 'utf8',
      },
    );
    const result = { ...(JSON.parse(out.trim().split('\n').pop()!) as Omit<MicroResult, 'label'>), label };
    micro.push(result);
    log(
      `  ${label.padEnd(58)} ${fmt.int(result.usPerExecution).padStart(6)} us per execution (runs: ${result.runs.map((r) => fmt.int(r)).join(', ')})`,
    );
  };
  microRun('base', 'schema as built (reference)');
  microRun('stmt-cache', 'statement cache by SQL text');
  microRun('jit', 'compiled once by graphql-jit (as the gateway runs a repeated query)');
  microRun('scope-off', 'scope-auth disabled (pricing only, unsafe)');
  microRun('base', 'NODE_ENV unset (graphql-js development checks on)', { NODE_ENV: '' });
  if (!options.quick) microRun('base', 'schema as built (repeat: noise)');
}

if (options.levers) {
  log(`\n[${elapsed()}] levers: each variant measured on (a) at ${options.connections} connections`);
  // Phase timing, one connection so each request's phases do not overlap.
  {
    const server = await startBenchServer('timing', 'variant.ts', ['--app=gateway', '--timing']);
    const timed = graphqlLoad(server.url, adaAuth, INVOICES_PAGE, { account: ids.contoso, first: PAGE_SIZE });
    const timingsUrl = server.url.replace('/graphql', '/__bench/timings');
    await runLoad({
      title: 'warm-up',
      ...timed,
      connections: 1,
      durationS: Math.max(options.warmupS, 0.5),
      warmupS: 0,
    });
    await fetch(timingsUrl, { method: 'POST' }); // reset: count only the measured run
    await load({
      title: 'gateway app with phase timers (a), c=1',
      ...timed,
      verify: looksLike.page(PAGE_SIZE),
      connections: 1,
      durationS: Math.min(options.durationS, 5),
      warmupS: 0,
    });
    timing = (await (await fetch(timingsUrl)).json()) as Record<string, number>;
    await server.stop();
  }

  const variant = async (
    lever: string,
    name: string,
    args: string[],
    reference: string,
    note: string,
    extra: { env?: Record<string, string>; script?: string } = {},
  ) => {
    const { server, result } = await variantRun(name, args, extra);
    await server.stop();
    levers.push({ lever, variant: name, result, reference, note });
    return result;
  };
  await variant(
    'reference',
    'bare Yoga',
    ['--app=yoga'],
    'bare Yoga',
    'Yoga + same schema + same context; no gateway plugins',
  );
  await variant(
    'gateway plugins',
    'gateway app (in-process app factory)',
    ['--app=gateway'],
    'bare Yoga',
    'createGatewayApp: whatever plugins the server adds',
  );
  await variant(
    'Yoga parser/validation cache',
    'bare Yoga, parserAndValidationCache: false',
    ['--app=yoga', '--no-parse-cache'],
    'bare Yoga',
    'on by default in Yoga 5 (server.js: enabled unless `false`)',
  );
  await variant(
    'prepared statements',
    'bare Yoga + statement cache by SQL text',
    ['--app=yoga', '--stmt-cache'],
    'bare Yoga',
    'better-sqlite3 prepare() once per distinct SQL, reused',
  );
  await variant(
    'compiled queries',
    'gateway app, COMPILE_QUERIES_AFTER=off (interpreter only)',
    ['--app=gateway'],
    'gateway app (in-process app factory)',
    'graphql-jit off: every query on the executor',
    { env: { COMPILE_QUERIES_AFTER: 'off' } },
  );
  await variant(
    'type-level scope-auth',
    'bare Yoga, scope-auth disabled (pricing only, unsafe)',
    ['--app=yoga', '--scope=off'],
    'bare Yoga',
    'upper bound of all scope-auth work; never for production',
  );
  await variant(
    'response cache',
    'bare Yoga + response cache (prototype)',
    ['--app=yoga', '--response-cache'],
    'bare Yoga',
    'keyed by principal + document + variables; every read is a hit here',
  );
  levers.push({
    lever: '@envelop/graphql-jit',
    variant: 'not run',
    result: null,
    reference: '-',
    note: 'not installed (no new dependencies); TOOLCHAIN.md measured it 4.5x slower on this stack',
  });

  // The real gateway again, measured next to the levers below that compare with it (the main run may
  // have been disturbed; this one is their reference).
  let gatewayRef: LoadResult;
  {
    const again = await startGatewayCli('gateway (reference for the levers below)');
    try {
      gatewayRef = await load({
        title: `gateway (CLI, again) (a) invoices page, ${PAGE_SIZE}`,
        ...graphqlLoad(again.url, adaAuth, INVOICES_PAGE, { account: ids.contoso, first: PAGE_SIZE }),
        verify: looksLike.page(PAGE_SIZE),
        sample: rssOf(again),
      });
    } finally {
      await again.stop();
    }
  }
  levers.push({
    lever: 'reference',
    variant: 'gateway (CLI), measured again here',
    result: gatewayRef,
    reference: 'gateway',
    note: 'the reference of the cluster and heap-cap rows',
  });

  // node:cluster: the real gateway in two workers sharing the port and the WAL database.
  log('  node:cluster, 2 workers (the load generator shares the same 2 cores)');
  const clusterPort = await freePort();
  const clustered = await startServer({
    name: 'cluster',
    args: [join(SERVERS_DIR, 'cluster.ts')],
    env: { ...gatewayEnv, PORT: String(clusterPort), WORKERS: '2' },
    ready: listeningLine,
  });
  try {
    mustEqual(
      '(a) invoices page: cluster JSON == gateway JSON',
      gatewayPage.body,
      (await postGraphQL(clustered.url, adaAuth, INVOICES_PAGE, { account: ids.contoso, first: PAGE_SIZE })).body,
    );
    const page = await load({
      title: `cluster x2 (a) invoices page, ${PAGE_SIZE}`,
      ...graphqlLoad(clustered.url, adaAuth, INVOICES_PAGE, { account: ids.contoso, first: PAGE_SIZE }),
      verify: looksLike.page(PAGE_SIZE),
      sample: rssOf(clustered),
    });
    levers.push({
      lever: 'node:cluster',
      variant: 'cluster x2, (a) invoices page',
      result: page,
      reference: 'gateway (again)',
      note: 'two gateway processes, one WAL database; peak RSS is all processes',
    });
    const pool = takePayables(payables.length);
    const requests = payInvoiceRequests(pool, 'bench-cluster');
    const pay = await load({
      title: 'cluster x2 (d) payInvoice',
      ...graphqlLoad(clustered.url, adaAuth, PAY_INVOICE, {}),
      ...requests,
      verify: looksLike.paid,
    });
    if (requests.used() > pool.length)
      problems.push(
        `payInvoice pool too small for the cluster run: ${requests.used()} requests for ${pool.length} invoices`,
      );
    levers.push({
      lever: 'node:cluster',
      variant: 'cluster x2, (d) payInvoice',
      result: pay,
      reference: 'gateway (d)',
      note: 'writers in two processes on one WAL file (busy_timeout 5 s)',
    });
  } finally {
    await clustered.stop();
  }
  // Memory: the real gateway with V8's old generation capped (an operator setting, NODE_OPTIONS).
  {
    const capped = await startGatewayCli('gateway, heap capped', { env: { NODE_OPTIONS: '--max-old-space-size=128' } });
    try {
      const page = await load({
        title: `gateway --max-old-space-size=128 (a) invoices page, ${PAGE_SIZE}`,
        ...graphqlLoad(capped.url, adaAuth, INVOICES_PAGE, { account: ids.contoso, first: PAGE_SIZE }),
        verify: looksLike.page(PAGE_SIZE),
        sample: rssOf(capped),
      });
      levers.push({
        lever: 'memory: V8 heap cap',
        variant: 'gateway, NODE_OPTIONS=--max-old-space-size=128, (a)',
        result: page,
        reference: 'gateway (again)',
        note: 'old generation capped at 128 MB: GC runs sooner instead of the heap growing',
      });
      const scalePage = await load({
        ...scaleSpec(
          `gateway --max-old-space-size=128, scale first page, c=${options.connections}`,
          INVOICES_PAGE,
          null,
        ),
        url: capped.url,
        sample: rssOf(capped),
      });
      levers.push({
        lever: 'memory: V8 heap cap',
        variant: 'gateway, heap capped, scale first page',
        result: scalePage,
        reference: 'scale',
        note: 'the same cap on the largest tenant',
      });
    } finally {
      await capped.stop();
    }
  }
  if (!options.quick)
    await variant(
      'reference',
      'bare Yoga (repeat: noise)',
      ['--app=yoga'],
      'bare Yoga',
      'same as the reference, run last: the spread is the noise',
    );
}

// --- 5b. Scale-out: SQLite vs PostgreSQL with one and two instances (bench/src/scale-out.ts) -------------
// Its own data (a 24,000-invoice tenant on both dialects) and its own raw baseline, in this same run.
let scaleOut: string | null = null;
let scaleOutFigures: ScaleOutFigures | null = null;
{
  const unavailable = await postgresUnavailableReason();
  if (unavailable) {
    log(`\n[${elapsed()}] scale-out: skipped, PostgreSQL unreachable (${unavailable})`);
  } else {
    log(`\n[${elapsed()}] scale-out: SQLite x1, PostgreSQL x1, PostgreSQL x2`);
    try {
      const output = execFileSync(
        TSX,
        [join(BENCH_DIR, 'src', 'scale-out.ts'), `--duration=${options.quick ? 1 : 5}`],
        { cwd: REPO_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
      );
      ({ text: scaleOut, figures: scaleOutFigures } = splitScaleOutOutput(output));
      log(scaleOut);
    } catch (error) {
      problems.push(`scale-out stage failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
  }
}

// --- 6. Results -----------------------------------------------------------------------------------------
const ratio = (a: LoadResult, b: LoadResult) => a.rps / b.rps;
const sqlOf = (scenario: string) => sqlCounts.find((c) => c.scenario === scenario);
const sqlCell = (c: SqlCount | undefined) => (c ? c.bySize.map((b) => b.total).join(' / ') : '-');
const quickNote = options.quick
  ? ` (quick run: ${fx.scaleInvoices.toLocaleString('en-US')} invoices, not 1,000,000)`
  : '';
const peakGatewayMB = Math.max(...gatewayMemory.map((m) => m.peakMB));
const deepRatio = scale.deep.latencyMs.p50 / scale.first.latencyMs.p50;
const deepRatioNoCount = scale.deepNoCount.latencyMs.p50 / scale.firstNoCount.latencyMs.p50;
/** What asking for totalCount adds to a page at 1M (p50 with it minus p50 without it). */
const countCostMs = {
  first: scale.first.latencyMs.p50 - scale.firstNoCount.latencyMs.p50,
  deep: scale.deep.latencyMs.p50 - scale.deepNoCount.latencyMs.p50,
};
const COUNT_COST_TARGET_MS = 3;
const signedMs = (ms: number) => `${ms < 0 ? '-' : '+'}${fmt.ms(Math.abs(ms))}`;
/** payInvoice's statements when issue 13's write work began (bench/README.md, docs/scaling.md). */
const PAY_STATEMENTS_BEFORE = 22;
const payStatements = sqlOf('(d) payInvoice')?.bySize[0]?.total ?? Number.NaN;
const payOn = (setup: string) =>
  scaleOutFigures?.measured.find((m) => m.setup === setup && m.request === 'payInvoice') ?? null;
const payCountedOn = (dialect: string) =>
  scaleOutFigures?.counted.find((c) => c.dialect === dialect && c.request === 'payInvoice') ?? null;

const targets = [
  {
    target: 'target 1, cold path (cache off): invoices page >= 35% of the raw baseline (aim 50%)',
    met: ratio(gw.page, base.page) >= 0.35,
    figure: `${fmt.pct(ratio(gw.page, base.page))} (${fmt.int(gw.page.rps)} vs ${fmt.int(base.page.rps)} req/s)${ratio(gw.page, base.page) >= 0.5 ? '; aim of 50% met' : ''}`,
  },
  {
    target: 'target 1, cold path (cache off): invoice detail >= 15% of the raw baseline',
    met: ratio(gw.detail, base.detail) >= 0.15,
    figure: `${fmt.pct(ratio(gw.detail, base.detail))} (${fmt.int(gw.detail.rps)} vs ${fmt.int(base.detail.rps)} req/s)`,
  },
  {
    target: 'target 2, warm path (response cache on): invoices page >= 85% of the raw baseline',
    met: ratio(warm.page, base.page) >= 0.85,
    figure: `${fmt.pct(ratio(warm.page, base.page))} (${fmt.int(warm.page.rps)} vs ${fmt.int(base.page.rps)} req/s); detail ${fmt.pct(ratio(warm.detail, base.detail))}`,
  },
  {
    target: 'SQL statements per request do not grow with page size',
    met: sqlCounts.every((c) => !c.grows),
    figure: sqlCounts
      .filter((c) => c.bySize.length > 1)
      .map((c) => `${c.scenario.replace('(a) invoices page', '(a)')}: ${sqlCell(c)}`)
      .join('; '),
  },
  {
    target: `deep page within 1.5x of first page latency${quickNote}`,
    met: deepRatio <= 1.5 && deepRatioNoCount <= 1.5,
    figure: `p50 ${fmt.ratio(deepRatio)} with totalCount (${fmt.ms(scale.deep.latencyMs.p50)} vs ${fmt.ms(scale.first.latencyMs.p50)} ms), ${fmt.ratio(deepRatioNoCount)} without (${fmt.ms(scale.deepNoCount.latencyMs.p50)} vs ${fmt.ms(scale.firstNoCount.latencyMs.p50)} ms)`,
  },
  {
    target: `totalCount costs at most ${COUNT_COST_TARGET_MS} ms on that tenant (p50 with minus without)${quickNote}`,
    met: countCostMs.first <= COUNT_COST_TARGET_MS && countCostMs.deep <= COUNT_COST_TARGET_MS,
    figure: `first page ${signedMs(countCostMs.first)} ms, deep page ${signedMs(countCostMs.deep)} ms (exact: the per-profile counts kept by triggers, invoice_counts)`,
  },
  {
    target: `payInvoice: fewer SQL statements than the ${PAY_STATEMENTS_BEFORE} before, payInvoice/s on both dialects`,
    met:
      payStatements < PAY_STATEMENTS_BEFORE &&
      payOn('SQLite x1') !== null &&
      payOn('PostgreSQL x1') !== null &&
      [payOn('SQLite x1'), payOn('PostgreSQL x1'), payOn('PostgreSQL x2')].every((m) => m === null || m.errors === 0),
    figure: `${payStatements} statements (SQLite, in-process count)${(() => {
      const pg = payCountedOn('PostgreSQL');
      return pg ? `, PostgreSQL ${pg.statements} statements / ${pg.roundTrips} round trips` : '';
    })()}; payInvoice/s ${
      scaleOutFigures
        ? ['SQLite x1', 'PostgreSQL x1', 'PostgreSQL x2']
            .map((setup) => `${setup} ${payOn(setup) ? fmt.int(payOn(setup)!.rps) : '-'}`)
            .join(', ')
        : 'not measured (scale-out stage skipped or failed)'
    }; gateway (d) ${fmt.int(gw.pay.rps)} on the bench database`,
  },
  {
    target: `start-up < 500 ms on that database, compiled${quickNote}`,
    met: startupMedian < 500,
    figure: `median ${fmt.int(startupMedian)} ms of ${startupSamples.length} (spawn of the compiled gateway to first invoices page), CPU used by then ${fmt.int(startupCpuMedian)} ms; tsx+node+http floor ${fmt.int(startupFloorMs)} ms`,
  },
  {
    target: `memory under load < 300 MB${quickNote}`,
    met: peakGatewayMB < 300,
    figure: `peak RSS ${fmt.mb(peakGatewayMB)} (gateway process, sampled every 100 ms under load; VmHWM ${fmt.mb(hwm.serverHwmMB)}; tsx launcher +${fmt.mb(hwm.wrapperMB)})`,
  },
];

if (peersResult && !peersResult.checkOnly) targets.push(...peerTargets(peersResult));

const lines: string[] = [];
const c = options.connections;
lines.push(
  table(
    `Throughput and latency: ${c} connections, ${options.durationS} s per run after ${options.warmupS} s warm-up; latency in ms`,
    ['scenario', 'server', 'req/s', 'p50', 'p99', 'vs raw', 'SQL/request (first=10 / 100)'],
    [
      [
        `(a) invoices page (${PAGE_SIZE})`,
        'gateway',
        fmt.int(gw.page.rps),
        fmt.ms(gw.page.latencyMs.p50),
        fmt.ms(gw.page.latencyMs.p99),
        fmt.ratio(ratio(gw.page, base.page)),
        sqlCell(sqlOf('(a) invoices page')),
      ],
      [
        '',
        'raw baseline',
        fmt.int(base.page.rps),
        fmt.ms(base.page.latencyMs.p50),
        fmt.ms(base.page.latencyMs.p99),
        fmt.ratio(1),
        '7 (hand-written)',
      ],
      [
        '',
        'graphql-js peer',
        fmt.int(peer.page.rps),
        fmt.ms(peer.page.latencyMs.p50),
        fmt.ms(peer.page.latencyMs.p99),
        fmt.ratio(ratio(peer.page, base.page)),
        'same plan',
      ],
      ['', 'PostGraphile 5, Mercurius', peersResult ? 'peers table' : 'not run', '', '', '', POSTGRAPHILE_ROW],
      [
        '(b) invoice detail',
        'gateway',
        fmt.int(gw.detail.rps),
        fmt.ms(gw.detail.latencyMs.p50),
        fmt.ms(gw.detail.latencyMs.p99),
        fmt.ratio(ratio(gw.detail, base.detail)),
        sqlCell(sqlOf('(b) invoice detail')),
      ],
      [
        '',
        'raw baseline',
        fmt.int(base.detail.rps),
        fmt.ms(base.detail.latencyMs.p50),
        fmt.ms(base.detail.latencyMs.p99),
        fmt.ratio(1),
        '5 (hand-written)',
      ],
      [
        '(c) viewer + accounts + roles',
        'gateway',
        fmt.int(gw.viewer.rps),
        fmt.ms(gw.viewer.latencyMs.p50),
        fmt.ms(gw.viewer.latencyMs.p99),
        '',
        sqlCell(sqlOf('(c) viewer')),
      ],
      [
        '(d) payInvoice (sandbox, 0 ms)',
        'gateway',
        fmt.int(gw.pay.rps),
        fmt.ms(gw.pay.latencyMs.p50),
        fmt.ms(gw.pay.latencyMs.p99),
        '',
        sqlCell(sqlOf('(d) payInvoice')),
      ],
    ],
    [
      `response sizes: (a) ${fmt.int(gw.page.bytesPerRequest)} B, (b) ${fmt.int(gw.detail.bytesPerRequest)} B, (c) ${fmt.int(gw.viewer.bytesPerRequest)} B, (d) ${fmt.int(gw.pay.bytesPerRequest)} B`,
      'SQL/request includes authentication (user lookup + role assignments); see the SQL table for the split.',
    ],
  ),
);
if (peersResult) lines.push(peersResult.table);
lines.push(
  table(
    `Scale: one tenant with ${fx.scaleInvoices.toLocaleString('en-US')} invoices (database ${fmt.int(data.rows.invoices)} invoices, ${fmt.mb(data.fileMB)}); page of ${PAGE_SIZE}`,
    ['page', 'connections', 'req/s', 'p50', 'p99'],
    [
      [
        'first page, with totalCount',
        1,
        fmt.int(scale.first.rps),
        fmt.ms(scale.first.latencyMs.p50),
        fmt.ms(scale.first.latencyMs.p99),
      ],
      [
        'deep page by cursor, with totalCount',
        1,
        fmt.int(scale.deep.rps),
        fmt.ms(scale.deep.latencyMs.p50),
        fmt.ms(scale.deep.latencyMs.p99),
      ],
      [
        'first page, no totalCount',
        1,
        fmt.int(scale.firstNoCount.rps),
        fmt.ms(scale.firstNoCount.latencyMs.p50),
        fmt.ms(scale.firstNoCount.latencyMs.p99),
      ],
      [
        'deep page by cursor, no totalCount',
        1,
        fmt.int(scale.deepNoCount.rps),
        fmt.ms(scale.deepNoCount.latencyMs.p50),
        fmt.ms(scale.deepNoCount.latencyMs.p99),
      ],
      [
        'first page, with totalCount',
        c,
        fmt.int(scale.firstLoaded.rps),
        fmt.ms(scale.firstLoaded.latencyMs.p50),
        fmt.ms(scale.firstLoaded.latencyMs.p99),
      ],
    ],
    [
      `deep/first p50: ${fmt.ratio(deepRatio)} with totalCount, ${fmt.ratio(deepRatioNoCount)} without; totalCount changes p50 by ${signedMs(countCostMs.first)} ms (first) and ${signedMs(countCostMs.deep)} ms (deep)`,
      `the c=1 rows: the median (by p50) of ${SCALE_ROUNDS} alternating rounds of ${fmt.int(Math.max(1, options.durationS / SCALE_ROUNDS))} s each; p50 of every round: ${(
        Object.keys(scaleRuns) as (keyof typeof scaleRuns)[]
      )
        .map((k) => `${k} ${scaleRounds[k].map((r) => fmt.ms(r.latencyMs.p50)).join('/')}`)
        .join(', ')}`,
      `deep cursor = the 101st invoice from the end (via invoices(last: 100), then (last: 1, before: that)); decoded: ${decodedCursor}`,
    ],
  ),
);
lines.push(
  table(
    'SQL statements per request (in-process gateway, counted by openDatabase onQuery)',
    ['scenario', 'page size', 'total', 'auth', 'plan'],
    sqlCounts.flatMap((s) =>
      s.bySize.map((b, i) => [i === 0 ? s.scenario : '', b.size ?? '-', b.total, b.auth, b.plan]),
    ),
    ['auth = user lookup + role assignments (one each per request); plan = everything GraphQL asked for'],
  ),
);
lines.push(
  table(
    'Start-up and memory (gateway child: node packages/server/dist/cli.js start, compiled)',
    ['measure', 'value'],
    [
      ['start-up, spawn to first invoices page (median)', `${fmt.int(startupMedian)} ms`],
      ['start-up samples', startupSamples.map((s) => `${fmt.int(s)} ms`).join(', ')],
      [
        'start-up CPU (user + system) used by the gateway when ready',
        startupCpuSamples.map((s) => `${fmt.int(s)} ms`).join(', '),
      ],
      ['floor: tsx + node + node:http hello world', `${fmt.int(startupFloorMs)} ms`],
      ...Object.entries(startupSteps).map(
        ([step, at], i, all) =>
          [`  step: ${step}`, `+${fmt.int(at - (i > 0 ? all[i - 1]![1] : 0))} ms (at ${fmt.int(at)} ms)`] as [
            string,
            string,
          ],
      ),
      ['RSS at rest, right after start-up', fmt.mb(restingMB)],
      ...gatewayMemory.map(
        (m) =>
          [`RSS under load: ${m.scenario}`, `${fmt.mb(m.peakMB)} peak, ${fmt.mb(m.meanMB)} mean`] as [string, string],
      ),
      ['peak RSS of the gateway process (VmHWM)', fmt.mb(hwm.serverHwmMB)],
      ['tsx launcher process (not the gateway)', fmt.mb(hwm.wrapperMB)],
      ['raw baseline process, after its runs', fmt.mb(baselineMemory.serverMB)],
    ],
  ),
);
if (timing) {
  const t = timing as Record<string, number>;
  const per = (ms: number) => (t.requests ? (ms / t.requests) * 1000 : NaN);
  const known = t.authMs! + t.parseMs! + t.validateMs! + t.executeMs! + t.serializeMs!;
  const rows: [string, number][] = [
    ['authentication + grants (jose, users, role assignments)', per(t.authMs!)],
    ['parse (cached)', per(t.parseMs!)],
    ['validate (cached)', per(t.validateMs!)],
    ['execute (resolvers, Pothos plugins, Drizzle)', per(t.executeMs!)],
    ['  of which SQLite: statement execution', per(t.sqlMs!)],
    ['  of which SQLite: prepare (compile SQL)', per(t.prepareMs!)],
    ['serialize (JSON.stringify of the result)', per(t.serializeMs!)],
    ['HTTP + Yoga plumbing (the rest)', per(t.totalMs! - known)],
    ['total server time per request', per(t.totalMs!)],
  ];
  lines.push(
    table(
      `Where a gateway request's time goes: (a) invoices page, one connection, ${fmt.int(t.requests)} requests, microseconds per request`,
      ['phase', 'us', 'share'],
      rows.map(([phase, us]) => [phase, fmt.int(us), fmt.pct(us / per(t.totalMs!))]),
      [`SQL statements executed per request: ${(t.statements! / Math.max(1, t.requests!)).toFixed(1)}`],
    ),
  );
}
if (profile) {
  const p = profile as ProfileSummary;
  lines.push(
    table(
      `CPU profile of the gateway under (a) load (self time by layer; ${fmt.int(p.busyMs)} ms busy)`,
      ['layer', 'ms', 'share'],
      p.layers.map((l) => [l.layer, fmt.int(l.ms), fmt.pct(l.share)]),
      [
        `top functions: ${p.topFunctions
          .slice(0, 8)
          .map((f) => `${f.name} (${f.where.split('/').slice(-2).join('/')}) ${fmt.pct(f.share)}`)
          .join('; ')}`,
      ],
    ),
  );
}
if (levers.length > 0) {
  const reference = levers.find((l) => l.variant === 'bare Yoga')!.result!;
  lines.push(
    table(
      `Levers on (a) invoices page, ${c} connections (each variant in its own process)`,
      ['lever', 'variant', 'req/s', 'p50', 'p99', 'vs ref', 'ref', 'peak RSS', 'other CPU'],
      levers.map((l) => {
        const again = levers.find((x) => x.variant === 'gateway (CLI), measured again here')?.result ?? null;
        const ref =
          l.reference === 'gateway (again)'
            ? again
            : l.reference === 'gateway'
              ? gw.page
              : l.reference === 'gateway (d)'
                ? gw.pay
                : l.reference === 'scale'
                  ? scale.firstLoaded
                  : l.reference === 'bare Yoga'
                    ? reference
                    : null;
        return [
          l.lever,
          l.variant,
          l.result ? fmt.int(l.result.rps) : '-',
          l.result ? fmt.ms(l.result.latencyMs.p50) : '',
          l.result ? fmt.ms(l.result.latencyMs.p99) : '',
          l.result && ref ? fmt.change(l.result.rps / ref.rps) : '',
          l.reference,
          l.result?.sampled ? fmt.mb(l.result.sampled.peak) : '',
          l.result ? l.result.otherCpuCores.toFixed(2) : '',
        ];
      }),
      levers.map((l) => `${l.variant}: ${l.note}`),
    ),
  );
}
if (micro.length > 0) {
  const reference = micro[0]!.usPerExecution;
  lines.push(
    table(
      `Schema execution without HTTP: (a) invoices page via graphql-js execute, median of 5 runs, microseconds per execution`,
      ['lever', 'us', 'vs reference'],
      micro.map((m) => [m.label, fmt.int(m.usPerExecution), fmt.change(m.usPerExecution / reference)]),
      ['lower is better; context (grants) built per execution, no JWT, no HTTP'],
    ),
  );
}
lines.push(
  table(
    'Targets',
    ['target', 'met', 'figures'],
    targets.map((t) => [t.target, t.met ? 'yes' : 'NO', t.figure]),
  ),
);
const totalSeconds = (performance.now() - runStarted) / 1000;
lines.push(
  '',
  `peers (PostGraphile 5, Mercurius + graphql-jit): ${POSTGRAPHILE_ROW}`,
  `run took ${totalSeconds.toFixed(0)} s; results: ${options.out.replace(`${REPO_DIR}/`, '')}`,
);
if (noisy.length > 0) {
  lines.push(
    '',
    `NOISE: other processes on this machine used more than ${NOISE_CORES} cores during ${noisy.length} run(s); treat those figures with care:`,
    ...noisy.map((n) => `  - ${n}`),
  );
}
if (problems.length > 0)
  lines.push('', 'PROBLEMS (the figures above are not trustworthy):', ...problems.map((p) => `  - ${p}`));
log(lines.join('\n'));

// --- 7. JSON --------------------------------------------------------------------------------------------
const gitCommit = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_DIR, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
})();
Object.assign(results, {
  meta: {
    date: new Date().toISOString(),
    mode: options.quick ? 'quick' : 'full',
    node: process.version,
    cpus: `${availableParallelism()} x ${cpus()[0]?.model ?? 'unknown'}`,
    memoryGB: Math.round(totalmem() / 1024 ** 3),
    gitCommit,
    seconds: totalSeconds,
    options: { ...options, out: undefined, dataDir: undefined },
    gatewayEnv: { ...gatewayEnv, JWT_SECRET: '(random per run)' },
  },
  data: { ...data, fixtures: { ...fx, payableInvoiceIds: fx.payableInvoiceIds.length } },
  scenarios: { gateway: gw, baseline: base, peers: { graphqlJs: peer } },
  peers: peersResult
    ? {
        checkOnly: peersResult.checkOnly,
        repeats: peersResult.rows[0]?.page?.ratios.length ?? null,
        postgres: peersResult.postgres,
        installSeconds: peersResult.installSeconds,
        seconds: peersResult.seconds,
        table: peersResult.rows,
      }
    : null,
  ratios: {
    invoicesPage: ratio(gw.page, base.page),
    invoicesPageResponseCache: ratio(warm.page, base.page),
    invoiceDetailResponseCache: ratio(warm.detail, base.detail),
    invoiceDetail: ratio(gw.detail, base.detail),
    graphqlJsInvoicesPage: ratio(peer.page, base.page),
  },
  sql: sqlCounts,
  scale: {
    ...scale,
    deepCursor,
    decodedCursor,
    deepOverFirstP50: deepRatio,
    deepOverFirstP50NoCount: deepRatioNoCount,
    totalCountCostMs: countCostMs,
    rounds: scaleRounds,
  },
  startup: {
    samplesMs: startupSamples,
    cpuMs: startupCpuSamples,
    medianMs: startupMedian,
    floorMs: startupFloorMs,
    stepsMs: startupSteps,
  },
  memory: {
    restingMB,
    underLoad: gatewayMemory,
    peakMB: peakGatewayMB,
    gatewayHwmMB: hwm.serverHwmMB,
    tsxLauncherMB: hwm.wrapperMB,
    baselineMB: baselineMemory.serverMB,
  },
  timing,
  profile,
  executionMicrobenchmark: micro,
  levers,
  scaleOut: scaleOutFigures,
  noise: noisy,
  targets,
  problems,
});
mkdirSync(dirname(options.out), { recursive: true });
writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`);
process.exit(problems.length > 0 ? 1 : 0);
