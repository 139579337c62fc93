// Every query field and mutation, for every kind of caller, over real HTTP: allowed or denied,
// and no answer to a Contoso caller ever carries Fabrikam's data (or the reverse).
import { toGlobalId } from '@billing/schema/graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardId, invoiceId, startTestGateway, type Caller, type TestGateway } from './harness.js';

let gw: TestGateway;
let keyAllScopes: string;
let keyInvoicesOnly: string;
const responsesByCaller = new Map<string, string[]>();

const CONTOSO = toGlobalId('BillingAccount', 1);
const FABRIKAM = toGlobalId('BillingAccount', 2);
const ENGINEERING = toGlobalId('BillingProfile', 1);
const MARKETING = toGlobalId('BillingProfile', 2);

type CallerName =
  | 'owner'
  | 'contributor'
  | 'reader'
  | 'invoiceManager'
  | 'otherTenant'
  | 'anonymous'
  | 'keyWithScope'
  | 'keyWithoutScope';
const CALLERS: CallerName[] = [
  'owner',
  'contributor',
  'reader',
  'invoiceManager',
  'otherTenant',
  'anonymous',
  'keyWithScope',
  'keyWithoutScope',
];

function caller(name: CallerName): Caller {
  switch (name) {
    case 'owner':
      return 'ada';
    case 'contributor':
      return 'carlos';
    case 'reader':
      return 'rita';
    case 'invoiceManager':
      return 'ivan';
    case 'otherTenant':
      return 'olga';
    case 'anonymous':
      return null;
    case 'keyWithScope':
      return { apiKey: keyAllScopes };
    case 'keyWithoutScope':
      return { apiKey: keyInvoicesOnly };
  }
}

async function call(name: CallerName, query: string, variables?: Record<string, unknown>) {
  const response = await gw.gql(query, variables, caller(name));
  responsesByCaller.set(name, [...(responsesByCaller.get(name) ?? []), response.text]);
  return response;
}

