// `billing-gateway close-period` as an operator runs it (child processes, real SQLite files): the first
// run dies between the automatic charge and its settlement; the rerun settles that charge with the
// processor and charges nothing again; a third run changes nothing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '@billing/schema/db';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'billing-close-'));
const env = {
  DATABASE_PATH: join(dir, 'billing.db'),
  SANDBOX_LEDGER_PATH: join(dir, 'ledger.db'),
  JWT_SECRET: 'close-period-test-secret-long-enough',
  // The crashed attempt is settled by the very next run, not a minute later.
  RECONCILE_AFTER_MS: '0',
  LOG_LEVEL: 'silent',
};
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], extra: Record<string, string> = {}) {
  const result = spawnSync(TSX, [CLI, ...args], { env: { ...process.env, ...env, ...extra }, encoding: 'utf8' });
  return { status: result.status, signal: result.signal, out: `${result.stdout}${result.stderr}` };
}
const query = <T>(path: string, sql: string): T[] => {
  const db = openDatabase({ path, readonly: true }).sqlite;
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
};
const succeededCharges = () =>
  query<{ n: number }>(
    env.SANDBOX_LEDGER_PATH,
    `SELECT count(*) AS n FROM ${query<{ name: string }>(env.SANDBOX_LEDGER_PATH, "SELECT name FROM sqlite_master WHERE type = 'table'")[0]!.name} WHERE status = 'SUCCEEDED'`,
  )[0]!.n;

describe('close-period', () => {
  it('a crash mid-close, then reruns: one charge, the invoice paid', () => {
    expect(cli(['seed']).status).toBe(0);
    const db = openDatabase({ path: env.DATABASE_PATH }).sqlite;
    db.prepare('UPDATE billing_profiles SET autopay = 1 WHERE id = 1').run();
    db.close();

    const crashed = cli(['close-period', '--profile', '1', '--period-end', '2026-10-31'], {
      BILLING_FAULT_INJECTION: 'crash-after-charge',
    });
    expect(crashed.signal === 'SIGKILL' || crashed.status === 137, crashed.out).toBe(true);
    expect(succeededCharges()).toBe(1);
    expect(
      query(
        env.DATABASE_PATH,
        "SELECT p.status FROM payments p JOIN invoices i ON i.id = p.invoice_id WHERE i.number LIKE 'A%'",
      ),
    ).toEqual([{ status: 'PROCESSING' }]);

    const rerun = cli(['close-period', '--profile', '1', '--period-end', '2026-10-31']);
    expect(rerun.status, rerun.out).toBe(0);
    expect(rerun.out).toContain('already issued');
    expect(cli(['close-period', '--profile', '1', '--period-end', '2026-10-31']).status).toBe(0);
    expect(cli(['autopay']).status).toBe(0);
    expect(succeededCharges()).toBe(1);
    expect(
      query(
        env.DATABASE_PATH,
        "SELECT i.lifecycle, p.status FROM invoices i JOIN payments p ON p.invoice_id = i.id WHERE i.number LIKE 'A%'",
      ),
    ).toEqual([{ lifecycle: 'PAID', status: 'SUCCEEDED' }]);
  });
});
