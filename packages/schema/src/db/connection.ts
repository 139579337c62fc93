// Opening the embedded database: the driver and its pragmas live here and nowhere else.
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { fileURLToPath } from 'node:url';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { relations } from './relations.js';
import { traceSqliteStatements } from './tracing.js';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url));

export interface OpenDatabaseOptions {
  /** A file path, or `:memory:`. */
  path: string;
  /** Called with every SQL statement Drizzle runs (used to count statements per request). */
  onQuery?: (sql: string, params: unknown[]) => void;
  /** How long a writer waits for a lock held by another connection before failing. */
  busyTimeoutMs?: number;
  readonly?: boolean;
  /** OpenTelemetry spans per batch read and per statement (see tracing.ts). @default false: no wrapping at all */
  traced?: boolean;
}

export function openDrizzle(client: Database.Database, onQuery: OpenDatabaseOptions['onQuery']) {
  return drizzle({
    client,
    relations,
    ...(onQuery ? { logger: { logQuery: (query: string, params: unknown[]) => onQuery(query, params) } } : {}),
  });
}

export type BillingDb = ReturnType<typeof openDrizzle>;
/** What `db.transaction` hands its (synchronous) callback. */
export type BillingTransaction = Parameters<Parameters<BillingDb['transaction']>[0]>[0];

export interface DatabaseHandle {
  db: BillingDb;
  /** The raw driver handle, for pragmas, backups and closing. */
  sqlite: Database.Database;
  path: string;
  /** The statement logger it was opened with, for other connections to the same file. */
  onQuery?: OpenDatabaseOptions['onQuery'];
  close(): void;
}

export function openDatabase(options: OpenDatabaseOptions): DatabaseHandle {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const sqlite = new Database(options.path, { readonly: options.readonly ?? false });
  if (!options.readonly) sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
  // WAL makes NORMAL durable against process crashes; only an OS crash can lose the last commits.
  sqlite.pragma('synchronous = NORMAL');
  if (options.traced) traceSqliteStatements(sqlite);
  const db = openDrizzle(sqlite, options.onQuery);
  return {
    db,
    sqlite,
    path: options.path,
    ...(options.onQuery ? { onQuery: options.onQuery } : {}),
    close: () => {
      if (sqlite.open) sqlite.close();
    },
  };
}

/**
 * Applies the pending migrations. Foreign keys are off while they run, as SQLite's own procedure for
 * schema changes asks: a migration that rebuilds a table (create the new one, copy, drop the old,
 * rename) would otherwise fail on `DROP TABLE` in any database that has rows referencing it, and
 * `PRAGMA foreign_keys` has no effect inside the migrator's transaction. After a run that applied
 * something, every foreign key is checked, so a migration can never leave a dangling reference behind.
 * That check reads every row of every table (1.7 s at a million invoices), so a start that applies
 * nothing skips it: the rows were checked when they were written, with foreign keys on.
 */
export function migrateDatabase(handle: DatabaseHandle): void {
  const enforced = handle.sqlite.pragma('foreign_keys', { simple: true }) === 1;
  handle.sqlite.pragma('foreign_keys = OFF');
  try {
    const appliedBefore = appliedMigrationCount(handle);
    const result = migrate(handle.db, { migrationsFolder: MIGRATIONS_FOLDER });
    if (result && typeof result === 'object' && 'exitCode' in result && result.exitCode !== undefined) {
      throw new Error(`database migration failed: ${JSON.stringify(result)}`);
    }
    if (appliedMigrationCount(handle) === appliedBefore) return;
    const dangling = handle.sqlite.pragma('foreign_key_check') as unknown[];
    if (dangling.length > 0) {
      throw new Error(
        `database migration left ${dangling.length} rows with dangling foreign keys: ${JSON.stringify(dangling.slice(0, 5))}`,
      );
    }
  } finally {
    if (enforced) handle.sqlite.pragma('foreign_keys = ON');
  }
}

/** Migrations recorded as applied in the database (0 before the first run). */
function appliedMigrationCount(handle: DatabaseHandle): number {
  const table = handle.sqlite
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'")
    .get();
  if (!table) return 0;
  const row = handle.sqlite.prepare('SELECT count(*) AS applied FROM __drizzle_migrations').get() as {
    applied: number;
  };
  return row.applied;
}

/** Migrations in the folder that the database has not applied yet (readiness checks want 0). */
export function pendingMigrationCount(handle: DatabaseHandle): number {
  const available = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER }).length;
  return Math.max(0, available - appliedMigrationCount(handle));
}
