// /ready: 200 when this instance should get traffic, 503 otherwise (a load balancer or orchestrator
// takes it out of rotation). Liveness is Yoga's own /health: 200 whenever the process answers.
//
// Optional checks (Redis) degrade rather than fail: `{"status": "degraded"}` with 200. An instance
// whose database answers still serves reads and takes payments exactly once, and Redis is shared by
// every instance, so answering 503 would take the whole fleet out of the load balancer at once for
// an outage that costs only cross-instance events and shared limits.
// Yoga's `useReadinessCheck` serves the endpoint; this adds the named checks and their JSON report.
import { useReadinessCheck, type Plugin } from 'graphql-yoga';
import type { BillingStore } from '@billing/schema/db';

export const READY_PATH = '/ready';

export interface ReadinessReport {
  ready: boolean;
  /** `degraded`: serving, with an optional dependency down (see `checks`). */
  status: 'ready' | 'degraded' | 'not-ready';
  checks: Record<string, boolean>;
}

export interface ReadinessOptions {
  /** Named checks, asked on every request; the instance is ready when all are true. */
  checks: () => Promise<Record<string, boolean>>;
  /** Checks whose failure degrades (200, `status: "degraded"`) instead of failing. @default [] */
  optional?: readonly string[];
  /** @default '/ready' */
  endpoint?: string;
}

/** The database answers, and its schema is the one this build expects. */
export async function databaseReadiness(store: BillingStore): Promise<Record<string, boolean>> {
  try {
    await store.ping();
  } catch {
    return { database: false, migrations: false };
  }
  try {
    return { database: true, migrations: (await store.pendingMigrations()) === 0 };
  } catch {
    return { database: true, migrations: false };
  }
}

export function useReadiness(options: ReadinessOptions): Plugin {
  const optional = new Set(options.optional ?? []);
  return useReadinessCheck({
    endpoint: options.endpoint ?? READY_PATH,
    check: async ({ fetchAPI }) => {
      const checks = await options.checks();
      const entries = Object.entries(checks);
      const ready = entries.every(([name, ok]) => ok || optional.has(name));
      const status = !ready ? 'not-ready' : entries.every(([, ok]) => ok) ? 'ready' : 'degraded';
      const report: ReadinessReport = { ready, status, checks };
      return new fetchAPI.Response(JSON.stringify(report), {
        status: ready ? 200 : 503,
        headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
      });
    },
  });
}
