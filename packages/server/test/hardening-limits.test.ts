// Abuse limits over real HTTP, with the default limits: each refusal is a clear GraphQL error
// (code QUERY_TOO_COMPLEX, which limit, its value) with the right status, and the legitimate
// queries the SDK and the web UI send (100-item pages with line items and payments) still run.
import { readFileSync } from 'node:fs';
import { seedLargeInvoices } from '@billing/schema/db';
import { billingSchema, DEFAULT_PAGE_SIZE, measureOperation, UNPAGED_LIST_SIZE } from '@billing/schema/graphql';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TRUSTED_DOCUMENTS_PATH, loadConfig } from '../src/config.js';
import { accountId, invoiceId, profileId, startTestGateway, TODAY, type TestGateway } from './harness.js';
import { errorsOf, expectRefused, post, repeated, type RawResponse } from './hardening-support.js';

const limits = loadConfig({ JWT_SECRET: 'x' }).limits;
let gw: TestGateway;
let auth: Record<string, string>;

beforeAll(async () => {
  gw = await startTestGateway({ env: { LOG_LEVEL: 'silent' } });
  auth = gw.headersFor('ada');
  // Enough invoices on Ada's Engineering profile for full 100-item pages.
  const profile = await gw.gateway.resources.store.db.query.billingProfiles.findFirst({ where: { id: 1 } });
  await seedLargeInvoices(gw.gateway.resources.store, {
    billingAccountId: profile!.billingAccountId,
    billingProfileId: 1,
    currency: profile!.currency,
    invoices: 120,
    today: TODAY,
    numberPrefix: 'LIM-',
  });
});
afterAll(() => gw.close());

const run = (query: string, variables?: Record<string, unknown>) => post(gw.url, { query, variables }, auth);

function expectLimit(response: RawResponse, limit: string, maximum: number): void {
  expectRefused(response, 400);
  const error = errorsOf(response).find((e) => e.extensions?.code === 'QUERY_TOO_COMPLEX');
  expect(error, response.text).toBeDefined();
  expect(error!.extensions).toMatchObject({ limit, maximum });
  expect(error!.message).toMatch(/limit of \d+ exceeded/);
  expect(error!.message).not.toMatch(/^Syntax Error/);
}

describe('the defaults', () => {
  it('are the documented ones', () => {
    expect(limits).toMatchObject({
      maxDepth: 12,
      maxAliases: 30,
      maxDirectives: 5,
      maxTokens: 1000,
      maxFields: 250,
      maxCost: 50_000,
      maxBatch: 0,
    });
  });
});

describe('legitimate queries pass', () => {
  const UI_PAGE = `query Page($account: ID!, $first: Int) {
    billingAccount(id: $account) {
      invoices(first: $first, orderBy: { field: DUE_DATE, direction: ASC }) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes {
          id number status dueDate invoiceDate paidAt paymentInProgress viewerCanPay currency
          billingPeriod { start end }
          amountDue { amount currency minorUnits }
          subtotal { amount currency minorUnits }
          tax { amount currency minorUnits }
          total { amount currency minorUnits }
          billingProfile { id displayName billingAccount { id displayName } }
          lineItems { position serviceName description quantity unitPrice { amount currency } amount { amount currency } }
          payments { id status createdAt failureCode amount { amount currency } paymentMethod { id brand last4 billingProfile { displayName } } }
        }
      }
    }
  }`;

  it('a 100-invoice page with line items and payments, 8 levels deep', async () => {
    const r = await run(UI_PAGE, { account: accountId(1), first: 100 });
    expect(r.status, r.text).toBe(200);
    expect(errorsOf(r)).toEqual([]);
    const invoices = (r.body as { data: { billingAccount: { invoices: { nodes: unknown[] } } } }).data.billingAccount
      .invoices;
    expect(invoices.nodes).toHaveLength(100);
  });

  it("every document in the SDK's manifest is within the limits", async () => {
    const manifest = JSON.parse(readFileSync(DEFAULT_TRUSTED_DOCUMENTS_PATH, 'utf8')) as Record<string, string>;
    const variables = {
      accountId: accountId(1),
      profileId: profileId(1),
      invoiceId: invoiceId(1),
      id: invoiceId(1),
      number: 'none',
      first: 100,
    };
    for (const document of Object.values(manifest)) {
      if (/^\s*(fragment [^{]+\{[^}]*\}\s*)*subscription/.test(document) || /\bsubscription\s+\w/.test(document))
        continue;
      if (/\bmutation\s+\w/.test(document)) continue; // mutations are exercised by the payment tests
      const r = await run(document, variables);
      for (const error of errorsOf(r))
        expect(error.extensions?.code, `${document}\n${r.text}`).not.toBe('QUERY_TOO_COMPLEX');
      expect(r.status, r.text).toBeLessThan(500);
    }
  });
});

