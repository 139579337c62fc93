// No existence oracle: for every node type and every entry point that takes an ID (node, nodes, the
// typed lookups, every mutation input), a missing ID, a malformed one, one of another type and another
// tenant's real one get byte-identical answers, anonymous and signed in. None is an internal error,
// none writes an error-level log line, and none changes the database.
import { transactionWithEvents } from '@billing/schema/billing';
import { NODE_TYPE_NAMES, toGlobalId, type NodeTypeName } from '@billing/schema/graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpDatabase, LogCapture } from './hardening-support.js';
import { accountId, cardId, invoiceId, profileId, startTestGateway, type Caller, type TestGateway } from './harness.js';

// Every node type the schema has: a new one is probed without anyone remembering to list it here.
const NODE_TYPES = NODE_TYPE_NAMES;

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** IDs that name nothing the caller may see, as a prober would try them. */
function unseenIds(typename: NodeTypeName, foreignRowId: number): Record<string, string> {
  return {
    missing: toGlobalId(typename, 999_999),
    negative: base64(`${typename}:-1`),
    fraction: base64(`${typename}:1.5`),
    zero: base64(`${typename}:0`),
    leadingZero: base64(`${typename}:0${foreignRowId}`),
    hex: base64(`${typename}:0x1`),
    sqlInjection: base64(`${typename}:1'; DROP TABLE invoices;--`),
    unknownType: base64('Nope:1'),
    noSeparator: base64(typename),
    notBase64: '%%%not base64!',
    empty: '',
    huge: toGlobalId(typename, 2 ** 60),
    otherTenant: toGlobalId(typename, foreignRowId),
  };
}

const rawIdOf = (globalId: string) => Number(Buffer.from(globalId, 'base64').toString().split(':')[1]);

let gw: TestGateway;
const logs = new LogCapture();
/** Another tenant's real row of each type (Fabrikam's, as seen from Contoso and by anonymous callers). */
const foreign = {} as Record<NodeTypeName, number>;
let before: Record<string, unknown[]>;

beforeAll(async () => {
  gw = await startTestGateway({
    env: { LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '0', ANONYMOUS_RATE_LIMIT_PER_MINUTE: '0' },
    logDestination: logs,
  });
  // Fabrikam (account 2, Olga) gets an API key and a payment, so every node type has a foreign row.
  const key = await gw.gql(
    `mutation { createApiKey(input: { billingAccountId: "${accountId(2)}", name: "fabrikam", scopes: [INVOICES_READ] }) {
      ... on CreateApiKeySuccess { apiKey { id } } } }`,
    {},
    'olga',
  );
  const due = await gw.gql(
    `{ billingAccount(id: "${accountId(2)}") { invoices(first: 1, filter: { statuses: [DUE, PAST_DUE] }) { nodes { id } } } }`,
    {},
    'olga',
  );
  // Fabrikam is on an Enterprise Agreement, which cannot pay by card: its payment is written directly,
  // as a declined attempt on its due invoice.
  const fabrikamInvoice = rawIdOf(due.data?.billingAccount.invoices.nodes[0].id);
  const [payment] = await gw.gateway.resources.store.rawQuery<{ id: number }>(
    `INSERT INTO payments (billing_account_id, invoice_id, payment_method_id, amount_minor, currency, status, failure_code,
       processor_idempotency_key, initiated_by, created_at, updated_at)
     VALUES (2, ?, 7, 100, 'USD', 'FAILED', 'GENERIC_DECLINE', 'id-oracle-fabrikam-1', 'user:5', ?, ?) RETURNING id`,
    [fabrikamInvoice, '2026-11-29T12:00:00.000Z', '2026-11-29T12:00:00.000Z'],
  );
  // A webhook endpoint of Fabrikam's, and a delivery to it (no worker runs in the harness: it stays queued).
  const endpoint = await gw.gql(
    `mutation { createWebhookEndpoint(input: { billingAccountId: "${accountId(2)}", url: "http://127.0.0.1:9/hooks",
      eventTypes: [INVOICE_UPDATED] }) { ... on CreateWebhookEndpointSuccess { endpoint { id } } } }`,
    {},
    'olga',
  );
  const { services } = gw.gateway.resources;
  await transactionWithEvents(services, (_tx, record) =>
    record({ type: 'INVOICE_UPDATED', billingAccountId: 2, invoiceId: fabrikamInvoice, data: {} }),
  );
  const [delivery] = await gw.gateway.resources.store.rawQuery<{ id: number }>(
    'SELECT id FROM webhook_deliveries WHERE billing_account_id = 2',
  );
  Object.assign(foreign, {
    WebhookEndpoint: rawIdOf(endpoint.data?.createWebhookEndpoint.endpoint.id),
    WebhookDelivery: Number(delivery?.id),
    User: 5,
    BillingAccount: 2,
    BillingProfile: 4,
    Invoice: fabrikamInvoice,
    PaymentMethod: 7,
    Payment: Number(payment?.id),
    ApiKey: rawIdOf(key.data?.createApiKey.apiKey.id),
  });
  for (const [type, id] of Object.entries(foreign)) expect(Number.isSafeInteger(id), type).toBe(true);
  before = await dumpDatabase(gw.gateway.resources.store);
});
afterAll(() => gw?.close());

