// The database seam: everything billing/ and graphql/ ask of storage, on either dialect.
//
// - `db` runs reads (and nothing else): on SQLite a `query_only` connection to the same WAL file,
//   so a read never sees, nor waits for, another request's open transaction; on PostgreSQL the pool.
// - `transaction(fn)` runs `fn` with a `tx` that is the only way to write. On SQLite one writer
//   connection behind a first-come promise mutex (BEGIN IMMEDIATE ... COMMIT, SAVEPOINTs when
//   nested), because better-sqlite3's own `transaction` cannot await; on PostgreSQL a pooled client
//   at READ COMMITTED, where the conditional `UPDATE ... WHERE ... RETURNING` and `ON CONFLICT` claims
//   stay atomic.
// - `t` is the dialect's tables.
//
// Both dialects are typed as PostgreSQL's drizzle database over PostgreSQL's tables: drizzle's two
// database classes cannot be called through one union type (TS2349), and the async PostgreSQL API
// has none of SQLite's synchronous `.get()/.run()` that would fail on the other dialect. The SQLite
// objects are cast to it in `openSqliteStore`, the one place that does; row-types.ts proves that both
// table files give identical TypeScript rows, and every suite runs on both dialects.
import { AsyncLocalStorage } from 'node:async_hooks';
import Database from 'better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { drizzle as drizzlePg, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { getTableName, is, sql } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import {
  type DatabaseHandle,
  migrateDatabase,
  type OpenDatabaseOptions,
  openDatabase,
  openDrizzle,
  pendingMigrationCount,
} from './connection.js';
import * as pgTables from './pg-tables.js';
import type { BillingReads } from './reads.js';
import { createPostgresReads } from './reads-pg.js';
import { createSqliteReads } from './reads-sqlite.js';
import { traceReads, traceSqliteStatements } from './tracing.js';
import { pgRelations, type relations } from './relations.js';
import * as sqliteTables from './tables.js';

export const PG_MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations-pg', import.meta.url));

export type Dialect = 'sqlite' | 'postgresql';
export type StoreTables = typeof pgTables;
/** The query API both dialects share (see the file comment). */
export type StoreDb = NodePgDatabase<typeof relations>;

/** A unique index, as each engine names it in its error. */
export interface UniqueIndexRef {
  name: string;
  table: string;
  columns: readonly string[];
}

/** The partial unique index behind "one live attempt per invoice". */
export const ONE_LIVE_ATTEMPT_INDEX: UniqueIndexRef = {
  name: 'payments_one_active_per_invoice',
  table: 'payments',
  columns: ['invoice_id'],
};

