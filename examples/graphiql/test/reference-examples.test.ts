// The API reference's examples (docs/reference/examples/*.graphql) run as printed against a real gateway,
// so the reference cannot show an operation, a variable or an outcome that the gateway no longer gives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '@billing/server/testing';
import { loadReferenceExamples, type ReferenceExample } from '../../../scripts/reference-examples.mjs';

const examples = loadReferenceExamples();
const example = (file: string): ReferenceExample => {
  const found = examples.get(file);
  if (!found) throw new Error(`docs/reference/examples has no ${file}`);
  return found;
};

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw?.close();
});

type Row = Record<string, unknown>;

describe('the API reference examples', () => {
  it('has an example for each guide section, each with at least one case', () => {
    expect([...examples.keys()].sort()).toEqual([
      'billing-events.graphql',
      'create-webhook-endpoint.graphql',
      'page-invoices.graphql',
      'pay-invoice.graphql',
      'webhook-deliveries.graphql',
    ]);
    for (const [file, { cases, description }] of examples) {
      expect(cases.length, file).toBeGreaterThan(0);
      expect(description.length, file).toBeGreaterThan(0);
    }
  });

  it('page-invoices: the printed first page, then cursor after cursor, reaches every invoice exactly once', async () => {
    const { document, cases } = example('page-invoices.graphql');
    const first = cases[0]!;
    const seen: string[] = [];
    let after: string | null = null;
    let totalCount = 0;
    for (let page = 0; page < 50; page++) {
      const response = await gw.gql<{ billingAccount: { invoices: Row } }>(
        document,
        { ...first.variables, after },
        first.as,
      );
      expect(response.errors).toBeUndefined();
      const invoices = response.data!.billingAccount.invoices as {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        nodes: { id: string }[];
      };
      totalCount = invoices.totalCount;
      expect(invoices.nodes.length).toBeLessThanOrEqual(first.variables.first as number);
      seen.push(...invoices.nodes.map((n) => n.id));
      if (!invoices.pageInfo.hasNextPage) break;
      after = invoices.pageInfo.endCursor;
    }
    expect(totalCount).toBeGreaterThan(first.variables.first as number); // the example really pages
    expect(seen.length).toBe(totalCount);
    expect(new Set(seen).size).toBe(totalCount);
  });

  it('pay-invoice: every case answers the printed member; the repeated request charges once', async () => {
    const { document, cases } = example('pay-invoice.graphql');
    const charges = () => gw.gateway.resources.sandbox.chargeCount({ status: 'SUCCEEDED' });
    const before = charges();
    const answers: Row[] = [];
    for (const c of cases) {
      const response = await gw.gql<{ payInvoice: Row }>(document, c.variables, c.as);
      expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
      expect(response.data!.payInvoice.__typename, JSON.stringify(c.variables)).toBe(c.expect);
      if (c.expect !== 'PayInvoiceSuccess') expect(response.data!.payInvoice.errorCode).toMatch(/^[A-Z_]+$/);
      answers.push(response.data!.payInvoice);
    }
    // Cases 1 and 2 are the same request: the same payment comes back, and one charge went through.
    expect(answers[0]).toEqual(answers[1]);
    expect(charges()).toBe(before + 1);
  });

  it('webhooks: each create case answers the printed member; the printed deliveries query then shows the events of a payment', async () => {
    const create = example('create-webhook-endpoint.graphql');
    let endpointId: unknown = null;
    for (const c of create.cases) {
      const response = await gw.gql<{ createWebhookEndpoint: Row }>(create.document, c.variables, c.as);
      expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
      const answer = response.data!.createWebhookEndpoint;
      expect(answer.__typename, JSON.stringify(c.variables)).toBe(c.expect);
      if (c.expect === 'CreateWebhookEndpointSuccess') {
        expect(answer.secret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
        endpointId = (answer.endpoint as Row).id;
      } else {
        expect(answer.errorCode).toMatch(/^[A-Z_]+$/);
      }
    }
    const deliveries = example('webhook-deliveries.graphql');
    // The printed ID is the endpoint the printed registration creates on the demo data.
    expect(deliveries.cases[0]!.variables.id).toBe(endpointId);
    // A declined payment: two PAYMENT_UPDATED events (PROCESSING, then FAILED), each queued for the endpoint.
    const pay = example('pay-invoice.graphql');
    const declined = pay.cases.find((c) => c.expect === 'CardDeclinedError')!;
    const input = { ...(declined.variables.input as Row), idempotencyKey: 'reference-webhooks-declined' };
    expect((await gw.gql<{ payInvoice: Row }>(pay.document, { input })).data!.payInvoice.__typename).toBe(
      'CardDeclinedError',
    );
    const response = await gw.gql<{ webhookEndpoint: { deliveries: { nodes: { event: { type: string } }[] } } }>(
      deliveries.document,
      deliveries.cases[0]!.variables,
    );
    expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
    expect(response.data!.webhookEndpoint.deliveries.nodes.map((d) => d.event.type)).toEqual([
      'PAYMENT_UPDATED',
      'PAYMENT_UPDATED',
    ]);
  });

  it('billing-events: the printed subscription streams the change a payment makes, over SSE', async () => {
    const { document, cases } = example('billing-events.graphql');
    const subscriber = cases[0]!;
    const abort = new AbortController();
    const response = await fetch(gw.url, {
      method: 'POST',
      signal: abort.signal,
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...gw.headersFor(subscriber.as) },
      body: JSON.stringify({ query: document, variables: subscriber.variables }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();

    // Invoice 3 (Contoso Engineering, unpaid) paid with card 1 while the stream is open.
    const paid = await gw.gql<{ payInvoice: { __typename: string } }>(
      'mutation($input: PayInvoiceInput!) { payInvoice(input: $input) { __typename } }',
      {
        input: {
          invoiceId: 'SW52b2ljZToz',
          paymentMethodId: 'UGF5bWVudE1ldGhvZDox',
          idempotencyKey: 'reference-events',
        },
      },
    );
    expect(paid.data!.payInvoice.__typename).toBe('PayInvoiceSuccess');

    let text = '';
    while (!/"status":"PAID"/.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    abort.abort();
    const events = [...text.matchAll(/^data: (.+)$/gm)].map(
      (m) => JSON.parse(m[1]!) as { data: { billingEvents: Row } },
    );
    expect(events.length).toBeGreaterThan(0);
    expect(events.map((e) => e.data.billingEvents.invoice)).toContainEqual(
      expect.objectContaining({ id: 'SW52b2ljZToz', status: 'PAID' }),
    );
  });
});
