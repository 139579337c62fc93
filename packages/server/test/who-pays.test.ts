// "Only the billing account admin pays; readers look", over real HTTP: the account owner and a
// PAYMENTS_WRITE key the owner created pay; a profile owner, a contributor, a reader and a key
// without the scope do not, and the schema's description says the same.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountId, cardId, invoiceId, profileId, startTestGateway, type Caller, type TestGateway } from './harness.js';

let gw: TestGateway;
let profileOwner: Caller;
const sql = <T>(text: string, ...params: unknown[]) => gw.gateway.resources.store.rawQuery<T>(text, params);

beforeAll(async () => {
  gw = await startTestGateway({ env: { RATE_LIMIT_PER_MINUTE: '0' } });
  // A user who owns Contoso Engineering (profile 1) and holds nothing at the account level.
  const [user] = await sql<{ id: number }>(
    "INSERT INTO users (email, display_name, created_at) VALUES ('paula@contoso.example', 'Paula', '2026-01-01T00:00:00.000Z') RETURNING id",
  );
  await sql(
    "INSERT INTO billing_role_assignments (user_id, billing_account_id, billing_profile_id, role, created_at) VALUES (?, 1, 1, 'OWNER', '2026-01-01T00:00:00.000Z')",
    user!.id,
  );
  profileOwner = { token: await gw.gateway.authenticator.mintUserToken(user!.id) };
});
afterAll(() => gw?.close());

const openInvoices = () =>
  sql<{ id: number }>("SELECT id FROM invoices WHERE billing_profile_id = 1 AND lifecycle = 'OPEN' ORDER BY id");

async function pay(as: Caller, invoice: number, key: string) {
  const r = await gw.gql(
    `mutation($input: PayInvoiceInput!) { payInvoice(input: $input) { __typename ... on Error { message } } }`,
    { input: { invoiceId: invoiceId(invoice), paymentMethodId: cardId(1), idempotencyKey: key } },
    as,
  );
  return r.data?.payInvoice as { __typename: string; message?: string };
}

async function createKey(scopes: string[]): Promise<string> {
  const r = await gw.gql(
    `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { ... on CreateApiKeySuccess { secret } } }`,
    { input: { billingAccountId: accountId(1), name: `key ${scopes.join(' ')}`, scopes } },
    'ada',
  );
  return r.data?.createApiKey.secret as string;
}

describe('who may pay', () => {
  it.each([
    ['a profile owner', () => profileOwner],
    ['an account contributor', () => 'carlos' as const],
    ['an account reader', () => 'rita' as const],
  ])('%s may not: NotAuthorizedError, no "Pay now", nothing charged', async (_name, who) => {
    const [target] = await openInvoices();
    const as = who();
    expect(await pay(as, target!.id, `denied-${_name}`)).toEqual({
      __typename: 'NotAuthorizedError',
      message: 'Only the billing account admin can pay invoices.',
    });
    const seen = await gw.gql(
      `{ invoice(id: "${invoiceId(target!.id)}") { viewerCanPay } billingProfile(id: "${profileId(1)}") { viewerPermissions { canPayInvoices } } }`,
      {},
      as,
    );
    expect(seen.data).toEqual({
      invoice: { viewerCanPay: false },
      billingProfile: { viewerPermissions: { canPayInvoices: false } },
    });
    expect(await sql('SELECT id FROM payments WHERE invoice_id = ?', target!.id)).toEqual([]);
  });

  it('a key without PAYMENTS_WRITE may not', async () => {
    const [target] = await openInvoices();
    expect((await pay({ apiKey: await createKey(['INVOICES_READ']) }, target!.id, 'key-read')).__typename).toBe(
      'NotAuthorizedError',
    );
  });

  it('the billing account admin may, and so may a PAYMENTS_WRITE key the admin created', async () => {
    const [first, second] = await openInvoices();
    expect((await pay('ada', first!.id, 'admin-pays')).__typename).toBe('PayInvoiceSuccess');
    const key = await createKey(['INVOICES_READ', 'PAYMENTS_WRITE']);
    expect((await pay({ apiKey: key }, second!.id, 'key-pays')).__typename).toBe('PayInvoiceSuccess');
  });

  it("the schema's description of payInvoice says the same", async () => {
    const r = await gw.gql('{ __schema { mutationType { fields { name description } } } }', {}, null);
    const payInvoice = r.data?.__schema.mutationType.fields.find((f: { name: string }) => f.name === 'payInvoice');
    expect(payInvoice.description).toMatch(
      /Only the billing account admin may pay, or a partner API key with PAYMENTS_WRITE/,
    );
    expect(payInvoice.description).toMatch(/profile owners, contributors and readers may not/);
  });
});
