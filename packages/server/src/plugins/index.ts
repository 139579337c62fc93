// The gateway's plugins, in the order they must run. Order matters: the compiled-queries executor comes
// first so that every plugin wrapping execution wraps it; the request log next so it sees every request
// and stamps every response; the probes (/ready, /metrics) answer before any
// GraphQL handling; the CSRF and content-type checks refuse a request before its body is read; the
// rate limit runs before the trusted-documents check and before anything is parsed; the document
// limits run while parsing and validating, the cost limit just before execution, and the per-field
// (card-testing) limits as execution starts, once the caller is known.
import type { TracerProvider } from '@opentelemetry/api';
import type { Plugin } from 'graphql-yoga';
import { Registry } from 'prom-client';
import type { BillingEventBus, BillingServices } from '@billing/schema/billing';
import type { Authenticator } from '../auth.js';
import type { GatewayConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { SharedRedis } from '../redis.js';
import type { NodeServerContext } from '../request-info.js';
import type { CacheGenerations } from '../response-cache/generations.js';
import { useBillingResponseCache } from '../response-cache/plugin.js';
import { useBadRequestsAs400 } from './bad-request.js';
import { useCompiledQueries } from './compiled-queries.js';
import { useCsrfProtection } from './csrf.js';
import { useDocumentLimits } from './document-limits.js';
import { useVariableErrorCodes } from './error-codes.js';
import { useFieldRateLimit } from './field-rate-limit.js';
import { useIntrospectionDisabled } from './introspection.js';
import { useDocumentDownloads } from './documents.js';
import { useLastResortErrorResponse } from './last-resort.js';
import { useMetrics } from './metrics.js';
import { useOperationCostLimit } from './operation-cost.js';
import { useProductionErrorScrubbing } from './production-errors.js';
import { useRateLimit } from './rate-limit.js';
import { useRequestBodyLimit } from './request-body-limit.js';
import { useReadiness } from './readiness.js';
import { useRequestLog } from './request-log.js';
import { useStreamTracking } from './streams.js';
import { useEventStreamIds } from './event-stream-ids.js';
import { useSubscriptionGuard } from './subscription-guard.js';
import { useTracing } from './tracing.js';
import { isFromOwnGraphiQL, loadTrustedDocuments, persistedDocumentPlugins } from './trusted-documents.js';

/** A gateway plugin: Yoga's, on node:http's server context. */
export type GatewayPlugin = Plugin<object, NodeServerContext>;

export interface GatewayPluginOptions {
  config: GatewayConfig;
  services: BillingServices;
  authenticator: Authenticator;
  logger: Logger;
  graphqlPath: string;
  /** Named readiness checks for /ready (all must be true, except `redis`, which only degrades). */
  readiness: () => Promise<Record<string, boolean>>;
  /** What instances share (REDIS_URL); absent: everything in-process. */
  redis?: SharedRedis;
  /** The events this instance published (counted once fleet-wide); default: `services.events`. */
  localEvents?: BillingEventBus;
  /** Operation spans go here; absent: no tracing plugin at all. */
  tracerProvider?: TracerProvider;
  /** With `config.responseCache.ttlMs` above 0: the account generations its keys hold. */
  cacheGenerations?: CacheGenerations;
}

export function gatewayPlugins(options: GatewayPluginOptions): GatewayPlugin[] {
  const { config } = options;
  const development = config.mode === 'development';
  const { redis } = options;
  const registry = new Registry();
  const plugins: GatewayPlugin[] = [
    // First, so that every plugin that wraps execution (the response cache, tracing) wraps it.
    ...(config.compiledQueries.compileAfter >= 0
      ? [
          useCompiledQueries({
            compileAfter: config.compiledQueries.compileAfter,
            onCompileError: (errors) =>
              options.logger.warn({ errors: errors?.map((e) => e.message) }, 'query not compiled; it runs interpreted'),
          }),
        ]
      : []),
    useRequestLog({ logger: options.logger }),
    useLastResortErrorResponse({ logger: options.logger }),
    useReadiness({ checks: options.readiness, optional: ['redis'] }),
    useMetrics({
      events: options.localEvents ?? options.services.events,
      registry,
      access: { ...(config.metricsToken ? { token: config.metricsToken } : {}), open: development },
    }),
    // Before the CSRF checks: a download is a plain link, and its signed token is what guards it.
    useDocumentDownloads(options.services),
    useStreamTracking(),
    useCsrfProtection(),
    useBadRequestsAs400(),
    useRequestBodyLimit({ maxBytes: config.limits.maxBodyBytes }),
    useRateLimit({
      limits: config.limits,
      authenticator: options.authenticator,
      registry,
      ...(redis ? { shared: { redis: redis.commands, keyPrefix: redis.keyPrefix, logger: options.logger } } : {}),
    }),
  ];
  plugins.push(
    ...persistedDocumentPlugins({
      documents: loadTrustedDocuments(config.trustedDocumentsPath),
      trustedOnly: config.trustedDocumentsOnly,
      allowArbitraryDocuments: (request: Request) =>
        development && config.graphiql && isFromOwnGraphiQL(request, options.graphqlPath),
    }),
  );
  // After the persisted documents (a hash becomes its text first) and the rate limit (a hit counts).
  if (config.responseCache.ttlMs > 0 && options.cacheGenerations) {
    plugins.push(
      useBillingResponseCache({
        services: options.services,
        authenticator: options.authenticator,
        generations: options.cacheGenerations,
        ttlMs: config.responseCache.ttlMs,
      }),
    );
  }
  plugins.push(useDocumentLimits(config.limits));
  // graphql-js leaves the errors of refused variables without a code; every error a client sees has one.
  plugins.push(useVariableErrorCodes());
  if (!config.introspection) plugins.push(useIntrospectionDisabled());
  if (!development) plugins.push(useProductionErrorScrubbing());
  plugins.push(useOperationCostLimit(config.limits));
  plugins.push(useSubscriptionGuard(config.limits));
  plugins.push(useEventStreamIds());
  // Before the per-field limits, so that an operation they refuse still has its span.
  if (options.tracerProvider)
    plugins.push(useTracing({ tracerProvider: options.tracerProvider, serviceName: config.tracing.serviceName }));
  plugins.push(
    useFieldRateLimit({
      fields: {
        'Mutation.payInvoice': config.limits.payInvoicePerMinute,
        'Mutation.addPaymentMethod': config.limits.addPaymentMethodPerMinute,
      },
      registry,
      ...(redis ? { shared: { redis: redis.commands, keyPrefix: redis.keyPrefix, logger: options.logger } } : {}),
    }),
  );
  return plugins;
}
