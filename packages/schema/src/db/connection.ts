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

export function migrateDatabase(handle: DatabaseHandle): void {
  const result = migrate(handle.db, { migrationsFolder: MIGRATIONS_FOLDER });
  if (result && typeof result === 'object' && 'exitCode' in result && result.exitCode !== undefined) {
    throw new Error(`database migration failed: ${JSON.stringify(result)}`);
  }
}

/** Migrations in the folder that the database has not applied yet (readiness checks want 0). */
export function pendingMigrationCount(handle: DatabaseHandle): number {
  const available = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER }).length;
  const table = handle.sqlite
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'")
    .get();
  if (!table) return available;
  const row = handle.sqlite.prepare('SELECT count(*) AS applied FROM __drizzle_migrations').get() as {
    applied: number;
  };
  return Math.max(0, available - row.applied);
}
