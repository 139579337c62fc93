// BillingReads over better-sqlite3: prepared statements (one per SQL text, kept), with an id list
// bound as one JSON array (`json_each`), so one statement serves every batch size.
import type Database from 'better-sqlite3';
import type { BillingReads } from './reads.js';
import { createReads } from './reads-sql.js';

export function createSqliteReads(
  sqlite: Database.Database,
  onQuery?: (sql: string, params: unknown[]) => void,
): BillingReads {
  const statements = new Map<string, Database.Statement>();
  return createReads({
    inList: 'IN (SELECT value FROM json_each(?))',
    listParam: (values) => JSON.stringify(values),
    async all(sql, params) {
      let statement = statements.get(sql);
      if (!statement) {
        statement = sqlite.prepare(sql);
        statements.set(sql, statement);
      }
      onQuery?.(sql, [...params]);
      return statement.all(...params) as Record<string, unknown>[];
    },
  });
}
