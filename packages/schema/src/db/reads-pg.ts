// BillingReads over a pg pool: named prepared statements (parsed once per connection), with an id
// list bound as one array (`= ANY($1)`), so one statement serves every batch size.
import pg from 'pg';
import type { BillingReads } from './reads.js';
import { createReads } from './reads-sql.js';

const INT8 = 20;
// Money and counts are bigint; every value this gateway stores fits in a JS number (2^53).
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export function createPostgresReads(pool: pg.Pool, onQuery?: (sql: string, params: unknown[]) => void): BillingReads {
  const names = new Map<string, { name: string; text: string }>();
  return createReads({
    inList: '= ANY(?)',
    listParam: (values) => values,
    async all(sql, params) {
      let prepared = names.get(sql);
      if (!prepared) {
        let n = 0;
        prepared = { name: `reads_${names.size}`, text: sql.replace(/\?/g, () => `$${++n}`) };
        names.set(sql, prepared);
      }
      onQuery?.(prepared.text, [...params]);
      const result = await pool.query({ ...prepared, values: [...params], types });
      return result.rows;
    },
  });
}
