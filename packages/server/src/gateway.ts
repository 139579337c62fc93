// A running gateway: resources, app and HTTP server, started and stopped as one.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { DestinationStream } from 'pino';
import {
  isoDate,
  reconcileStalePayments,
  startAutopayScheduler,
  startEventLogPruning,
  startReconciler,
  startWebhookWorker,
  type Clock,
} from '@billing/schema/billing';
import { isDatabaseEmpty, seedDemoData, type DemoSeedResult, type OpenDatabaseOptions } from '@billing/schema/db';
import { createAuthenticator, type Authenticator } from './auth.js';
import { createGatewayApp, GRAPHQL_PATH, type GatewayApp } from './app.js';
import type { GatewayConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { createDrainableServer } from './http-server.js';
import { databaseReadiness } from './plugins/readiness.js';
import { connectRedis, type SharedRedis } from './redis.js';
import { createResources, type GatewayResources } from './services.js';
import { createLocalGenerations, createRedisGenerations } from './response-cache/generations.js';
import { createSharedEventBus } from './shared-events.js';
import { startTracing } from './tracing.js';

export interface RunningGateway {
  url: string;
  graphqlUrl: string;
  app: GatewayApp;
  server: Server;
  resources: GatewayResources;
  /** The Redis connections instances share, when REDIS_URL is set. */
  redis: SharedRedis | null;
  authenticator: Authenticator;
  logger: Logger;
  /** Set when this start seeded an empty database. */
  seeded: DemoSeedResult | null;
  /**
   * Graceful stop: report not-ready (serving on for `config.shutdownDelayMs`), refuse new
   * connections, let in-flight requests finish (a payment being charged settles and answers), cut
   * streams at once and anything still running after `config.shutdownTimeoutMs`, then close the database.
   */
  close(): Promise<void>;
}

export interface StartGatewayOptions {
  clock?: Clock;
  onQuery?: OpenDatabaseOptions['onQuery'];
  /** Where the JSON log lines go (default stdout); tests pass a stream to read them. */
  logDestination?: DestinationStream;
  /** Turns tracing on with this exporter, whatever `config.tracing` says (tests pass an in-memory one). */
  spanExporter?: SpanExporter;
}

export async function startGateway(config: GatewayConfig, options: StartGatewayOptions = {}): Promise<RunningGateway> {
  const logger = createLogger(config, options.logDestination);
  const tracing = await startTracing(config, options.spanExporter);
  const redis = config.redis ? await connectRedis(config.redis, logger) : null;
  // Raised by every event this instance publishes, before the event goes anywhere (see
  // response-cache/generations.ts); only when the cache is on.
  const cacheGenerations =
    config.responseCache.ttlMs > 0
      ? redis
        ? createRedisGenerations({ redis: redis.commands, keyPrefix: redis.keyPrefix })
        : createLocalGenerations()
      : undefined;
  const resources = await createResources(config, {
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.onQuery ? { onQuery: options.onQuery } : {}),
    traced: tracing !== null,
    ...(cacheGenerations ? { onPublish: (event) => cacheGenerations.raise(event.billingAccountId) } : {}),
    ...(redis ? { sharedEvents: createSharedEventBus(redis, logger) } : {}),
  });
  const { services } = resources;
  const seeded =
    config.seedDemoData && (await isDatabaseEmpty(resources.store))
      ? await seedDemoData(resources.store, { today: isoDate(services.clock.now()) })
      : null;
  // Attempts a crashed process left PROCESSING are settled before taking traffic.
  await reconcileStalePayments(services);
  const stopReconciler = startReconciler(services, config.payments.reconcileIntervalMs, {
    onError: (error) => logger.error({ err: error }, 'payment reconciliation pass failed'),
  });
  const stopAutopay = startAutopayScheduler(services, config.payments.autopayIntervalMs, {
    onError: (error) => logger.error({ err: error }, 'autopay pass failed'),
  });
  const stopEventPruning = startEventLogPruning(services, {
    retentionDays: config.events.retentionDays,
    intervalMs: config.events.pruneIntervalMs,
    onError: (error) => logger.error({ err: error }, 'event log pruning failed'),
  });

  // Every instance runs one: claims divide the due deliveries between them (db/webhook-claims.ts).
  const stopWebhooks =
    config.webhooks.workerIntervalMs > 0
      ? startWebhookWorker(services, config.webhooks.workerIntervalMs, {
          onError: (error) => logger.error({ err: error }, 'webhook delivery pass failed'),
        })
      : () => {};

  const authenticator = createAuthenticator(config, services);
  const app = createGatewayApp({
    config,
    services,
    authenticator,
    logger,
    // Asked per /ready request, once `http` exists: a stopping instance leaves the load balancer first.
    readiness: async () => ({
      ...(await databaseReadiness(resources.store)),
      accepting: http.accepting,
      ...(redis ? { redis: redis.isUp() } : {}),
    }),
    localEvents: resources.localEvents,
    ...(redis ? { redis } : {}),
    ...(tracing ? { tracerProvider: tracing.provider } : {}),
    ...(cacheGenerations ? { cacheGenerations } : {}),
  });
  const http = createDrainableServer(app, logger);
  const { server } = http;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  let closing: Promise<void> | null = null;
  return {
    url,
    graphqlUrl: `${url}${GRAPHQL_PATH}`,
    app,
    server,
    resources,
    redis,
    authenticator,
    logger,
    seeded,
    close() {
      closing ??= (async () => {
        stopReconciler();
        stopAutopay();
        stopEventPruning();
        stopWebhooks();
        await http.drain({ delayMs: config.shutdownDelayMs, timeoutMs: config.shutdownTimeoutMs });
        await app.dispose();
        await resources.close();
        await redis?.close();
        await tracing?.shutdown();
        logger.info('gateway stopped');
        logger.flush();
      })();
      return closing;
    },
  };
}
