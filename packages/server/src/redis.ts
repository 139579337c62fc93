// The Redis connections gateway instances share (REDIS_URL): one for commands (rate-limit buckets)
// and the two that Yoga's Redis event target needs for pub/sub (a subscribed connection can run
// nothing else).
//
// Redis is never the system of record here, so an outage must not stop an instance:
// - commands fail fast while disconnected (no offline queue, a command timeout), and callers fall
//   back (limits fail open, events stay local);
// - the subscriber queues its SUBSCRIBE and resubscribes by itself when Redis is back;
// - every client reconnects forever with a capped backoff;
// - no rejected promise or `error` event goes unhandled (either would crash or spam the process).
// ioredis is imported here, at the first connection: an instance without REDIS_URL never loads it.
import type { Redis, RedisOptions } from 'ioredis';
import type { Logger } from './logger.js';

export interface RedisConfig {
  url: string;
  /** Prefix of every key and channel this gateway uses, so several deployments (or tests) share one Redis. */
  keyPrefix: string;
  /** A command slower than this fails (and its caller falls back). */
  commandTimeoutMs: number;
}

export interface SharedRedis {
  readonly keyPrefix: string;
  /** Rate-limit buckets and other atomic commands; fails fast while Redis is unreachable. */
  readonly commands: Redis;
  /** Publishes billing events; fails fast like `commands`. */
  readonly publisher: Redis;
  /** Receives billing events; resubscribes after a reconnect. */
  readonly subscriber: Redis;
  /** All three connections are up. */
  isUp(): boolean;
  close(): Promise<void>;
}

/** Reconnect delays: 100 ms, 200 ms, ... up to 2 s, forever. */
const retryStrategy = (attempt: number) => Math.min(attempt * 100, 2_000);

export async function connectRedis(
  config: RedisConfig,
  logger: Logger,
  options: { waitForConnectionMs?: number } = {},
): Promise<SharedRedis> {
  const log = logger.child({ component: 'redis' });
  const { Redis } = await import('ioredis');
  const failFast: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: config.commandTimeoutMs,
    retryStrategy,
  };
  const commands = new Redis(config.url, { ...failFast, connectionName: 'billing-gateway-commands' });
  const publisher = new Redis(config.url, { ...failFast, connectionName: 'billing-gateway-publisher' });
  const subscriber = new Redis(config.url, {
    // SUBSCRIBE waits for the connection rather than failing: a subscription must come back by itself.
    enableOfflineQueue: true,
    maxRetriesPerRequest: null,
    autoResubscribe: true,
    retryStrategy,
    connectionName: 'billing-gateway-subscriber',
  });
  const clients = { commands, publisher, subscriber };

  let up = true;
  let started = false;
  const report = () => {
    if (!started) return;
    const nowUp = Object.values(clients).every((client) => client.status === 'ready');
    if (nowUp === up) return;
    up = nowUp;
    if (nowUp) log.info('redis connections restored');
    else log.warn('redis unreachable: rate limits fail open, billing events reach this instance only');
  };
  for (const [name, client] of Object.entries(clients)) {
    // Only the first error of an outage is logged; reconnect attempts would repeat it every 2 s.
    let erroring = false;
    client.on('error', (error: Error) => {
      if (!erroring) log.warn({ connection: name, err: { message: error.message } }, 'redis connection error');
      erroring = true;
    });
    client.on('ready', () => {
      erroring = false;
      report();
    });
    client.on('close', report);
  }

  // Start degraded rather than not at all when Redis is down: the database is the truth.
  const waitMs = options.waitForConnectionMs ?? 2_000;
  await Promise.race([
    Promise.all(Object.values(clients).map((client) => new Promise((resolve) => client.once('ready', resolve)))),
    new Promise((resolve) => setTimeout(resolve, waitMs).unref()),
  ]);
  started = true;
  report();

  return {
    keyPrefix: config.keyPrefix,
    commands,
    publisher,
    subscriber,
    isUp: () => Object.values(clients).every((client) => client.status === 'ready'),
    async close() {
      await Promise.all(
        Object.values(clients).map((client) =>
          client.status === 'ready'
            ? client.quit().then(
                () => undefined,
                () => client.disconnect(),
              )
            : client.disconnect(),
        ),
      );
    },
  };
}
