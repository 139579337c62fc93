// What every shared (Redis) limiter does when its store cannot answer: let the request through
// (the database, not Redis, keeps payments exactly once), count it, and warn at most every few
// seconds. One counter for all limiters, told apart by its `limiter` label.
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../logger.js';

/** While Redis fails, one warning per this many milliseconds (every request would repeat it). */
const WARNING_INTERVAL_MS = 10_000;

const METRIC = 'gateway_rate_limit_fail_open_total';

export type FailOpen = (error: unknown) => void;

export interface FailOpenOptions {
  /** Which limiter failed open: the `limiter` label and the log's `component`. */
  limiter: string;
  /** Where `gateway_rate_limit_fail_open_total` lives. @default nowhere */
  registry?: Registry;
  /** @default no log */
  logger?: Logger;
}

export function createFailOpen(options: FailOpenOptions): FailOpen {
  const existing = options.registry?.getSingleMetric(METRIC);
  const counter =
    existing instanceof Counter
      ? (existing as Counter<'limiter'>)
      : new Counter({
          name: METRIC,
          help: 'Requests let through unlimited because the shared rate-limit store (Redis) could not answer.',
          labelNames: ['limiter'],
          registers: options.registry ? [options.registry] : [],
        });
  // Shown as 0 from the start, so a dashboard can tell "never failed" from "not reporting".
  counter.inc({ limiter: options.limiter }, 0);
  let lastWarning = -Infinity;
  return (error) => {
    counter.inc({ limiter: options.limiter });
    if (performance.now() - lastWarning < WARNING_INTERVAL_MS) return;
    lastWarning = performance.now();
    options.logger?.warn(
      { component: options.limiter, err: { message: error instanceof Error ? error.message : String(error) } },
      'rate limit store unreachable: failing open',
    );
  };
}
