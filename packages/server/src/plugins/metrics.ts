// Prometheus metrics at /metrics, one registry per gateway (two gateways in one process, as in tests,
// never share counts):
// - graphql_operation_duration_seconds{operation_name, operation_type}: from the operation's
//   parameters being read to its result, for operations that reached execution;
// - billing_payments_total{outcome}: payments that settled SUCCEEDED or FAILED, counted from the
//   billing event bus, so payments settled by the reconciler count too, not only payInvoice answers;
// - the process metrics prom-client collects by default.
import { timingSafeEqual } from 'node:crypto';
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { BillingEventBus } from '@billing/schema/billing';

export const METRICS_PATH = '/metrics';

/** Operation names come from callers: past this many distinct ones, new names are counted as "other". */
const MAX_OPERATION_NAMES = 200;

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

export function useMetrics(events: BillingEventBus, access: MetricsAccess): Plugin {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'graphql_operation_duration_seconds',
    help: 'GraphQL operations from parameters read to result, by operation name and type.',
    labelNames: ['operation_name', 'operation_type'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const payments = new Counter({
    name: 'billing_payments_total',
    help: 'Payments settled, by outcome (succeeded or failed).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });

  const stop = new AbortController();
  void (async () => {
    for await (const event of events.subscribe(stop.signal)) {
      if (event.type === 'PAYMENT_UPDATED' && (event.status === 'SUCCEEDED' || event.status === 'FAILED')) {
        payments.inc({ outcome: event.status.toLowerCase() });
      }
    }
  })();

  const knownNames = new Set<string>();
  const nameLabel = (name: string | undefined) => {
    if (!name) return 'anonymous';
    if (knownNames.has(name)) return name;
    if (knownNames.size >= MAX_OPERATION_NAMES) return 'other';
    knownNames.add(name);
    return name;
  };

  // Keyed by the per-operation context object Yoga threads from onParams to onExecutionResult.
  const started = new WeakMap<object, number>();
  const labels = new WeakMap<object, { operation_name: string; operation_type: string }>();

  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== METRICS_PATH) return;
      const allowed = metricsAccess(access, request);
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
    onParams({ context }) {
      started.set(context, performance.now());
    },
    onExecute({ args }) {
      const operation = getOperationAST(args.document, args.operationName);
      if (operation)
        labels.set(args.contextValue, {
          operation_name: nameLabel(operation.name?.value),
          operation_type: operation.operation,
        });
    },
    onExecutionResult({ context }) {
      const start = started.get(context);
      const label = labels.get(context);
      if (start !== undefined && label) duration.observe(label, (performance.now() - start) / 1000);
    },
    onDispose() {
      stop.abort();
    },
  };
}
