import { clearAllDataLoaders } from '@pothos/plugin-dataloader';
import type DataLoader from 'dataloader';
import type { GraphQLContext } from './context.js';

type Loadable<T> = { getDataloader(ctx: GraphQLContext): DataLoader<number, T | null> };

/**
 * A row as it is after a write (a mutation's result, a subscription's event): the request's
 * loaders are emptied first, since rows they hold may predate the write, then the row is read afresh.
 */
export function loadAfterWrite<T>(ctx: GraphQLContext, ref: Loadable<T>, id: number): Promise<T> {
  clearAllDataLoaders(ctx);
  return loadWritten(ctx, ref, id);
}

/** A row for primeAfterWrite: `row` is what loading `id` through `ref` would give. */
export function primed<T>(ref: Loadable<T>, id: number, row: T): (ctx: GraphQLContext) => void {
  return (ctx) => {
    ref.getDataloader(ctx).prime(id, row);
  };
}

/**
 * After a write whose resulting rows the caller already has (its RETURNING rows), once it has
 * committed: the request's loaders are emptied, as for loadAfterWrite, then given those rows, so the
 * answer's reads of them (loadWritten) cost no statement. Rows not primed are read afresh.
 */
export function primeAfterWrite(ctx: GraphQLContext, ...rows: ((ctx: GraphQLContext) => void)[]): void {
  clearAllDataLoaders(ctx);
  for (const prime of rows) prime(ctx);
}

/** A row the request's loaders were primed with after a write (primeAfterWrite), else read afresh. */
export async function loadWritten<T>(ctx: GraphQLContext, ref: Loadable<T>, id: number): Promise<T> {
  const row = await ref.getDataloader(ctx).load(id);
  if (!row) throw new Error(`row ${id} vanished right after it was written`);
  return row;
}

/** For `t.loadableList`: the rows of one batch split into one list per key, in the batch's key order. */
export function groupedBy<K, T>(keys: readonly K[], rows: readonly T[], keyOf: (row: T) => K): T[][] {
  const groups = new Map<K, T[]>(keys.map((k) => [k, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((k) => groups.get(k)!);
}
