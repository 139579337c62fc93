// A span per GraphQL operation (`query.Invoices`, `mutation.PayInvoice`), from
// @envelop/opentelemetry. Its per-resolver spans stay off: they record each resolver's arguments
// as JSON, and addPaymentMethod's arguments hold a card number and CVC. The groups of resolvers
// that do work (one DataLoader batch per field and page) and every SQL statement get spans from
// the database layer instead, nested under the operation's span.
import { useOpenTelemetry } from '@envelop/opentelemetry';
import { SpanKind, type TracerProvider } from '@opentelemetry/api';
import type { Plugin } from 'graphql-yoga';

export interface TracingOptions {
  /** Where the spans go (see tracing.ts). */
  tracerProvider: TracerProvider;
  /** The instrumentation scope's name. @default 'billing-gateway' */
  serviceName?: string;
}

export function useTracing(options: TracingOptions): Plugin {
  // Variables and results carry card details, tokens and amounts: never attributes. The document is
  // recorded only when it has no inline values (the library's own rule with `variables: false`).
  const plugin = useOpenTelemetry(
    { resolvers: false, variables: false, result: false, document: true },
    options.tracerProvider,
    SpanKind.SERVER,
    {},
    options.serviceName ?? 'billing-gateway',
  );
  // Typed with the context entry it adds itself; it needs nothing from Yoga's.
  return plugin as unknown as Plugin;
}