describe('depth', () => {
  it(`refuses nesting deeper than ${limits.maxDepth}, fragments counted by their fields`, async () => {
    const deep = `{ viewer { billingAccounts { billingProfiles { billingAccount { billingProfiles { billingAccount {
      billingProfiles { billingAccount { billingProfiles { billingAccount { billingProfiles { billingAccount { id } } } } } } } } } } } } }`;
    expectLimit(await run(deep), 'depth', limits.maxDepth);
    // The same depth through fragments.
    const viaFragments = `query { viewer { ...A } }
      fragment A on Viewer { billingAccounts { ...B } }
      fragment B on BillingAccount { billingProfiles { billingAccount { billingProfiles { billingAccount { ...C } } } } }
      fragment C on BillingAccount { billingProfiles { billingAccount { billingProfiles { billingAccount { billingProfiles { billingAccount { id } } } } } } }`;
    expectLimit(await run(viaFragments), 'depth', limits.maxDepth);
  });
});

describe('aliases', () => {
  it(`refuses more than ${limits.maxAliases} aliases, __typename included`, async () => {
    expectLimit(
      await run(`{ ${repeated(limits.maxAliases + 1, (i) => `a${i}: __typename`)} }`),
      'aliases',
      limits.maxAliases,
    );
    expectLimit(await run(`{ viewer { ${repeated(101, (i) => `k${i}: kind`)} } }`), 'aliases', limits.maxAliases);
    const r = await run(`{ ${repeated(limits.maxAliases, (i) => `a${i}: __typename`)} }`);
    expect(errorsOf(r)).toEqual([]);
  });
});

describe('directives', () => {
  it(`refuses more than ${limits.maxDirectives} directives`, async () => {
    const fields = repeated(limits.maxDirectives + 1, (i) => `f${i}: __typename @include(if: true)`);
    expectLimit(await run(`{ ${fields} }`), 'directives', limits.maxDirectives);
  });
});

describe('tokens', () => {
  it(`refuses documents of more than ${limits.maxTokens} tokens before validating them`, async () => {
    const r = await run(`{ viewer { ${repeated(limits.maxTokens, () => 'kind')} } }`);
    expectLimit(r, 'tokens', limits.maxTokens);
  });
});

describe('fields', () => {
  it(`refuses more than ${limits.maxFields} field selections, __typename included`, async () => {
    expectLimit(await run(`{ ${repeated(limits.maxFields + 1, () => '__typename')} }`), 'fields', limits.maxFields);
  });

  it('counts a fragment at every spread (fan-out through nested fragments)', async () => {
    const bomb = `query { viewer { ...L3 } }
      fragment L3 on Viewer { ...L2 ...L2 ...L2 ...L2 ...L2 ...L2 ...L2 }
      fragment L2 on Viewer { ...L1 ...L1 ...L1 ...L1 ...L1 ...L1 ...L1 }
      fragment L1 on Viewer { ...L0 ...L0 ...L0 ...L0 ...L0 ...L0 ...L0 }
      fragment L0 on Viewer { kind __typename }`;
    expectLimit(await run(bomb), 'fields', limits.maxFields);
  });
});

