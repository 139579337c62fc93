import { is } from 'drizzle-orm';
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import { migrateDatabase, openDatabase, pendingMigrationCount } from './connection.js';
import * as tables from './tables.js';

const allTables = (Object.values(tables) as unknown[]).filter((value): value is SQLiteTable => is(value, SQLiteTable));

describe('migrations', () => {
  it('apply to an empty database and leave nothing pending', () => {
    const handle = openDatabase({ path: ':memory:' });
    expect(pendingMigrationCount(handle)).toBeGreaterThan(0);
    migrateDatabase(handle);
    expect(pendingMigrationCount(handle)).toBe(0);
    // Applying again is a no-op, as at every start-up.
    migrateDatabase(handle);
    expect(pendingMigrationCount(handle)).toBe(0);
    handle.close();
  });

  it('produce exactly the columns, indexes and foreign keys the Drizzle tables declare', () => {
    const handle = openDatabase({ path: ':memory:' });
    migrateDatabase(handle);
    expect(allTables.length).toBeGreaterThanOrEqual(11);
    for (const table of allTables) {
      const config = getTableConfig(table);
      const columns = handle.sqlite.prepare(`PRAGMA table_info(${config.name})`).all() as {
        name: string;
        notnull: number;
      }[];
      expect(columns.map((c) => c.name).sort(), config.name).toEqual(config.columns.map((c) => c.name).sort());
      for (const column of config.columns) {
        const actual = columns.find((c) => c.name === column.name)!;
        expect(Boolean(actual.notnull) || column.primary, `${config.name}.${column.name} NOT NULL`).toBe(
          column.notNull,
        );
      }
      const indexes = (handle.sqlite.prepare(`PRAGMA index_list(${config.name})`).all() as { name: string }[]).map(
        (i) => i.name,
      );
      for (const index of config.indexes) expect(indexes, config.name).toContain(index.config.name);
      const foreignKeys = handle.sqlite.prepare(`PRAGMA foreign_key_list(${config.name})`).all() as { id: number }[];
      expect(new Set(foreignKeys.map((f) => f.id)).size, `${config.name} foreign keys`).toBe(config.foreignKeys.length);
    }
    handle.close();
  });

  it('opens files in WAL mode with foreign keys on and a busy timeout', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const handle = openDatabase({ path: join(mkdtempSync(join(tmpdir(), 'billing-db-')), 'nested', 'billing.db') });
    expect(handle.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(handle.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(handle.sqlite.pragma('busy_timeout', { simple: true })).toBe(5000);
    handle.close();
  });
});
