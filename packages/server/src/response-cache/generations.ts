// Cache generations: one counter per billing account, raised after every committed change to that
// account's data (each billing event). The response cache's key holds the generations of every
// account the caller has a grant on, so a change makes every earlier answer that could show it
// unreachable at once, on every instance, without finding or deleting entries (they age out).
//
// In one process the counters are a Map, raised synchronously as the event is published. With
// REDIS_URL they are one Redis hash every instance reads (one HMGET per cached request) and raises
// (HINCRBY); a mutation's response waits for its raises (`settled`), so a read sent after it, to any
// instance, never sees the old answer. When Redis cannot answer, `read` fails and the request is
// served uncached: the cache fails closed, never stale.
import type { Redis } from 'ioredis';

export interface CacheGenerations {
  /** The current generation of each account, in the order asked. */
  read(accountIds: readonly number[]): Promise<readonly number[]>;
  /** Raises the account's generation (with Redis: starts to; `settled` waits for it). */
  raise(accountId: number): void;
  /** Resolves when every raise started so far has landed. */
  settled(): Promise<void>;
}

export function createLocalGenerations(): CacheGenerations {
  const generations = new Map<number, number>();
  return {
    async read(accountIds) {
      return accountIds.map((id) => generations.get(id) ?? 0);
    },
    raise(accountId) {
      generations.set(accountId, (generations.get(accountId) ?? 0) + 1);
    },
    async settled() {},
  };
}

export function createRedisGenerations(options: { redis: Redis; keyPrefix: string }): CacheGenerations {
  const key = `${options.keyPrefix}response-cache:generations`;
  const pending = new Set<Promise<unknown>>();
  return {
    async read(accountIds) {
      if (accountIds.length === 0) return [];
      const values = await options.redis.hmget(key, ...accountIds.map(String));
      return values.map((value) => Number(value ?? 0));
    },
    raise(accountId) {
      // A raise that fails leaves the old generation in place; answers cached under it stay
      // reachable until their TTL. `settled` rejects then, and so does the mutation's wait.
      const raising = options.redis.hincrby(key, String(accountId), 1);
      pending.add(raising);
      void raising.finally(() => pending.delete(raising)).catch(() => {});
    },
    async settled() {
      await Promise.all(pending);
    },
  };
}