describe('cost', () => {
  const measure = (query: string, variables: Record<string, unknown> = {}) =>
    measureOperation(billingSchema(), parse(query), null, variables);

  it('counts each field once per object, lists multiplied by their page size', () => {
    // billingAccount, invoices = 2; the page of 7 counts what the connection selects once per invoice:
    // totalCount, nodes, id, lineItems + 10 line items x description.
    const query = `query($n: Int) { billingAccount(id: "x") { invoices(first: $n) { totalCount nodes { id lineItems { description } } } } }`;
    expect(measure(query, { n: 7 })).toMatchObject({ fields: 7, cost: 2 + 7 * (1 + 1 + 1 + 1 + UNPAGED_LIST_SIZE) });
    // No `first`: the schema's default page of 20. `edges` and `node` inside the page do not multiply again.
    expect(measure(`{ billingAccount(id: "x") { invoices { edges { node { id } } } } }`)).toMatchObject({
      fields: 5,
      cost: 2 + DEFAULT_PAGE_SIZE * 3,
    });
    // A variable's default applies when the variable is not sent.
    expect(
      measure(`query($n: Int = 3) { billingAccount(id: "x") { invoices(first: $n) { nodes { id } } } }`),
    ).toMatchObject({ cost: 2 + 3 * 2 });
    // nodes(ids:) is as long as its ids; __typename counts like any field.
    const ids = [1, 2, 3].map((id) => `"${invoiceId(id)}"`).join(', ');
    expect(measure(`{ nodes(ids: [${ids}]) { __typename id } }`)).toMatchObject({ fields: 3, cost: 1 + 3 * 2 });
  });

  it('measures a fragment once per page size, however often it is spread', () => {
    const spreads = (name: string, inner: string) =>
      `fragment ${name} on Viewer { ${repeated(10, () => `...${inner}`)} }`;
    const query = `query { viewer { ...F5 } } ${spreads('F5', 'F4')} ${spreads('F4', 'F3')} ${spreads('F3', 'F2')} ${spreads('F2', 'F1')} ${spreads('F1', 'F0')} fragment F0 on Viewer { kind }`;
    const started = performance.now();
    expect(measure(query)).toMatchObject({ fields: 1 + 100_000, cost: 1 + 100_000 });
    expect(performance.now() - started).toBeLessThan(100);
  });

  // The same rows four times over (edges and nodes, two aliased lists): about 760 per invoice.
  const PAGE_FOUR_TIMES = `query($account: ID!, $first: Int) {
    billingAccount(id: $account) {
      due: invoices(first: $first, filter: { statuses: [DUE] }) { edges { node { ...Row } } nodes { ...Row } }
      all: invoices(first: $first) { edges { node { ...Row } } nodes { ...Row } }
    }
  }
  fragment Row on Invoice {
    id number status dueDate
    amountDue { amount currency minorUnits }
    lineItems { description quantity unitPrice { amount currency } amount { amount currency } }
    payments { id status amount { amount currency } paymentMethod { brand last4 billingProfile { displayName } } }
  }`;

  it('weighs connections by their page size, also when it comes from a variable', async () => {
    const cost = (first: number) => {
      const size = measure(PAGE_FOUR_TIMES, { account: accountId(1), first });
      return size?.measured ? size.cost : Number.NaN;
    };
    expect(cost(40)).toBeLessThan(limits.maxCost);
    expect(cost(100)).toBeGreaterThan(limits.maxCost);
    expect(errorsOf(await run(PAGE_FOUR_TIMES, { account: accountId(1), first: 40 }))).toEqual([]);
    const large = await run(PAGE_FOUR_TIMES, { account: accountId(1), first: 100 });
    expectLimit(large, 'cost', limits.maxCost);
    expect(errorsOf(large)[0]!.message).toMatch(/first\/last/);
  });

  it('weighs nested lists multiplicatively', async () => {
    const nested = `{ viewer { billingAccounts { billingProfiles { invoices(first: 100) { nodes { lineItems { description } payments { id } } } } } } }`;
    expectLimit(await run(nested), 'cost', limits.maxCost);
  });

  it('weighs nodes(ids:) by the number of ids', async () => {
    const query = `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Invoice { lineItems { description unitPrice { amount } amount { amount } } payments { id } } } }`;
    const ids = (n: number) => Array.from({ length: n }, (_, i) => invoiceId(i + 1));
    expectLimit(await run(query, { ids: ids(1000) }), 'cost', limits.maxCost);
    expect(errorsOf(await run(query, { ids: ids(10) }))).toEqual([]);
  });

  it('measures nodes(ids:) with malformed IDs too, so they cannot switch the limit off', () => {
    // IDs decode strictly (a malformed one is a type that does not exist), so the count is never skipped.
    const ids = [`"${invoiceId(1)}"`, '"not-an-id"', '"%%%"'].join(', ');
    expect(measure(`{ nodes(ids: [${ids}]) { id } }`)).toMatchObject({ measured: true, cost: 1 + 3 * 1 });
  });
});

describe('request size and batching', () => {
  it(`refuses bodies over ${limits.maxBodyBytes} bytes with 413`, async () => {
    const r = await run(`{ viewer { kind } }`, { padding: 'x'.repeat(limits.maxBodyBytes) });
    expect(r.status).toBe(413);
    expect(errorsOf(r)[0]?.message).toMatch(/too large/i);
  });

  it('refuses chunked bodies over the limit too (no Content-Length to check up front)', async () => {
    const chunk = new TextEncoder().encode(
      `{"query":"{ viewer { kind } }","variables":{"p":"${'x'.repeat(limits.maxBodyBytes)}"}}`,
    );
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(chunk);
        controller.close();
      },
    });
    const response = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
  });

  it('refuses batches by default with a clear 400', async () => {
    const r = await post(gw.url, [{ query: '{ __typename }' }, { query: '{ __typename }' }], auth);
    expect(r.status).toBe(400);
    expect(errorsOf(r)[0]?.message).toMatch(/batching is not supported/i);
  });
});

describe('batching when enabled (MAX_BATCH=3)', () => {
  let batching: TestGateway;
  beforeAll(async () => {
    batching = await startTestGateway({ env: { LOG_LEVEL: 'silent', MAX_BATCH: '3' } });
  });
  afterAll(() => batching.close());

  it('runs up to 3 operations and refuses 4 with 413', async () => {
    const op = { query: '{ viewer { kind } }' };
    const ok = await post(batching.url, [op, op, op], batching.headersFor('ada'));
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual([
      { data: { viewer: { kind: 'USER' } } },
      { data: { viewer: { kind: 'USER' } } },
      { data: { viewer: { kind: 'USER' } } },
    ]);
    const tooMany = await post(batching.url, [op, op, op, op], batching.headersFor('ada'));
    expect(tooMany.status).toBe(413);
    expect(errorsOf(tooMany)[0]?.message).toMatch(/limited to 3/);
  });

  it('applies every limit to each operation of a batch', async () => {
    const alias = { query: `{ ${repeated(limits.maxAliases + 1, (i) => `a${i}: __typename`)} }` };
    const r = await post(batching.url, [{ query: '{ viewer { kind } }' }, alias], batching.headersFor('ada'));
    const [first, second] = r.body as { data?: unknown; errors?: { extensions?: { code?: string } }[] }[];
    expect(first!.data).toEqual({ viewer: { kind: 'USER' } });
    expect(second!.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });
});
