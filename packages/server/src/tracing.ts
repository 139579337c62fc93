// OpenTelemetry tracing, off by default. `OTEL_TRACES_EXPORTER=otlp` sends spans over OTLP/HTTP
// (the exporter reads the standard OTEL_EXPORTER_OTLP_* variables itself), `console` prints them.
// When on, the provider is registered globally, as OpenTelemetry intends, so the database layer's
// spans (packages/schema/src/db/tracing.ts) reach it through the API alone, with an
// AsyncLocalStorage context manager so that they nest under the operation that ran them.
// One traced gateway per process: a second registration would be ignored.
// The SDK and the exporter are imported only when tracing is on: off (the default), start-up does
// not load them.
import { context, trace, type TracerProvider } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { GatewayConfig } from './config.js';

export type TraceExporterName = 'none' | 'otlp' | 'console';

export interface Tracing {
  provider: TracerProvider;
  /** Flushes what is batched, then unregisters. */
  shutdown(): Promise<void>;
}

/**
 * The tracer provider for `config.tracing`, registered globally; `null` when tracing is off.
 * A given `exporter` (tests pass an in-memory one) turns it on and receives every span at once.
 */
export async function startTracing(
  config: Pick<GatewayConfig, 'tracing'>,
  exporter?: SpanExporter,
): Promise<Tracing | null> {
  const { tracing } = config;
  if (!exporter && tracing.exporter === 'none') return null;
  const [{ AsyncLocalStorageContextManager }, { resourceFromAttributes }, sdk] = await Promise.all([
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-base'),
  ]);
  const { BasicTracerProvider, BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor } = sdk;
  const otlp = async () => new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter();
  const processor = exporter
    ? new SimpleSpanProcessor(exporter)
    : new BatchSpanProcessor(tracing.exporter === 'otlp' ? await otlp() : new ConsoleSpanExporter());
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': tracing.serviceName }),
    spanProcessors: [processor],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  return {
    provider,
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      context.disable();
    },
  };
}
