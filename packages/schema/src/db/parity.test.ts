// Both dialects' migrated databases have the same shape, read back from each live catalog (not from
// the TypeScript tables): tables, columns, NOT NULLs, CHECKs, foreign keys, unique and partial unique
// indexes, and plain indexes. Runs in the `postgresql` vitest project.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase, openDatabase, type DatabaseHandle } from './connection.js';
import { openPostgresStore, type BillingStore } from './store.js';
import { createTestPostgresDatabase, type TestPostgresDatabase } from './test-database.js';

interface Shape {
  tables: string[];
  columns: string[];
  checks: string[];
  foreignKeys: string[];
  uniques: string[];
  indexes: string[];
}

const sorted = (values: Iterable<string>) => [...new Set(values)].sort();

function sqliteShape(handle: DatabaseHandle): Shape {
  const q = <T>(sql: string) => handle.sqlite.prepare(sql).all() as T[];
  const tables = q<{ name: string; sql: string }>(
    "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%'",
  );
  const shape: Shape = { tables: [], columns: [], checks: [], foreignKeys: [], uniques: [], indexes: [] };
  for (const { name: table, sql } of tables) {
    shape.tables.push(table);
    for (const c of q<{ name: string; notnull: number; pk: number }>(`PRAGMA table_info("${table}")`)) {
      shape.columns.push(`${table}.${c.name}${c.notnull || c.pk ? ' NOT NULL' : ''}`);
    }
    for (const m of sql.matchAll(/CONSTRAINT [`"](\w+)[`"] CHECK/g)) shape.checks.push(`${table}.${m[1]}`);
    const fks = q<{ id: number; table: string; from: string; to: string }>(`PRAGMA foreign_key_list("${table}")`);
    for (const id of new Set(fks.map((f) => f.id))) {
      const parts = fks.filter((f) => f.id === id);
      shape.foreignKeys.push(
        `${table}(${parts.map((p) => p.from).join(',')}) -> ${parts[0]!.table}(${parts.map((p) => p.to).join(',')})`,
      );
    }
    for (const index of q<{ name: string; unique: number; origin: string; partial: number }>(
      `PRAGMA index_list("${table}")`,
    )) {
      if (index.origin === 'pk') continue;
      const columns = q<{ name: string }>(`PRAGMA index_info("${index.name}")`).map((c) => c.name);
      if (index.unique) shape.uniques.push(`${table}(${columns.join(',')})${index.partial ? ' partial' : ''}`);
      else shape.indexes.push(`${index.name} ON ${table}(${columns.join(',')})`);
    }
  }
  return shape;
}

async function postgresShape(client: pg.Client): Promise<Shape> {
  const q = async <T>(sql: string) => (await client.query(sql)).rows as T[];
  const shape: Shape = { tables: [], columns: [], checks: [], foreignKeys: [], uniques: [], indexes: [] };
  shape.tables = (await q<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'")).map(
    (r) => r.t,
  );
  for (const c of await q<{ t: string; c: string; nullable: string }>(
    "SELECT table_name AS t, column_name AS c, is_nullable AS nullable FROM information_schema.columns WHERE table_schema = 'public'",
  )) {
    shape.columns.push(`${c.t}.${c.c}${c.nullable === 'NO' ? ' NOT NULL' : ''}`);
  }
  const constraints = await q<{ t: string; name: string; type: string; cols: string; ref: string; refcols: string }>(
    `SELECT con.conrelid::regclass::text AS t, con.conname AS name, con.contype AS type,
            (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
               JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num) AS cols,
            con.confrelid::regclass::text AS ref,
            (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
               JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num) AS refcols
       FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace
      WHERE n.nspname = 'public'`,
  );
  for (const con of constraints) {
    if (con.type === 'c') shape.checks.push(`${con.t}.${con.name}`);
    if (con.type === 'f') shape.foreignKeys.push(`${con.t}(${con.cols}) -> ${con.ref}(${con.refcols})`);
  }
  const indexes = await q<{
    t: string;
    name: string;
    unique: boolean;
    partial: boolean;
    primary: boolean;
    cols: string;
  }>(
    `SELECT t.relname AS t, i.relname AS name, ix.indisunique AS unique, ix.indpred IS NOT NULL AS partial,
            ix.indisprimary AS primary,
            (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(ix.indkey) WITH ORDINALITY k(num, ord)
               JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.num) AS cols
       FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = 'public'`,
  );
  for (const index of indexes) {
    if (index.primary) continue;
    if (index.unique) shape.uniques.push(`${index.t}(${index.cols})${index.partial ? ' partial' : ''}`);
    else shape.indexes.push(`${index.name} ON ${index.t}(${index.cols})`);
  }
  return shape;
}

let sqlite: DatabaseHandle;
let database: TestPostgresDatabase;
let store: BillingStore;
let client: pg.Client;

beforeAll(async () => {
  sqlite = openDatabase({ path: ':memory:' });
  migrateDatabase(sqlite);
  database = await createTestPostgresDatabase();
  store = openPostgresStore({ url: database.url });
  await store.migrate();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
});
afterAll(async () => {
  await client?.end();
  await store?.close();
  await database?.drop();
  sqlite?.close();
});

describe('SQLite and PostgreSQL schemas', () => {
  it('have the same tables, columns, NOT NULLs, CHECKs, foreign keys, unique and partial unique indexes, and indexes', async () => {
    const lite = sqliteShape(sqlite);
    const post = await postgresShape(client);
    expect(lite.tables.length).toBeGreaterThanOrEqual(11);
    expect(lite.checks.length).toBeGreaterThan(10);
    expect(lite.uniques).toContain('payments(invoice_id) partial');
    for (const key of Object.keys(lite) as (keyof Shape)[]) {
      expect(sorted(post[key]), key).toEqual(sorted(lite[key]));
    }
  });

  it('carry billing_account_id on every tenant-owned table', async () => {
    const post = await postgresShape(client);
    // Idempotency records belong to a principal, and a user may act on several accounts.
    const global = new Set(['users', 'billing_accounts', 'idempotency_records']);
    for (const table of post.tables.filter((t) => !global.has(t))) {
      expect(
        post.columns.some((c) => c.startsWith(`${table}.billing_account_id`)),
        table,
      ).toBe(true);
    }
  });

  it('leave nothing pending after migrating, and migrating again is a no-op', async () => {
    expect(await store.pendingMigrations()).toBe(0);
    await store.migrate();
    expect(await store.pendingMigrations()).toBe(0);
  });
});
