// The operation span on an in-process Yoga, with the SDK's in-memory exporter: one span per
// operation named `<type>.<name>`, no variables and no result as attributes, and no resolver spans.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { pluginYoga, postTo } from '../../test/plugin-yoga.js';
import { useTracing } from './tracing.js';

describe('useTracing', () => {
  it('makes one SERVER span per operation, without variables, results or resolver spans', async () => {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const yoga = pluginYoga([useTracing({ tracerProvider })]);
    await postTo(yoga, { query: 'query Words($n: Int) { words(first: $n) hello }', variables: { n: 2 } });
    await postTo(yoga, { query: 'mutation { touch }' });
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => span.name)).toEqual(['query.Words', 'mutation.anonymous']);
    expect(spans[0]!.kind).toBe(SpanKind.SERVER);
    expect(spans[0]!.attributes).toEqual({
      'graphql.execute.operationName': 'Words',
      'graphql.execute.operationType': 'query',
      'graphql.execute.document': expect.stringContaining('words(first: $n)'),
    });
    expect(spans[0]!.instrumentationScope.name).toBe('billing-gateway');
  });

  it('marks an operation with errors', async () => {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const yoga = pluginYoga([useTracing({ tracerProvider, serviceName: 'probe' })]);
    await postTo(yoga, { query: 'query Boom { boom }' });
    const [span] = exporter.getFinishedSpans();
    expect(span!.instrumentationScope.name).toBe('probe');
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.events.map((event) => event.name)).toEqual(['exception']);
  });
});
