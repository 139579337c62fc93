import { createEventBus } from '@billing/schema/billing';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { pluginYoga, postTo } from '../../test/plugin-yoga.js';
import { useMetrics } from './metrics.js';

function metered(maxOperationNames?: number) {
  const registry = new Registry();
  const events = createEventBus();
  const yoga = pluginYoga([useMetrics({ events, registry, ...(maxOperationNames ? { maxOperationNames } : {}) })]);
  return { yoga, events, registry, text: async () => (await yoga.fetch('http://yoga/metrics')).text() };
}

describe('useMetrics', () => {
  it('times each operation and each phase, and counts errors by phase', async () => {
    const { yoga, text } = metered();
    await postTo(yoga, { query: 'query Hi { hello }' });
    await postTo(yoga, { query: 'query Bad { boom }' });
    await postTo(yoga, { query: '{ nope }' });
    const metrics = await text();
    expect(metrics).toMatch(/graphql_operation_duration_seconds_count\{operation_name="Hi",operation_type="query"\} 1/);
    for (const phase of ['parse', 'validate', 'context', 'execute'])
      expect(metrics).toMatch(new RegExp(`graphql_envelop_phase_${phase}_count\\{operationType="query"\\} \\d`));
    expect(metrics).toMatch(
      /graphql_envelop_error_result\{operation_name="Bad",operation_type="query",phase="execute"\} 1/,
    );
    expect(metrics).toMatch(/graphql_envelop_error_result\{operation_name="anonymous",[^}]*phase="validate"\} 1/);
  });

  it('never puts a URL (GET variables) or an error path in a label', async () => {
    const { yoga, text } = metered();
    const variables = encodeURIComponent(JSON.stringify({ secret: 'cvc-731' }));
    await yoga.fetch(`http://yoga/graphql?query=%7Bboom%7D&variables=${variables}`);
    const metrics = await text();
    expect(metrics).toMatch(/graphql_yoga_http_duration_count\{method="GET",statusCode="200",operationType="query"\}/);
    expect(metrics).not.toContain('cvc-731');
    expect(metrics).not.toMatch(/path="/);
  });

  it('caps the caller-chosen operation names', async () => {
    const { yoga, text } = metered(2);
    for (const name of ['A', 'B', 'C', 'D']) await postTo(yoga, { query: `query ${name} { hello }` });
    await postTo(yoga, { query: 'query A { hello }' });
    const metrics = await text();
    expect(metrics).toMatch(/graphql_operation_duration_seconds_count\{operation_name="A",operation_type="query"\} 2/);
    expect(metrics).toMatch(
      /graphql_operation_duration_seconds_count\{operation_name="other",operation_type="query"\} 2/,
    );
    expect(metrics).not.toMatch(/operation_name="C"/);
    expect(metrics).not.toMatch(/operationName=/);
  });

  it('counts settled payments from the billing events', async () => {
    const { events, text } = metered();
    const paymentUpdated = (sequence: number, paymentStatus: string) => ({
      type: 'PAYMENT_UPDATED' as const,
      sequence,
      id: `evt_${sequence}`,
      billingAccountId: 1,
      billingProfileId: 1,
      invoiceId: 1,
      data: { paymentId: 1, paymentStatus },
      occurredAt: new Date().toISOString(),
    });
    events.publish(paymentUpdated(1, 'PROCESSING'));
    events.publish(paymentUpdated(2, 'SUCCEEDED'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    const metrics = await text();
    expect(metrics).toMatch(/billing_payments_total\{outcome="succeeded"\} 1\n/);
    expect(metrics).not.toMatch(/outcome="processing"/);
  });
});
