// Prometheus metrics at /metrics, from Yoga's own Prometheus plugin, one registry per gateway (two
// gateways in one process, as in tests, never share counts):
// - graphql_operation_duration_seconds{operation_name, operation_type}: each operation from parse to
//   result;
// - graphql_envelop_phase_{parse,validate,context,execute,subscribe}{operationType}: each phase;
// - graphql_envelop_error_result{operation_name, operation_type, phase}: errors in results, by phase;
// - graphql_envelop_request{operationType}, graphql_yoga_http_duration{operationType, method, statusCode};
// - billing_payments_total{outcome}: payments that settled SUCCEEDED or FAILED, counted from the
//   billing event bus, so payments settled by the reconciler count too, not only payInvoice answers;
// - the process metrics prom-client collects by default.
//
// Operation names come from callers, so only the two metrics above carry them, capped (see
// `MAX_OPERATION_NAMES`); the plugin's own `operationName` label is off everywhere else. So are
// `url` (a GET request's URL carries its variables) and an error's `path` (list indexes in it).
import { timingSafeEqual } from 'node:crypto';
import {
  createCounter,
  createHistogram,
  type FillLabelsFnParams,
  usePrometheus,
} from '@graphql-yoga/plugin-prometheus';
import { type DocumentNode, getOperationAST, type GraphQLSchema, TypeInfo, visit, visitWithTypeInfo } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { collectDefaultMetrics, Counter, Registry } from 'prom-client';
import type { BillingEventBus } from '@billing/schema/billing';

export const METRICS_PATH = '/metrics';

/** Operation names come from callers: past this many distinct ones, new names are counted as "other". */
export const MAX_OPERATION_NAMES = 200;

export interface MetricsOptions {
  /** Where settled payments are counted from. */
  events: BillingEventBus;
  /**
   * Where the registry is served; `false` serves nothing (read `registry` yourself).
   * @default '/metrics'
   */
  endpoint?: string | false;
  /** Shared with other plugins that add metrics (the rate limit's fail-open counter). @default a new registry */
  registry?: Registry;
  /**
   * prom-client's default process metrics (memory, event loop lag, ...) on the registry.
   * @default true
   */
  processMetrics?: boolean;
  /** @default 200 */
  maxOperationNames?: number;
  /** Who may read the endpoint. @default open to anyone */
  access?: MetricsAccess;
}

/**
 * Who may read /metrics: `token` set means only `Authorization: Bearer <token>` (compared in constant
 * time); `open` without a token means anyone (development); neither means nobody (production without
 * METRICS_TOKEN: 404, as if there were no such path).
 */
export interface MetricsAccess {
  token?: string;
  open: boolean;
}

function metricsAccess(access: MetricsAccess, request: Request): 'ok' | 'unauthorized' | 'hidden' {
  if (access.token === undefined) return access.open ? 'ok' : 'hidden';
  const given = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization')?.trim() ?? '')?.[1] ?? '';
  const [a, b] = [Buffer.from(given), Buffer.from(access.token)];
  return a.length === b.length && timingSafeEqual(a, b) ? 'ok' : 'unauthorized';
}

/** The operation-name label: the caller's name while fewer than `max` are known, then "other". */
function operationNameLabels(max: number) {
  const known = new Set<string>();
  return (name: string | undefined): string => {
    if (!name) return 'anonymous';
    if (known.has(name)) return name;
    if (known.size >= max) return 'other';
    known.add(name);
    return name;
  };
}

/**
 * Whether a document selects a deprecated field or passes a deprecated argument (what the
 * deprecated-field counter counts), walked once per document: Yoga's parse cache hands out the
 * same document object for the same text, and the plugin's own walk would run on every request.
 */
function deprecationFinder() {
  let typeInfo: TypeInfo | null = null;
  const known = new WeakMap<DocumentNode, boolean>();
  return {
    setSchema(schema: GraphQLSchema) {
      typeInfo = new TypeInfo(schema);
    },
    usesDeprecated(document: DocumentNode | undefined): boolean {
      if (!document || !typeInfo) return true; // let the plugin decide
      let found = known.get(document);
      if (found === undefined) {
        const info = typeInfo;
        found = false;
        visit(
          document,
          visitWithTypeInfo(info, {
            Argument() {
              const argument = info.getArgument();
              if (info.getFieldDef() && argument && argument.deprecationReason != null) found = true;
            },
            Field() {
              if (info.getFieldDef()?.deprecationReason != null) found = true;
            },
          }),
        );
        known.set(document, found);
      }
      return found;
    },
  };
}