beforeAll(async () => {
  gw = await startTestGateway();
  const create = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { __typename ... on CreateApiKeySuccess { secret } } }`;
  const all = await gw.gql(create, {
    input: {
      billingAccountId: CONTOSO,
      name: 'all',
      scopes: ['INVOICES_READ', 'PAYMENT_METHODS_READ', 'PAYMENT_METHODS_WRITE', 'PAYMENTS_WRITE'],
    },
  });
  keyAllScopes = all.data!.createApiKey.secret;
  const readOnly = await gw.gql(create, {
    input: { billingAccountId: CONTOSO, name: 'read', scopes: ['INVOICES_READ'] },
  });
  keyInvoicesOnly = readOnly.data!.createApiKey.secret;
  expect(keyAllScopes).toMatch(/^bgk_/);
});

afterAll(async () => {
  await gw?.close();
});

/** Expected visibility (true = sees it) per caller, for reads. */
function matrix(expected: Partial<Record<CallerName, boolean>>): [CallerName, boolean][] {
  return CALLERS.map((c) => [c, expected[c] ?? false]);
}

describe('queries', () => {
  it.each(
    matrix({
      owner: true,
      contributor: true,
      reader: true,
      invoiceManager: true,
      otherTenant: true,
      keyWithScope: true,
      keyWithoutScope: true,
    }),
  )('viewer: %s sees=%s', async (name, sees) => {
    const r = await call(name, '{ viewer { kind billingAccounts { id displayName } } }');
    expect(r.status).toBe(200);
    expect(r.data!.viewer !== null).toBe(sees);
  });

  it.each(
    matrix({
      owner: true,
      contributor: true,
      reader: true,
      invoiceManager: true,
      keyWithScope: true,
      keyWithoutScope: true,
    }),
  )('billingAccount(Contoso): %s sees=%s', async (name, sees) => {
    const r = await call(name, 'query($id: ID!) { billingAccount(id: $id) { displayName agreementType } }', {
      id: CONTOSO,
    });
    expect(r.errors).toBeUndefined();
    expect(r.data!.billingAccount?.displayName ?? null).toBe(sees ? 'Contoso Ltd' : null);
  });

  it.each(
    matrix({
      owner: true,
      contributor: true,
      reader: true,
      invoiceManager: true,
      keyWithScope: true,
      keyWithoutScope: true,
    }),
  )('invoice in the Engineering profile, by id, by number and by node: %s sees=%s', async (name, sees) => {
    const r = await call(
      name,
      'query($id: ID!) { invoice(id: $id) { number } invoiceByNumber(number: "G100007919") { number } node(id: $id) { id } }',
      { id: invoiceId(1) },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.invoice !== null).toBe(sees);
    expect(r.data!.invoiceByNumber !== null).toBe(sees);
    expect(r.data!.node !== null).toBe(sees);
  });

  it.each(matrix({ owner: true, contributor: true, reader: true, keyWithScope: true, keyWithoutScope: true }))(
    "invoice in the Marketing profile (not the invoice manager's): %s sees=%s",
    async (name, sees) => {
      const r = await call(
        name,
        'query($id: ID!) { invoice(id: $id) { number } billingProfile(id: $p) { displayName } }'.replace(
          '$id: ID!',
          '$id: ID!, $p: ID!',
        ),
        {
          id: invoiceId(11),
          p: MARKETING,
        },
      );
      expect(r.errors).toBeUndefined();
      expect(r.data!.invoice !== null).toBe(sees);
      expect(r.data!.billingProfile !== null).toBe(sees);
    },
  );

  it.each(matrix({ owner: true, contributor: true, reader: true, invoiceManager: true, keyWithScope: true }))(
    'payment methods of a profile: %s sees=%s',
    async (name, sees) => {
      const r = await call(name, 'query($id: ID!) { billingProfile(id: $id) { paymentMethods { last4 } } }', {
        id: ENGINEERING,
      });
      const profile = r.data!.billingProfile;
      if (sees) {
        expect(r.errors).toBeUndefined();
        expect(profile.paymentMethods.map((m: { last4: string }) => m.last4)[0]).toBe('4242'); // default first
      } else {
        expect(profile?.paymentMethods ?? null).toBeNull();
      }
    },
  );

  it.each(matrix({ owner: true }))('API keys of the account: %s sees=%s', async (name, sees) => {
    const r = await call(name, 'query($id: ID!) { billingAccount(id: $id) { apiKeys { prefix } } }', { id: CONTOSO });
    const keys = r.data!.billingAccount?.apiKeys ?? null;
    expect(keys !== null).toBe(sees);
    if (sees) expect(keys.length).toBe(2);
  });

  it.each(
    matrix({
      owner: true,
      contributor: true,
      reader: true,
      invoiceManager: true,
      keyWithScope: true,
      keyWithoutScope: true,
    }),
  )('account invoices connection: %s sees=%s (invoice manager: its profile only)', async (name, sees) => {
    const r = await call(
      name,
      'query($id: ID!) { billingAccount(id: $id) { invoices(first: 100) { totalCount nodes { billingProfile { displayName } } } } }',
      {
        id: CONTOSO,
      },
    );
    expect(r.errors).toBeUndefined();
    const connection = r.data!.billingAccount?.invoices ?? null;
    expect(connection !== null).toBe(sees);
    if (!sees) return;
    const profiles = new Set(
      connection.nodes.map((n: { billingProfile: { displayName: string } }) => n.billingProfile.displayName),
    );
    if (name === 'invoiceManager') {
      expect([...profiles]).toEqual(['Contoso Engineering']);
      expect(connection.totalCount).toBe(10);
    } else {
      expect(profiles.size).toBe(3);
      expect(connection.totalCount).toBe(21);
    }
  });
});

describe('mutations', () => {
  const payInvoice = `mutation($input: PayInvoiceInput!) { payInvoice(input: $input) { __typename ... on Error { message code } ... on PayInvoiceSuccess { invoice { status amountDue { minorUnits } } } } }`;

  // Allowed payers pay their own open invoice; everyone else tries invoice 3 and must be refused.
  const payers: Record<CallerName, { invoiceId: number; cardId: number; expect: string }> = {
    owner: { invoiceId: 2, cardId: 1, expect: 'PayInvoiceSuccess' },
    keyWithScope: { invoiceId: 12, cardId: 5, expect: 'PayInvoiceSuccess' },
    contributor: { invoiceId: 3, cardId: 1, expect: 'NotAuthorizedError' },
    reader: { invoiceId: 3, cardId: 1, expect: 'NotAuthorizedError' },
    invoiceManager: { invoiceId: 3, cardId: 1, expect: 'NotAuthorizedError' },
    keyWithoutScope: { invoiceId: 3, cardId: 1, expect: 'NotAuthorizedError' },
    otherTenant: { invoiceId: 3, cardId: 1, expect: 'NotFoundError' },
    anonymous: { invoiceId: 3, cardId: 1, expect: 'NotAuthorizedError' },
  };

  it.each(CALLERS)('payInvoice as %s', async (name) => {
    const plan = payers[name];
    const r = await call(name, payInvoice, {
      input: {
        invoiceId: invoiceId(plan.invoiceId),
        paymentMethodId: cardId(plan.cardId),
        idempotencyKey: `matrix-${name}`,
      },
    });
    expect(r.errors).toBeUndefined();
    expect(r.data!.payInvoice.__typename).toBe(plan.expect);
    if (plan.expect === 'PayInvoiceSuccess') {
      expect(r.data!.payInvoice.invoice).toEqual({ status: 'PAID', amountDue: { minorUnits: 0 } });
    }
  });

  it('the invoice refused to everyone else is still payable', async () => {
    const r = await gw.gql('query($id: ID!) { invoice(id: $id) { status viewerCanPay payments { id } } }', {
      id: invoiceId(3),
    });
    expect(r.data!.invoice).toEqual({ status: 'PAST_DUE', viewerCanPay: true, payments: [] });
  });

  const addCard = `mutation($input: AddPaymentMethodInput!) { addPaymentMethod(input: $input) { __typename ... on Error { code } ... on AddPaymentMethodSuccess { paymentMethod { id last4 brand } } } }`;
  const cardManagers = matrix({ owner: true, contributor: true, keyWithScope: true });

  it.each(cardManagers)('addPaymentMethod, setDefault, remove and update as %s: allowed=%s', async (name, allowed) => {
    const added = await call(name, addCard, {
      input: {
        billingProfileId: ENGINEERING,
        cardNumber: '4242 4242 4242 4242',
        expMonth: 12,
        expYear: 2030,
        cvc: '123',
        holderName: `Card of ${name}`,
      },
    });
    expect(added.errors).toBeUndefined();
    const expectedDenial = name === 'otherTenant' ? 'NotFoundError' : 'NotAuthorizedError';
    expect(added.data!.addPaymentMethod.__typename).toBe(allowed ? 'AddPaymentMethodSuccess' : expectedDenial);
    // Existing card 2 for the denied callers: they must not be able to touch it either.
    const target = allowed ? added.data!.addPaymentMethod.paymentMethod.id : cardId(2);
    const setDefault = await call(
      name,
      'mutation($id: ID!) { setDefaultPaymentMethod(input: { paymentMethodId: $id }) { __typename ... on SetDefaultPaymentMethodSuccess { paymentMethod { isDefault } } } }',
      { id: target },
    );
    expect(setDefault.data!.setDefaultPaymentMethod.__typename).toBe(
      allowed ? 'SetDefaultPaymentMethodSuccess' : expectedDenial,
    );
    const remove = () =>
      call(
        name,
        'mutation($id: ID!) { removePaymentMethod(input: { paymentMethodId: $id }) { __typename ... on RemovePaymentMethodSuccess { paymentMethod { removedAt } } } }',
        { id: target },
      );
    if (allowed) {
      // The new card is the default now: it goes only once another card is.
      expect((await remove()).data!.removePaymentMethod.__typename).toBe('PaymentMethodNotRemovableError');
      await call(
        name,
        'mutation($id: ID!) { setDefaultPaymentMethod(input: { paymentMethodId: $id }) { __typename } }',
        {
          id: cardId(1),
        },
      );
    }
    expect((await remove()).data!.removePaymentMethod.__typename).toBe(
      allowed ? 'RemovePaymentMethodSuccess' : expectedDenial,
    );
    const updated = await call(
      name,
      'mutation($id: ID!) { updatePaymentMethod(input: { paymentMethodId: $id, holderName: "Renamed" }) { __typename } }',
      { id: allowed ? cardId(2) : target },
    );
    expect(updated.data!.updatePaymentMethod.__typename).toBe(allowed ? 'UpdatePaymentMethodSuccess' : expectedDenial);
  });

  it.each(matrix({ owner: true }))('createApiKey and revokeApiKey as %s: allowed=%s', async (name, allowed) => {
    const created = await call(
      name,
      'mutation($a: ID!) { createApiKey(input: { billingAccountId: $a, name: "x", scopes: [INVOICES_READ] }) { __typename ... on CreateApiKeySuccess { apiKey { id } } } }',
      { a: CONTOSO },
    );
    const denial = name === 'otherTenant' ? 'NotFoundError' : 'NotAuthorizedError';
    expect(created.data!.createApiKey.__typename).toBe(allowed ? 'CreateApiKeySuccess' : denial);
    const target = allowed ? created.data!.createApiKey.apiKey.id : toGlobalId('ApiKey', 1);
    const revoked = await call(name, 'mutation($k: ID!) { revokeApiKey(input: { apiKeyId: $k }) { __typename } }', {
      k: target,
    });
    expect(revoked.data!.revokeApiKey.__typename).toBe(allowed ? 'RevokeApiKeySuccess' : denial);
  });
});

describe('tenant isolation', () => {
  it('the other tenant sees its own account and nothing of Contoso; nobody at Contoso sees Fabrikam', async () => {
    const olga = await call(
      'otherTenant',
      'query($f: ID!) { billingAccount(id: $f) { displayName invoices(first: 50) { totalCount } } }',
      {
        f: FABRIKAM,
      },
    );
    expect(olga.data!.billingAccount.displayName).toBe('Fabrikam Inc');
    for (const [name, texts] of responsesByCaller) {
      const joined = texts.join('\n');
      if (name === 'otherTenant') {
        expect(joined).not.toMatch(/Contoso/);
      } else {
        expect(joined).not.toMatch(/Fabrikam|Olga/);
        expect(joined).not.toContain(FABRIKAM);
      }
    }
    expect(responsesByCaller.size).toBe(CALLERS.length);
  });
});