export interface BillingStore {
  readonly dialect: Dialect;
  readonly t: StoreTables;
  /** SQLite's connections (writer first), for SQLite-only tooling such as the benchmark; empty on PostgreSQL. */
  readonly sqliteConnections: readonly Database.Database[];
  /** The SQL names of the tables in `t`. */
  readonly tableNames: readonly string[];
  /** Reads only. */
  readonly db: StoreDb;
  /** The GraphQL read path's batch lookups (prepared statements per dialect). */
  readonly reads: BillingReads;
  /** Runs `fn` in one transaction (a SAVEPOINT when already inside one); commits when it resolves. */
  transaction<T>(fn: (tx: StoreDb) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` only if no other instance is running it under `name` at the moment, else returns null:
   * a PostgreSQL advisory lock held for the call; on SQLite one process owns the file's writes anyway.
   */
  exclusively<T>(name: string, fn: () => Promise<T>): Promise<T | null>;
  /** Whether `error` (or a cause) is a violation of `index`. */
  isUniqueViolation(error: unknown, index: UniqueIndexRef): boolean;
  /**
   * Appends an event to the event log in `tx`, with the next sequence number. On PostgreSQL, sequence
   * numbers are handed out at insert, not at commit, so two transactions could commit in the other
   * order and a reader resuming after the higher one would never see the lower: the insert takes a
   * transaction-scoped lock first (in the same statement), held to the commit, so sequence order is
   * commit order. SQLite has one writer, so the question does not arise there.
   */
  appendEvent(tx: StoreDb, event: Omit<BillingEventRow, 'sequence'>): Promise<BillingEventRow>;
  /**
   * Raw SQL with `?` placeholders, for operators' scripts and tests that look at rows directly. Write
   * it portably (`CAST(count(*) AS INTEGER)`, not `count(*)`, which PostgreSQL returns as text).
   */
  rawQuery<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** Applies this dialect's migrations. */
  migrate(): Promise<void>;
  /** Migrations this build has that the database has not applied (readiness wants 0). */
  pendingMigrations(): Promise<number>;
  /** One round trip; throws when the database cannot answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type BillingEventRow = typeof pgTables.billingEvents.$inferSelect;

export interface StoreOptions {
  /** A `postgres://` URL, or a SQLite file path (or `:memory:`). */
  url: string;
  onQuery?: OpenDatabaseOptions['onQuery'];
  /** PostgreSQL pool size. */
  poolSize?: number;
  /** SQLite: how long a writer waits for another process's lock. */
  busyTimeoutMs?: number;
  /** OpenTelemetry spans per batch read (both dialects) and per SQL statement (SQLite); see tracing.ts. */
  traced?: boolean;
}

// Both dialects have the same tables (parity.test.ts).
const TABLE_NAMES = (Object.values(pgTables) as unknown[])
  .filter((value): value is PgTable => is(value, PgTable))
  .map((table) => getTableName(table));

export const isPostgresUrl = (url: string) => /^postgres(ql)?:\/\//.test(url);

export function openStore(options: StoreOptions): BillingStore {
  return isPostgresUrl(options.url)
    ? openPostgresStore(options)
    : openSqliteStore(openDatabase({ path: options.url, ...options }), options.traced ?? false);
}

function* causes(error: unknown): Generator<Error & { code?: unknown; constraint?: unknown }> {
  for (let e: unknown = error; e instanceof Error; e = e.cause) yield e;
}

const loggerFor = (onQuery: StoreOptions['onQuery']) =>
  onQuery ? { logger: { logQuery: (query: string, params: unknown[]) => onQuery(query, params) } } : {};

/**
 * Which transaction the current async call chain is in, so that a nested `transaction` call joins it.
 * While any AsyncLocalStorage is enabled, Node runs its promise hooks on every promise of the process;
 * reads never open a transaction but make thousands of promises per request (the executor's), so the
 * storage is switched off whenever no transaction is open. Measured on the invoices page: the hooks
 * were about 6% of its CPU.
 */
function transactionScope<T>() {
  const storage = new AsyncLocalStorage<T>();
  let open = 0;
  return {
    current: (): T | undefined => (open === 0 ? undefined : storage.getStore()),
    async run<R>(value: T, fn: () => Promise<R>): Promise<R> {
      open++;
      try {
        return await storage.run(value, fn);
      } finally {
        // Nothing is in a transaction now, so no chain can need the value: promises made from here
        // until the next `run` carry none, which is what they should see.
        if (--open === 0) storage.disable();
      }
    },
  };
}

// --- SQLite ----------------------------------------------------------------------------------------

/** A first-come mutex: `run` waits for every earlier caller. */
function createMutex() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const result = tail.then(fn);
    tail = result.catch(() => undefined);
    return result;
  };
}

/**
 * The SQLite store over an open handle (which stays the writer). A file database gets a second,
 * `query_only` connection for reads; `:memory:` has only the one connection.
 */
export function openSqliteStore(handle: DatabaseHandle, traced = false): BillingStore {
  const writer = handle.db as unknown as StoreDb;
  const { onQuery } = handle;
  let readerConnection: Database.Database | null = null;
  let reader = writer;
  if (handle.path !== ':memory:' && !handle.sqlite.readonly) {
    readerConnection = new Database(handle.path);
    readerConnection.pragma('query_only = ON');
    if (traced) traceSqliteStatements(readerConnection);
    readerConnection.pragma('busy_timeout = 5000');
    reader = openDrizzle(readerConnection, onQuery) as unknown as StoreDb;
  }
  const exclusive = createMutex();
  const depth = transactionScope<number>();
  const exec = (statement: string) => {
    onQuery?.(statement, []);
    handle.sqlite.exec(statement);
  };

  async function inTransaction<T>(level: number, fn: (tx: StoreDb) => Promise<T>): Promise<T> {
    const savepoint = `sp_${level}`;
    exec(level === 0 ? 'BEGIN IMMEDIATE' : `SAVEPOINT ${savepoint}`);
    try {
      const result = await depth.run(level + 1, () => fn(writer));
      exec(level === 0 ? 'COMMIT' : `RELEASE ${savepoint}`);
      return result;
    } catch (error) {
      if (handle.sqlite.inTransaction)
        exec(level === 0 ? 'ROLLBACK' : `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}`);
      throw error;
    }
  }

  const store: BillingStore = {
    dialect: 'sqlite',
    t: sqliteTables as unknown as StoreTables,
    tableNames: TABLE_NAMES,
    sqliteConnections: readerConnection ? [handle.sqlite, readerConnection] : [handle.sqlite],
    db: reader,
    reads: traced
      ? traceReads(createSqliteReads(readerConnection ?? handle.sqlite, onQuery))
      : createSqliteReads(readerConnection ?? handle.sqlite, onQuery),
    transaction(fn) {
      const level = depth.current();
      return level === undefined ? exclusive(() => inTransaction(0, fn)) : inTransaction(level, fn);
    },
    exclusively: (_name, fn) => fn(),
    async rawQuery<T>(text: string, params: readonly unknown[] = []) {
      const statement = handle.sqlite.prepare(text);
      if (statement.readonly) return (readerConnection ?? handle.sqlite).prepare(text).all(...params) as T[];
      // A write (RETURNING or not) goes through the writer's queue like any other.
      return store.transaction(async () => {
        if (statement.reader) return statement.all(...params) as T[];
        statement.run(...params);
        return [];
      });
    },
    async appendEvent(tx, event) {
      const [row] = await tx.insert(store.t.billingEvents).values(event).returning();
      return row!;
    },
    isUniqueViolation(error, index) {
      const message = `UNIQUE constraint failed: ${index.columns.map((c) => `${index.table}.${c}`).join(', ')}`;
      for (const e of causes(error)) if (e.message.includes(message)) return true;
      return false;
    },
    async migrate() {
      migrateDatabase(handle);
    },
    async pendingMigrations() {
      return pendingMigrationCount(handle);
    },
    async ping() {
      handle.sqlite.prepare('SELECT 1').get();
    },
    async close() {
      if (readerConnection?.open) readerConnection.close();
      handle.close();
    },
  };
  return store;
}

