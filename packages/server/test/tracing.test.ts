// OpenTelemetry over real HTTP, with the SDK's in-memory exporter: a span per operation, inside it
// a span per batch read (the resolvers of one field across the page) and per SQL statement, all
// in one trace; card details, tokens and variables appear in no span; tracing is off by default.
import { toGlobalId } from '@billing/schema/graphql';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { SpanKind } from '@opentelemetry/api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startTracing } from '../src/tracing.js';
import { cardId, invoiceId, startTestGateway, type TestGateway } from './harness.js';
import { ADD_PAYMENT_METHOD, cardInput, PAY_INVOICE } from './operations.js';

const exporter = new InMemorySpanExporter();
let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ spanExporter: exporter });
});
afterAll(() => gw?.close());
beforeEach(() => exporter.reset());

const INVOICES = `query InvoicesPage($id: ID!) {
  billingAccount(id: $id) {
    invoices(first: 5) { edges { node { number lineItems { description } payments { status } } } }
  }
}`;

const spans = () => exporter.getFinishedSpans();
const named = (name: string) => spans().filter((span) => span.name === name);
const parentOf = (span: ReadableSpan) => spans().find((s) => s.spanContext().spanId === span.parentSpanContext?.spanId);

/** The span's ancestors, nearest first, by parent id. */
function ancestors(span: ReadableSpan): ReadableSpan[] {
  const chain: ReadableSpan[] = [];
  for (let parent = parentOf(span); parent; parent = parentOf(parent)) chain.push(parent);
  return chain;
}

describe('tracing on', () => {
  it('nests batch reads and their SQL statements under the operation span', async () => {
    const response = await gw.gql(INVOICES, { id: toGlobalId('BillingAccount', 1) });
    expect(response.errors).toBeUndefined();
    const [operation] = named('query.InvoicesPage');
    expect(operation).toBeDefined();
    expect(operation!.kind).toBe(SpanKind.SERVER);
    expect(operation!.attributes).toMatchObject({
      'graphql.execute.operationName': 'InvoicesPage',
      'graphql.execute.operationType': 'query',
    });
    // One batch span per field across the page: line items of 5 invoices in one read.
    const [lineItems] = named('reads.lineItemsByInvoiceIds');
    expect(lineItems?.attributes['billing.batch.size']).toBe(5);
    expect(ancestors(lineItems!)).toContain(operation);
    // Each batch read runs one SQL statement, a child of the batch span.
    // (Authentication's lookups run before execution, in traces of their own.)
    const statements = spans().filter(
      (span) =>
        span.attributes['db.system.name'] === 'sqlite' &&
        span.spanContext().traceId === operation!.spanContext().traceId,
    );
    expect(statements.length).toBeGreaterThanOrEqual(3);
    for (const statement of statements) {
      expect(statement.kind).toBe(SpanKind.CLIENT);
      expect(statement.name).toBe('SELECT');
      expect(ancestors(statement)).toContain(operation);
    }
    expect(statements.filter((statement) => parentOf(statement) === lineItems)).toHaveLength(1);
    expect(String(statements[0]!.attributes['db.query.text'])).toMatch(/^\s*select/i);
  });

  it('traces a payment with its writes, and no card detail, token or variable reaches any span', async () => {
    const cardNumber = '5555555555554444';
    const added = await gw.gql(ADD_PAYMENT_METHOD, { input: cardInput(cardNumber, { cvc: '731' }) });
    expect(added.data?.addPaymentMethod.__typename).toBe('AddPaymentMethodSuccess');
    const paid = await gw.gql(PAY_INVOICE, {
      input: { invoiceId: invoiceId(2), paymentMethodId: cardId(1), idempotencyKey: 'traced-payment-1' },
    });
    expect(paid.data?.payInvoice.__typename).toBe('PayInvoiceSuccess');

    const [payment] = named('mutation.PayInvoice');
    const writes = spans().filter(
      (span) =>
        span.spanContext().traceId === payment!.spanContext().traceId && ['INSERT', 'UPDATE'].includes(span.name),
    );
    expect(writes.length).toBeGreaterThanOrEqual(2);
    expect(writes.every((span) => ancestors(span).includes(payment!))).toBe(true);

    const everything = JSON.stringify(
      spans().map((span) => ({
        name: span.name,
        attributes: span.attributes,
        events: span.events.map((event) => ({ name: event.name, attributes: event.attributes })),
      })),
    );
    for (const secret of [cardNumber, '5555555555', '"731"', 'traced-payment-1', gw.tokens.ada]) {
      expect(everything).not.toContain(secret);
    }
    expect(everything).not.toContain('graphql.execute.variables');
  });

  it('leaves out the document of an operation with inline values', async () => {
    await gw.gql(`{ invoiceByNumber(number: "INV-000001") { id } }`);
    const [operation] = named('query.anonymous');
    expect(operation!.attributes['graphql.execute.document']).toBeUndefined();
    await gw.gql(`query Me { viewer { kind } }`);
    expect(named('query.Me')[0]!.attributes['graphql.execute.document']).toContain('viewer');
  });
});

describe('tracing configuration', () => {
  it('is off unless OTEL_TRACES_EXPORTER names an exporter', async () => {
    expect(await startTracing(loadConfig({}))).toBeNull();
    expect(loadConfig({ OTEL_TRACES_EXPORTER: 'otlp' }).tracing.exporter).toBe('otlp');
    expect(() => loadConfig({ OTEL_TRACES_EXPORTER: 'jaeger' })).toThrow(
      'OTEL_TRACES_EXPORTER "jaeger" is not available: use none, otlp, console',
    );
  });
});