const CALLERS: [string, Caller][] = [
  ['anonymous', null],
  ['signed in (Contoso admin)', 'ada'],
];

const ERROR_MEMBERS = '__typename ... on Error { message code } ... on NotFoundError { resource }';

/** Every entry point that takes a global ID, as (query, variables for an ID). */
function entryPoints(typename: NodeTypeName): [string, string, (id: string) => Record<string, unknown>][] {
  const points: [string, string, (id: string) => Record<string, unknown>][] = [
    ['node', 'query($id: ID!) { node(id: $id) { __typename id } }', (id) => ({ id })],
    ['nodes', 'query($id: ID!) { nodes(ids: [$id, $id]) { __typename id } }', (id) => ({ id })],
  ];
  const lookup = {
    BillingAccount: 'billingAccount',
    BillingProfile: 'billingProfile',
    Invoice: 'invoice',
    WebhookEndpoint: 'webhookEndpoint',
  } as const;
  if (typename in lookup) {
    const field = lookup[typename as keyof typeof lookup];
    points.push([field, `query($id: ID!) { ${field}(id: $id) { __typename id } }`, (id) => ({ id })]);
  }
  const card = {
    cardNumber: '4242424242424242',
    expMonth: 12,
    expYear: 2030,
    cvc: '123',
    holderName: 'Ada Lovelace',
  };
  const mutation = (name: string) =>
    `mutation($input: ${name[0]!.toUpperCase()}${name.slice(1)}Input!) { ${name}(input: $input) { ${ERROR_MEMBERS} } }`;
  const add: Record<string, [string, string, (id: string) => Record<string, unknown>][]> = {
    BillingAccount: [
      [
        'createApiKey.billingAccountId',
        mutation('createApiKey'),
        (id) => ({ input: { billingAccountId: id, name: 'probe', scopes: ['INVOICES_READ'] } }),
      ],
      [
        'createWebhookEndpoint.billingAccountId',
        mutation('createWebhookEndpoint'),
        (id) => ({ input: { billingAccountId: id, url: 'http://127.0.0.1:9/probe', eventTypes: ['INVOICE_UPDATED'] } }),
      ],
    ],
    WebhookEndpoint: [
      [
        'updateWebhookEndpoint',
        mutation('updateWebhookEndpoint'),
        (id) => ({ input: { endpointId: id, enabled: false } }),
      ],
      ['deleteWebhookEndpoint', mutation('deleteWebhookEndpoint'), (id) => ({ input: { endpointId: id } })],
      ['rotateWebhookEndpointSecret', mutation('rotateWebhookEndpointSecret'), (id) => ({ input: { endpointId: id } })],
      [
        'replayWebhookEvents',
        mutation('replayWebhookEvents'),
        (id) => ({ input: { endpointId: id, afterSequence: 0 } }),
      ],
    ],
    WebhookDelivery: [
      ['redeliverWebhookDelivery', mutation('redeliverWebhookDelivery'), (id) => ({ input: { deliveryId: id } })],
    ],
    BillingProfile: [
      [
        'addPaymentMethod.billingProfileId',
        mutation('addPaymentMethod'),
        (id) => ({ input: { billingProfileId: id, ...card } }),
      ],
      [
        'setAutopay.billingProfileId',
        mutation('setAutopay'),
        (id) => ({ input: { billingProfileId: id, enabled: false } }),
      ],
      [
        'setDefaultPaymentType.billingProfileId',
        mutation('setDefaultPaymentType'),
        (id) => ({ input: { billingProfileId: id, type: 'WIRE_TRANSFER' } }),
      ],
    ],
    Invoice: [
      [
        'payInvoice.invoiceId',
        mutation('payInvoice'),
        (id) => ({ input: { invoiceId: id, paymentMethodId: cardId(1), idempotencyKey: `probe-${id}` } }),
      ],
    ],
    PaymentMethod: [
      [
        'payInvoice.paymentMethodId',
        mutation('payInvoice'),
        (id) => ({ input: { invoiceId: invoiceId(1), paymentMethodId: id, idempotencyKey: `probe-${id}` } }),
      ],
      ['setDefaultPaymentMethod', mutation('setDefaultPaymentMethod'), (id) => ({ input: { paymentMethodId: id } })],
      ['removePaymentMethod', mutation('removePaymentMethod'), (id) => ({ input: { paymentMethodId: id } })],
      [
        'updatePaymentMethod',
        mutation('updatePaymentMethod'),
        (id) => ({ input: { paymentMethodId: id, expMonth: 1, expYear: 2031, holderName: 'Probe' } }),
      ],
    ],
    ApiKey: [['revokeApiKey', mutation('revokeApiKey'), (id) => ({ input: { apiKeyId: id } })]],
  };
  return [...points, ...(add[typename] ?? [])];
}

