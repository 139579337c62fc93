// /ready: 200 when this instance should get traffic, 503 otherwise (a load balancer or orchestrator
// takes it out of rotation). Liveness is Yoga's own /health: 200 whenever the process answers.
import type { Plugin } from 'graphql-yoga';
import { pendingMigrationCount, type DatabaseHandle } from '@billing/schema/db';

export const READY_PATH = '/ready';

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, boolean>;
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

export function useReadiness(check: () => Record<string, boolean>): Plugin {
  return {
    onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname !== READY_PATH) return;
      const checks = check();
      const ready = Object.values(checks).every(Boolean);
      const report: ReadinessReport = { ready, checks };
      endResponse(
        new fetchAPI.Response(JSON.stringify(report), {
          status: ready ? 200 : 503,
          headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
        }),
      );
    },
  };
}
