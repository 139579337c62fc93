// The Yoga app factory: schema + context + gateway plugins. `gateway.ts` hands it to node:http.
import { GraphQLError } from 'graphql';
import { createYoga, maskError, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from '@billing/schema/db';
import { billingSchema, type GraphQLContext } from '@billing/schema/graphql';
import { BillingError, type BillingEventBus, type BillingServices } from '@billing/schema/billing';
import type { Authenticator } from './auth.js';
import type { GatewayConfig } from './config.js';
import { createContextFactory } from './context.js';
import { DATABASE_RETRY_AFTER_SECONDS } from './plugins/last-resort.js';
import { gatewayError } from './gateway-error.js';
import { GRAPHIQL_DEFAULT_QUERY } from './graphiql.js';
import { createLogger, yogaLogging, type Logger } from './logger.js';
import { corsPolicy } from './plugins/cors.js';
import { CSRF_HEADERS } from './plugins/csrf.js';
import type { TracerProvider } from '@opentelemetry/api';
import { gatewayPlugins } from './plugins/index.js';
import type { CacheGenerations } from './response-cache/generations.js';
import type { SharedRedis } from './redis.js';
import type { NodeServerContext } from './request-info.js';

export const GRAPHQL_PATH = '/graphql';

export interface GatewayAppOptions {
  config: GatewayConfig;
  services: BillingServices;
  authenticator: Authenticator;
  /** Default: a JSON logger on stdout at `config.logLevel`. */
  logger?: Logger;
  /** Named checks behind /ready; default: always ready. */
  readiness?: () => Promise<Record<string, boolean>>;
  /** Extra plugins, after the gateway's own. */
  plugins?: Plugin[];
  /** What instances share (REDIS_URL): rate-limit buckets. */
  redis?: SharedRedis;
  /** The events this instance published itself; default: `services.events`. */
  localEvents?: BillingEventBus;
  /** Where operation spans go, when the gateway traces. */
  tracerProvider?: TracerProvider;
  /** The response cache's account generations (when it is on). */
  cacheGenerations?: CacheGenerations;
}

export type GatewayApp = YogaServerInstance<NodeServerContext, GraphQLContext>;

async function graphiqlHeaders({ config, services, authenticator }: GatewayAppOptions): Promise<string> {
  if (config.mode !== 'development' || config.auth.jwksUrl) return '';
  const first = await services.store.db.query.users.findFirst({ orderBy: { id: 'asc' }, columns: { id: true } });
  if (!first) return '';
  return JSON.stringify({ Authorization: `Bearer ${await authenticator.mintUserToken(first.id)}` }, null, 2);
}

export function createGatewayApp(options: GatewayAppOptions): GatewayApp {
  const { config } = options;
  const logger = options.logger ?? createLogger(config);
  return createYoga<NodeServerContext, GraphQLContext>({
    schema: billingSchema(),
    graphqlEndpoint: GRAPHQL_PATH,
    healthCheckEndpoint: '/health',
    context: createContextFactory(options.services, options.authenticator),
    // Per page view: in development with locally minted tokens, the first demo user's real token is
    // prefilled so the schema and docs load on first open; otherwise no header until one is typed (a
    // placeholder token would make the schema request itself fail). GraphiQL always sends a CSRF header,
    // so its GET subscriptions pass the CSRF check the way every script client's do; forms still cannot.
    graphiql: config.graphiql
      ? async () => ({
          title: 'Billing gateway',
          defaultQuery: GRAPHIQL_DEFAULT_QUERY,
          headers: await graphiqlHeaders(options),
          additionalHeaders: { [CSRF_HEADERS[0]!]: '1' },
        })
      : false,
    // GraphiQL's assets are served by the gateway itself, so it works without a CDN (and offline);
    // the 9 MB bundle is loaded on the first page view only, not at every start-up.
    renderGraphiQL: async (graphiqlOptions) =>
      (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(graphiqlOptions),
    landingPage: false,
    // Unexpected errors never leak internals; development keeps the original message for debugging.
    maskedErrors: {
      isDev: config.mode === 'development',
      // A resolver that met an unavailable database: a clear 503, in every mode. A domain error thrown
      // where no result union catches it (scope-auth's NotAuthorizedError beside a field that reads as
      // null) is expected: it keeps its code and its message, written for people.
      maskError: (error, message, isDev) =>
        isDatabaseUnavailable(error)
          ? gatewayError('DATABASE_UNAVAILABLE', DATABASE_UNAVAILABLE_MESSAGE, {
              http: { status: 503, headers: { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) } },
            })
          : error instanceof GraphQLError && error.originalError instanceof BillingError
            ? new GraphQLError(error.originalError.message, {
                nodes: error.nodes,
                path: error.path,
                extensions: { code: error.originalError.code },
              })
            : maskError(error, message, isDev),
    },
    logging: yogaLogging(logger),
    cors: corsPolicy(config.corsOrigins),
    // The body limit is the gateway's useRequestBodyLimit (plugins/request-body-limit.ts): the same
    // 413, without counting the bytes of a body whose Content-Length already says how long it is.
    maxRequestBodySize: false,
    batching: config.limits.maxBatch > 0 ? { limit: config.limits.maxBatch } : false,
    // No upload fields in the schema: multipart bodies are refused (415) rather than parsed.
    multipart: false,
    plugins: [
      ...gatewayPlugins({
        config,
        services: options.services,
        authenticator: options.authenticator,
        logger,
        graphqlPath: GRAPHQL_PATH,
        readiness: options.readiness ?? (async () => ({})),
        ...(options.redis ? { redis: options.redis } : {}),
        ...(options.localEvents ? { localEvents: options.localEvents } : {}),
        ...(options.tracerProvider ? { tracerProvider: options.tracerProvider } : {}),
        ...(options.cacheGenerations ? { cacheGenerations: options.cacheGenerations } : {}),
      }),
      ...(options.plugins ?? []),
    ],
  });
}
