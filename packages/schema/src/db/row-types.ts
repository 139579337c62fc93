// Compile-time proof that both table files give the same TypeScript rows, which is what lets the
// store type both dialects as one (see store.ts). A mismatch fails `tsc` on the line below.
import type * as pgTables from './pg-tables.js';
import type * as sqliteTables from './tables.js';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type TableNames = {
  [K in keyof typeof pgTables]: (typeof pgTables)[K] extends { $inferSelect: object } ? K : never;
}[keyof typeof pgTables];
type RowMismatches = {
  [K in TableNames]: K extends keyof typeof sqliteTables
    ? Same<(typeof pgTables)[K]['$inferSelect'], (typeof sqliteTables)[K]['$inferSelect']> extends true
      ? Same<(typeof pgTables)[K]['$inferInsert'], (typeof sqliteTables)[K]['$inferInsert']> extends true
        ? never
        : K
      : K
    : K;
}[TableNames];

export const rowTypesMatch: [RowMismatches] extends [never] ? true : RowMismatches = true;
