// Load with autocannon's programmatic API: a warm-up, then a measured run at fixed concurrency.
// Latency percentiles are computed here from every response's own duration (fractional ms), because
// autocannon's histogram keeps whole milliseconds, too coarse for sub-millisecond baselines.
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import { descendantsOf } from './procs.js';

export interface LoadSpec {
  title: string;
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** For requests that differ each time (payInvoice: a new invoice and key per request). */
  setupRequest?: (request: autocannon.Request) => autocannon.Request;
  connections: number;
  durationS: number;
  warmupS: number;
  /** Every measured response body must pass this, or counts as a mismatch. */
  verify?: (body: string) => boolean;
  /** Sampled every 100 ms during the measured run (the RSS of the server). */
  sample?: () => number;
}

export interface LoadResult {
  title: string;
  connections: number;
  durationS: number;
  requests: number;
  rps: number;
  latencyMs: { p50: number; p90: number; p99: number; mean: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  mismatches: number;
  bytesPerRequest: number;
  /** Peak and mean of `sample` over the measured run. */
  sampled?: { peak: number; mean: number };
  /** CPU used meanwhile by processes that are not this benchmark's (in cores): noise if well above 0. */
  otherCpuCores: number;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** Busy CPU ticks of the whole machine, and of this process and everything it started. */
function cpuTicks(): { machine: number; ours: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  const machine = fields[0]! + fields[1]! + fields[2]! + fields[5]! + fields[6]! + fields[7]!;
  let ours = 0;
  for (const pid of [process.pid, ...descendantsOf(process.pid)]) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ours += Number(rest[11]) + Number(rest[12]);
    } catch {
      // gone
    }
  }
  return { machine, ours };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function fire(spec: LoadSpec, durationS: number, collect: boolean) {
  const latencies: number[] = [];
  const options: autocannon.Options = {
    url: spec.url,
    method: spec.method ?? 'GET',
    connections: spec.connections,
    duration: durationS,
    timeout: 30,
    ...(spec.headers ? { headers: spec.headers } : {}),
    ...(spec.body !== undefined ? { body: spec.body } : {}),
    ...(spec.setupRequest
      ? { requests: [{ setupRequest: (request: autocannon.Request) => spec.setupRequest!(request) }] }
      : {}),
    ...(collect && spec.verify ? { verifyBody: (body: unknown) => spec.verify!(String(body)) } : {}),
  };
  let settle!: (result: autocannon.Result) => void;
  let fail!: (error: unknown) => void;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  const instance = autocannon(options, (error, result) => (error ? fail(error) : settle(result)));
  if (collect) {
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  }
  const result = await done;
  return { result, latencies };
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  if (spec.warmupS > 0) await fire(spec, spec.warmupS, false);
  const samples: number[] = [];
  const timer = spec.sample ? setInterval(() => samples.push(spec.sample!()), 100) : null;
  if (spec.sample) samples.push(spec.sample());
  const cpuBefore = cpuTicks();
  let fired: Awaited<ReturnType<typeof fire>>;
  try {
    fired = await fire(spec, spec.durationS, true);
  } finally {
    if (timer) clearInterval(timer);
  }
  const cpuAfter = cpuTicks();
  if (spec.sample) samples.push(spec.sample());
  const { result, latencies } = fired;
  const sorted = Float64Array.from(latencies).sort();
  const ok = sorted.length;
  return {
    title: spec.title,
    connections: spec.connections,
    durationS: result.duration,
    requests: ok,
    rps: ok / result.duration,
    latencyMs: {
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      mean: ok ? sorted.reduce((a, b) => a + b, 0) / ok : NaN,
      max: ok ? sorted[ok - 1]! : NaN,
    },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    mismatches: result.mismatches,
    bytesPerRequest: result.throughput.total / Math.max(1, result.requests.total),
    otherCpuCores:
      Math.max(0, cpuAfter.machine - cpuBefore.machine - (cpuAfter.ours - cpuBefore.ours)) /
      TICKS_PER_SECOND /
      result.duration,
    ...(samples.length > 0
      ? { sampled: { peak: Math.max(...samples), mean: samples.reduce((a, b) => a + b, 0) / samples.length } }
      : {}),
  };
}

/** A load result is only worth reporting if every response was a 2xx that passed verification. */
export function problemsOf(result: LoadResult): string | null {
  const problems = [
    result.non2xx && `${result.non2xx} non-2xx`,
    result.errors && `${result.errors} errors`,
    result.timeouts && `${result.timeouts} timeouts`,
    result.mismatches && `${result.mismatches} bodies failed verification`,
    result.requests === 0 && 'no successful response',
  ].filter(Boolean);
  return problems.length > 0 ? `${result.title}: ${problems.join(', ')}` : null;
}

export interface Alternation {
  /** req/s of the server under test ÷ req/s of the baseline, one per repeat. */
  ratios: number[];
  median: number;
  min: number;
  max: number;
  runs: { measured: LoadResult; baseline: LoadResult }[];
}

/**
 * A ratio to a baseline that survives a shared, drifting machine: the two servers are loaded in turns,
 * `repeats` pairs in a row (in A-B, B-A order, so neither always runs first), and the ratio of each pair
 * is reported as the median of the repeats with their spread (min–max).
 */
export async function alternateWithBaseline(
  repeats: number,
  measured: () => Promise<LoadResult>,
  baseline: () => Promise<LoadResult>,
): Promise<Alternation> {
  const runs: Alternation['runs'] = [];
  for (let i = 0; i < repeats; i++) {
    if (i % 2 === 0) {
      const m = await measured();
      runs.push({ measured: m, baseline: await baseline() });
    } else {
      const b = await baseline();
      runs.push({ measured: await measured(), baseline: b });
    }
  }
  const ratios = runs.map((r) => r.measured.rps / r.baseline.rps);
  const sorted = [...ratios].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { ratios, median, min: sorted[0]!, max: sorted[sorted.length - 1]!, runs };
}
