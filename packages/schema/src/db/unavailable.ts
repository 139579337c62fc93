// Whether an error means "the database cannot answer right now" (down, restarting, failing over,
// out of connections, locked by another process) rather than "this request is wrong". The gateway
// answers those with 503 and a clear message instead of an unexpected-error 500. Both dialects'
// codes live here, with the rest of the dialect knowledge.

/** PostgreSQL SQLSTATEs: connection exceptions (08), operator intervention (57P), too many connections. */
const POSTGRES_UNAVAILABLE = /^(08\d{3}|57P0[1-4]|53300)$/;
/** Node socket errors on the way to the server. */
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);
/** SQLite: another process holds the lock longer than busy_timeout. */
const SQLITE_UNAVAILABLE = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED']);
/** pg's own messages for a pool that cannot connect or a connection that dropped. */
const PG_CLIENT =
  /timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error/;

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (
      typeof code === 'string' &&
      (POSTGRES_UNAVAILABLE.test(code) || NETWORK.has(code) || SQLITE_UNAVAILABLE.has(code))
    )
      return true;
    if (PG_CLIENT.test(e.message)) return true;
    // GraphQL wraps resolver errors; AggregateError carries several connection attempts.
    const original = (e as { originalError?: unknown }).originalError;
    if (original && isDatabaseUnavailable(original)) return true;
    if (e instanceof AggregateError && e.errors.some(isDatabaseUnavailable)) return true;
  }
  return false;
}

/** What a client is told while the database is unavailable. */
export const DATABASE_UNAVAILABLE_MESSAGE = 'The billing database is temporarily unavailable. Retry shortly.';