export function useMetrics(options: MetricsOptions): Plugin {
  const registry = options.registry ?? new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const endpoint = options.endpoint ?? METRICS_PATH;
  const nameLabel = operationNameLabels(options.maxOperationNames ?? MAX_OPERATION_NAMES);
  // With the plugin's `operationName` label off, its params carry no name: it is read from the document.
  const operationLabels = (params: FillLabelsFnParams, context: { params?: { operationName?: string | null } }) => {
    const operation = params.document && getOperationAST(params.document, context?.params?.operationName);
    return {
      operation_name: nameLabel(operation ? operation.name?.value : undefined),
      operation_type: operation ? operation.operation : 'unknown',
    };
  };

  const payments = new Counter({
    name: 'billing_payments_total',
    help: 'Payments settled, by outcome (succeeded or failed).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const stop = new AbortController();
  void (async () => {
    for await (const event of options.events.subscribe(stop.signal)) {
      const status = event.type === 'PAYMENT_UPDATED' ? event.data.paymentStatus : null;
      if (status === 'SUCCEEDED' || status === 'FAILED') payments.inc({ outcome: status.toLowerCase() });
    }
  })();

  const deprecations = deprecationFinder();
  const prometheus = usePrometheus({
    registry,
    // Served by this plugin's onRequest, behind `access`.
    endpoint: false,
    labels: { operationName: false, url: false, path: false },
    metrics: {
      graphql_envelop_request_duration: createHistogram({
        registry,
        histogram: {
          name: 'graphql_operation_duration_seconds',
          help: 'GraphQL operations from parse to result, by operation name and type.',
          labelNames: ['operation_name', 'operation_type'],
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        },
        fillLabelsFn: operationLabels,
      }),
      graphql_envelop_error_result: createCounter({
        registry,
        counter: {
          name: 'graphql_envelop_error_result',
          help: 'Errors in GraphQL results, by operation and the phase that produced them.',
          labelNames: ['operation_name', 'operation_type', 'phase'],
        },
        fillLabelsFn: (params, context) => ({ ...operationLabels(params, context), phase: params.errorPhase }),
      }),
      // The plugin's own counter (same name, help and labels), asked first whether the document
      // uses anything deprecated at all: see deprecationFinder.
      graphql_envelop_deprecated_field: createCounter({
        registry,
        counter: {
          name: 'graphql_envelop_deprecated_field',
          help: 'Counts the amount of deprecated fields used in selection sets',
          labelNames: ['operationType', 'operationName', 'fieldName', 'typeName'],
        },
        fillLabelsFn: (params) => ({
          operationType: params.operationType ?? 'unknown',
          fieldName: params.deprecationInfo?.fieldName ?? '',
          typeName: params.deprecationInfo?.typeName ?? '',
        }),
        phases: ['parse'],
        shouldObserve: (params) => params.deprecationInfo !== undefined || deprecations.usesDeprecated(params.document),
      }),
      // Summaries duplicate the duration histogram and cannot be aggregated across replicas.
      graphql_envelop_request_time_summary: false,
    },
  });
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (endpoint === false || url.pathname !== endpoint) return;
      const allowed = metricsAccess(options.access ?? { open: true }, request);
      if (allowed === 'hidden') return; // Yoga's 404 for unknown paths
      if (allowed === 'unauthorized') {
        endResponse(new fetchAPI.Response(null, { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } }));
        return;
      }
      return registry
        .metrics()
        .then((text) =>
          endResponse(new fetchAPI.Response(text, { headers: { 'content-type': registry.contentType } })),
        );
    },
    onPluginInit({ addPlugin }) {
      addPlugin(prometheus);
    },
    onSchemaChange({ schema }) {
      deprecations.setSchema(schema);
    },
    onDispose() {
      stop.abort();
    },
  };
}