// --- PostgreSQL ------------------------------------------------------------------------------------

const UNIQUE_VIOLATION = '23505';

export function openPostgresStore(options: StoreOptions): BillingStore {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    // Fail fast while the server is down, so requests get a clear error instead of hanging.
    connectionTimeoutMillis: 5_000,
  });
  // A client whose server went away (restart, failover, forced drop) must not crash the process:
  // the pool handles idle ones, and a checked-out client (a transaction, the reconciler's lock)
  // emits 'error' with no listener of its own. Its pending query rejects; the pool then drops it.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = drizzlePg({ client: pool, relations: pgRelations, ...loggerFor(options.onQuery) }) as unknown as StoreDb;
  const current = transactionScope<StoreDb>();
  let closed: Promise<void> | null = null;

  return {
    dialect: 'postgresql',
    t: pgTables,
    tableNames: TABLE_NAMES,
    sqliteConnections: [],
    db,
    reads: options.traced
      ? traceReads(createPostgresReads(pool, options.onQuery))
      : createPostgresReads(pool, options.onQuery),
    transaction(fn) {
      const outer = current.current();
      if (outer) return outer.transaction((tx) => current.run(tx, () => fn(tx)));
      return db.transaction((tx) => current.run(tx, () => fn(tx)), { isolationLevel: 'read committed' });
    },
    async exclusively(name, fn) {
      const client = await pool.connect();
      try {
        const { rows } = await client.query<{ locked: boolean }>(
          'SELECT pg_try_advisory_lock(hashtext($1)) AS locked',
          [name],
        );
        if (!rows[0]?.locked) return null;
        try {
          return await fn();
        } finally {
          await client.query('SELECT pg_advisory_unlock(hashtext($1))', [name]);
        }
      } finally {
        client.release();
      }
    },
    async rawQuery<T>(text: string, params: readonly unknown[] = []) {
      let n = 0;
      const { rows } = await pool.query(
        text.replace(/\?/g, () => `$${++n}`),
        [...params],
      );
      return rows as T[];
    },
    async appendEvent(tx, event) {
      const { rows } = await tx.execute<{ sequence: number }>(sql`
        INSERT INTO billing_events (id, type, billing_account_id, billing_profile_id, invoice_id, data, occurred_at)
        SELECT ${event.id}, ${event.type}, ${event.billingAccountId}, ${event.billingProfileId}, ${event.invoiceId},
               ${JSON.stringify(event.data)}::jsonb, ${event.occurredAt}
        FROM (SELECT pg_advisory_xact_lock(hashtext('billing-gateway:event-log'))) AS event_log_lock
        RETURNING sequence`);
      return { ...event, sequence: Number(rows[0]!.sequence) };
    },
    isUniqueViolation(error, index) {
      for (const e of causes(error)) if (e.code === UNIQUE_VIOLATION && e.constraint === index.name) return true;
      return false;
    },
    async migrate() {
      // Instances starting together queue here instead of racing to create the same tables.
      const client = await pool.connect();
      try {
        await client.query("SELECT pg_advisory_lock(hashtext('billing-gateway:migrate'))");
        await migratePg(db as unknown as NodePgDatabase, { migrationsFolder: PG_MIGRATIONS_FOLDER });
      } finally {
        await client.query("SELECT pg_advisory_unlock(hashtext('billing-gateway:migrate'))").catch(() => {});
        client.release();
      }
    },
    async pendingMigrations() {
      const available = readMigrationFiles({ migrationsFolder: PG_MIGRATIONS_FOLDER }).length;
      const { rows } = await pool.query<{ applied: string | null }>(
        "SELECT CASE WHEN to_regclass('drizzle.__drizzle_migrations') IS NULL THEN NULL ELSE (SELECT count(*) FROM drizzle.__drizzle_migrations) END AS applied",
      );
      return Math.max(0, available - Number(rows[0]?.applied ?? 0));
    },
    async ping() {
      await pool.query('SELECT 1');
    },
    close() {
      closed ??= pool.end();
      return closed;
    },
  };
}
