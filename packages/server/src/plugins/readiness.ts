// /ready: 200 when this instance should get traffic, 503 otherwise (a load balancer or orchestrator
// takes it out of rotation). Liveness is Yoga's own /health: 200 whenever the process answers.
// Yoga's `useReadinessCheck` serves the endpoint; this adds the named checks and their JSON report.
import { useReadinessCheck, type Plugin } from 'graphql-yoga';
import { pendingMigrationCount, type DatabaseHandle } from '@billing/schema/db';

export const READY_PATH = '/ready';

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, boolean>;
}

export interface ReadinessOptions {
  /** Named checks, asked on every request; the instance is ready when all are true. */
  checks: () => Record<string, boolean>;
  /** @default '/ready' */
  endpoint?: string;
}

/** The database answers, and its schema is the one this build expects. */
export function databaseReadiness(database: DatabaseHandle): Record<string, boolean> {
  try {
    database.sqlite.prepare('SELECT 1').get();
  } catch {
    return { database: false, migrations: false };
  }
  try {
    return { database: true, migrations: pendingMigrationCount(database) === 0 };
  } catch {
    return { database: true, migrations: false };
  }
}

export function useReadiness(options: ReadinessOptions): Plugin {
  return useReadinessCheck({
    endpoint: options.endpoint ?? READY_PATH,
    check: ({ fetchAPI }) => {
      const checks = options.checks();
      const ready = Object.values(checks).every(Boolean);
      const report: ReadinessReport = { ready, checks };
      return new fetchAPI.Response(JSON.stringify(report), {
        status: ready ? 200 : 503,
        headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
      });
    },
  });
}
