// GraphiQL as a browser gets it, its absence in production, and the README's guide run as written.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type DemoUserName, type TestGateway } from '@billing/server/testing';

const BROWSER_HEADERS = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

/**
 * The guide's operations by name, each with its Variables blocks: a JSON block belongs to the latest
 * operation above it that declares all its keys as variables (headers blocks are left out).
 */
function guideOperations(): Map<string, { document: string; variables: Record<string, unknown>[] }> {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const operations = new Map<string, { document: string; variables: Record<string, unknown>[] }>();
  for (const [, lang, text] of readme.matchAll(/```(graphql|json)\n([\s\S]*?)```/g)) {
    if (lang === 'graphql') {
      const name = /^(?:query|mutation|subscription)\s+(\w+)/m.exec(text!)?.[1];
      if (!name) throw new Error(`a graphql block without an operation name:\n${text}`);
      operations.set(name, { document: text!, variables: [] });
    } else {
      const value = JSON.parse(text!) as Record<string, unknown>;
      if ('Authorization' in value || 'X-Api-Key' in value) continue;
      const owner = [...operations.values()]
        .reverse()
        .find((o) => Object.keys(value).every((key) => o.document.includes(`$${key}:`)));
      if (!owner) throw new Error(`variables without an operation: ${text}`);
      owner.variables.push(value);
    }
  }
  return operations;
}