describe.each(NODE_TYPES)('%s IDs', (typename) => {
  it.each(CALLERS)('every entry point answers byte for byte the same, %s', async (_name, as) => {
    const otherType = typename === 'Invoice' ? profileId(1) : invoiceId(1);
    for (const [point, query, variables] of entryPoints(typename)) {
      // `node` and `nodes` take any type; everything else must also refuse a visible row of another type.
      const typed = point !== 'node' && point !== 'nodes';
      const ids = { ...unseenIds(typename, foreign[typename]), ...(typed ? { otherType } : {}) };
      const answers: Record<string, string> = {};
      for (const [kind, id] of Object.entries(ids)) {
        const response = await gw.gql(query, variables(id), as);
        expect(response.status, `${point} ${kind}`).toBe(200);
        expect(response.text, `${point} ${kind}`).not.toMatch(/INTERNAL_SERVER_ERROR|Unexpected error|stack/);
        answers[kind] = response.text;
      }
      const reference = answers.missing!;
      for (const [kind, text] of Object.entries(answers)) expect(text, `${point}: ${kind} vs missing`).toBe(reference);
      if (point === 'node') expect(JSON.parse(reference)).toEqual({ data: { node: null } });
    }
  });
});

describe('after every probe', () => {
  it('no error-level log line was written and nothing changed', async () => {
    expect(logs.errors()).toEqual([]);
    const after = await dumpDatabase(gw.gateway.resources.store);
    // Every table's rows. (SQLite's AUTOINCREMENT counters may advance: payInvoice claims its idempotency
    // key before it looks the invoice up, and releases the claim when it is refused.)
    for (const table of Object.keys(before).filter((name) => name !== 'sqlite_sequence'))
      expect(after[table], table).toEqual(before[table]);
  });

  it('the same IDs still resolve for the tenant that owns them (the probes were not vacuous)', async () => {
    for (const typename of NODE_TYPES) {
      const query = 'query($id: ID!) { node(id: $id) { __typename } }';
      const response = await gw.gql(query, { id: toGlobalId(typename, foreign[typename]) }, 'olga');
      expect(response.data?.node, typename).toEqual({ __typename: typename });
    }
  });
});
