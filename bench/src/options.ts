// Command-line flags (and their environment twins) for `pnpm bench`.
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
export const REPO_DIR = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

export interface BenchOptions {
  quick: boolean;
  /** Seconds of measured load per scenario. */
  durationS: number;
  /** Seconds of unmeasured load before each measurement (JIT, caches). */
  warmupS: number;
  /** Concurrent connections for the throughput scenarios. */
  connections: number;
  /** Invoices in the "scale" tenant (1,000,000 in a full run). */
  scaleInvoices: number;
  /** Invoices added to Contoso Engineering, so the invoices page is full and realistic. */
  pageInvoices: number;
  /** Open invoices on Ada's personal profile, each paid once by the payInvoice scenario. */
  payableInvoices: number;
  startupRuns: number;
  levers: boolean;
  profile: boolean;
  /** The peers table (issue 13): PostGraphile, Mercurius + graphql-jit, the gateway, each alternated with the baseline. */
  peers: boolean;
  /** With `peers`: start each peer and check its answers, measure nothing (`--peers-check`, the CI smoke). */
  peersCheckOnly: boolean;
  rebuildData: boolean;
  out: string;
  dataDir: string;
}

const HELP = `usage: pnpm bench [--quick] [options]

  --quick               small data (20,000 invoices), ~1 s per scenario: the CI smoke run (< 2 min)
  --duration=S          measured seconds per scenario      (full 10, quick 1)      env BENCH_DURATION
  --warmup=S            warm-up seconds before each        (full 3, quick 1)       env BENCH_WARMUP
  --connections=N       concurrent connections             (10)                    env BENCH_CONNECTIONS
  --invoices=N          invoices in the scale tenant       (full 1000000, quick 20000) env BENCH_INVOICES
  --no-levers           skip the performance levers (variants of the gateway)
  --no-profile          skip the CPU profile of the gateway
  --peers               also the peers table: PostGraphile 5 (installs bench/peers/postgraphile on
                        first use: Node 22 + PostGraphile), Mercurius + graphql-jit, the gateway with
                        the response cache off and on, each alternated with the raw baseline
                                                                                    env BENCH_PEERS=1
  --peers-check         the peers' install, start and same-answer checks only, no load (CI)
                                                                                    env BENCH_PEERS=check
  --rebuild-data        regenerate the cached database under bench/.data
  --out=FILE            JSON results                       (bench/results/latest.json) env BENCH_OUT
  BENCH_QUICK=1 is the same as --quick.`;

function num(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${value}"`);
  return n;
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    allowPositionals: false,
    options: {
      quick: { type: 'boolean' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      invoices: { type: 'string' },
      'no-levers': { type: 'boolean' },
      'no-profile': { type: 'boolean' },
      peers: { type: 'boolean' },
      'peers-check': { type: 'boolean' },
      'rebuild-data': { type: 'boolean' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    process.exit(0);
  }
  const flag = (name: string) => ['1', 'true', 'yes'].includes((env[name] ?? '').toLowerCase());
  const quick = values.quick ?? flag('BENCH_QUICK');
  const peersCheckOnly = values['peers-check'] ?? (!values.peers && env.BENCH_PEERS === 'check');
  const scaleInvoices = Math.trunc(
    num(values.invoices ?? env.BENCH_INVOICES, 'invoices') ?? (quick ? 20_000 : 1_000_000),
  );
  return {
    quick,
    durationS: num(values.duration ?? env.BENCH_DURATION, 'duration') ?? (quick ? 1 : 10),
    warmupS: num(values.warmup ?? env.BENCH_WARMUP, 'warmup') ?? (quick ? 1 : 3),
    connections: Math.trunc(num(values.connections ?? env.BENCH_CONNECTIONS, 'connections') ?? 10),
    scaleInvoices,
    pageInvoices: 1_000,
    payableInvoices: quick ? 3_000 : 40_000,
    startupRuns: quick ? 1 : 3,
    levers: !values['no-levers'],
    profile: !values['no-profile'],
    peers: values.peers ?? values['peers-check'] ?? (flag('BENCH_PEERS') || peersCheckOnly),
    peersCheckOnly,
    rebuildData: values['rebuild-data'] ?? false,
    out: values.out ?? env.BENCH_OUT ?? `${BENCH_DIR}/results/latest.json`,
    dataDir: `${BENCH_DIR}/.data`,
  };
}