describe('GraphiQL in development', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('a browser opening /graphql gets GraphiQL, self-hosted, with the default document', async () => {
    const response = await fetch(gw.url, { headers: BROWSER_HEADERS });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const html = await response.text();
    expect(html.toLowerCase()).toContain('graphiql');
    expect(html).toContain('<title>Billing gateway</title>');
    expect(html).toContain('query CheckMyAccess');
    expect(html).toContain('query Invoices($accountId: ID!)');
    expect(html).not.toMatch(/<script[^>]+src="https?:/); // no CDN: works offline
  });

  it('the first screen loads the schema: a real token for the first demo user is prefilled', async () => {
    const html = await (await fetch(gw.url, { headers: BROWSER_HEADERS })).text();
    const token = /Bearer (eyJ[\w-]+\.[\w-]+\.[\w-]+)/.exec(html)?.[1];
    expect(token, 'no prefilled token in the page').toBeTruthy();
    // What GraphiQL does first: introspect with the prefilled header, then run CheckMyAccess.
    const schema = await gw.gql('{ __schema { queryType { name } } }', {}, { token: token! });
    expect(schema.status).toBe(200);
    expect(schema.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    const me = await gw.gql('{ viewer { user { email } } }', {}, { token: token! });
    expect(me.data).toEqual({ viewer: { user: { email: 'ada@contoso.example' } } });
  });

  it("GraphiQL's GET subscriptions carry the CSRF header, and pass; the same GET without it is still refused", async () => {
    const html = await (await fetch(gw.url, { headers: BROWSER_HEADERS })).text();
    expect(html).toMatch(/"additionalHeaders":\{"x-graphql-csrf":"1"\}/);
    const url = `${gw.url}?query=${encodeURIComponent('subscription { billingEvents { type } }')}`;
    const headers = { accept: 'text/event-stream', ...gw.headersFor('ada') };
    const withHeader = new AbortController();
    const ok = await fetch(url, { headers: { ...headers, 'x-graphql-csrf': '1' }, signal: withHeader.signal });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toContain('text/event-stream');
    withHeader.abort();
    const refused = await fetch(url, { headers });
    expect(refused.status).toBe(403);
  });

  describe("the README's guide, run as written", () => {
    const operations = guideOperations();
    const op = (name: string) => {
      const found = operations.get(name);
      if (!found) throw new Error(`the guide has no operation ${name}`);
      return found;
    };
    const run = async (name: string, variables: Record<string, unknown> | undefined, as: DemoUserName) => {
      const response = await gw.gql(op(name).document, variables, as);
      expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
      return response.data!;
    };

    it('has every step', () => {
      expect([...operations.keys()]).toEqual(['WhoAmI', 'InvoicesToPay', 'Cards', 'Pay', 'Watch', 'CreatePartnerKey']);
    });

    it('who am I, the invoices to pay, and the cards', async () => {
      const me = await run('WhoAmI', undefined, 'ada');
      expect(me.viewer.user.email).toBe('ada@contoso.example');
      expect(me.viewer.billingAccounts[0]).toMatchObject({
        id: 'QmlsbGluZ0FjY291bnQ6MQ==',
        viewerRole: 'OWNER',
        viewerPermissions: { canPayInvoices: true },
      });

      const invoices = await run('InvoicesToPay', op('InvoicesToPay').variables[0], 'ada');
      const invoice3 = invoices.billingAccount.invoices.nodes.find((n: { id: string }) => n.id === 'SW52b2ljZToz');
      expect(invoice3).toMatchObject({
        number: 'G100023757',
        status: 'PAST_DUE',
        viewerCanPay: true,
        billingProfile: { displayName: 'Contoso Engineering' },
      });

      const cards = await run('Cards', op('Cards').variables[0], 'ada');
      expect(cards.billingProfile.defaultPaymentMethod).toEqual({ id: 'UGF5bWVudE1ldGhvZDox', last4: '4242' });
      expect(
        cards.billingProfile.paymentMethods.find((m: { id: string }) => m.id === 'UGF5bWVudE1ldGhvZDoz').last4,
      ).toBe('0002');
    });

    it('pays once, replays the same key, shows a decline, streams the event, and refuses the reader', async () => {
      const [pay, decline, reader] = op('Pay').variables;
      // The subscription first, so the payment's event has somewhere to go.
      const abort = new AbortController();
      const stream = await fetch(gw.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...gw.headersFor('ada') },
        body: JSON.stringify({ query: op('Watch').document }),
        signal: abort.signal,
      });
      expect(stream.headers.get('content-type')).toContain('text/event-stream');
      await new Promise((resolve) => setTimeout(resolve, 200));

      const charges = gw.gateway.resources.sandbox.chargeCount();
      const first = await run('Pay', pay, 'ada');
      expect(first.payInvoice).toMatchObject({
        __typename: 'PayInvoiceSuccess',
        invoice: { number: 'G100023757', status: 'PAID' },
      });
      const again = await run('Pay', pay, 'ada');
      expect(again.payInvoice.payment.id).toBe(first.payInvoice.payment.id);
      expect(gw.gateway.resources.sandbox.chargeCount()).toBe(charges + 1);

      const events_ = stream.body!.getReader();
      let events = '';
      while (!events.includes('"INVOICE_UPDATED"')) {
        const { value, done } = await events_.read();
        if (done) break;
        events += new TextDecoder().decode(value);
      }
      abort.abort();
      expect(events).toContain('"number":"G100023757","status":"PAID"');

      const declined = await run('Pay', decline, 'ada');
      expect(declined.payInvoice).toMatchObject({
        __typename: 'CardDeclinedError',
        declineCode: 'GENERIC_DECLINE',
        message: 'The card was declined.',
      });

      const refused = await run('Pay', reader, 'rita');
      expect(refused.payInvoice.__typename).toBe('NotAuthorizedError');
      expect(refused.payInvoice.message).toContain('Only the billing account admin can pay invoices');
    });

    it('creates a partner key that works as X-Api-Key', async () => {
      const created = await run('CreatePartnerKey', undefined, 'ada');
      expect(created.createApiKey.__typename).toBe('CreateApiKeySuccess');
      const asPartner = await gw.gql(op('WhoAmI').document, undefined, { apiKey: created.createApiKey.secret });
      expect(asPartner.data!.viewer).toMatchObject({ kind: 'API_KEY', user: null });
      expect(asPartner.data!.viewer.billingAccounts).toHaveLength(1);
    });
  });
});

describe('GraphiQL in production', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { BILLING_MODE: 'production', JWT_SECRET: 'x'.repeat(40) } });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('is not served: a browser gets no HTML page', async () => {
    const response = await fetch(gw.url, { headers: BROWSER_HEADERS });
    expect(response.headers.get('content-type') ?? '').not.toContain('text/html');
    const body = await response.text();
    expect(body.toLowerCase()).not.toContain('graphiql');
    expect(body).not.toContain('CheckMyAccess');
  });
});
