// Page sizes, in one place: the connections' defaults and bounds, and what the operation cost
// (the complexity plugin, see builder.ts) assumes for each list.

/** A connection's page when the caller sends neither `first` nor `last`. */
export const DEFAULT_PAGE_SIZE = 20;
/** The largest `first` / `last` a connection accepts. */
export const MAX_PAGE_SIZE = 100;
/** Assumed length of a list with no page arguments (line items, payments, cards, profiles). */
export const UNPAGED_LIST_SIZE = 10;

/**
 * The page a connection field can load: the larger of `first` and `last` (else the default), at most
 * MAX_PAGE_SIZE, since a larger page is refused by the connection itself with an error that says so.
 */
export function requestedPageSize(args: { first?: unknown; last?: unknown }): number {
  const sizes = [args.first, args.last].filter((value): value is number => typeof value === 'number');
  return Math.min(MAX_PAGE_SIZE, sizes.length ? Math.max(0, ...sizes) : DEFAULT_PAGE_SIZE);
}
