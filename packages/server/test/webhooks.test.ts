// Webhooks through the gateway, on both dialects: endpoints managed with the GraphQL mutations, events
// delivered to a real HTTP receiver on a random port and verified with `standardwebhooks`, deliveries and
// attempts read back in GraphQL, redeliver and replay, who may do what, and the production URL rules.
import {
  runWebhookDeliveryPass,
  startTestReceiver,
  type NewBillingEvent,
  type TestReceiver,
  transactionWithEvents,
} from '@billing/schema/billing';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { accountId, cardId, invoiceId, startTestGateway, type Caller, type TestGateway } from './harness.js';

let gw: TestGateway;
let production: TestGateway;
let receiver: TestReceiver;

beforeAll(async () => {
  [gw, production] = await Promise.all([
    startTestGateway(),
    startTestGateway({ env: { BILLING_MODE: 'production', RATE_LIMIT_PER_MINUTE: '0' } }),
  ]);
});
afterAll(async () => {
  await Promise.all([gw?.close(), production?.close()]);
});
beforeEach(async () => {
  receiver = await startTestReceiver();
});
afterEach(async () => {
  await receiver.close();
});

const ENDPOINT_FIELDS = 'id url description eventTypes enabled previousSecretExpiresAt';
const ERROR = '... on Error { errorCode message }';
const URL_ERROR = `${ERROR} ... on WebhookUrlNotAllowedError { urlNotAllowedReason }`;

async function createEndpoint(target: TestGateway, input: Record<string, unknown>, as: Caller = 'ada') {
  const result = await target.gql(
    `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) {
      __typename ... on CreateWebhookEndpointSuccess { secret endpoint { ${ENDPOINT_FIELDS} } } ${URL_ERROR} } }`,
    { input: { billingAccountId: accountId(1), eventTypes: ['INVOICE_UPDATED', 'PAYMENT_UPDATED'], ...input } },
    as,
  );
  expect(result.errors).toBeUndefined();
  return result.data!.createWebhookEndpoint;
}

/** An event as the billing writes record it (until every mutation records its own, the lead's part of issue 14). */
function record(event: Partial<NewBillingEvent> = {}) {
  const { services } = gw.gateway.resources;
  return transactionWithEvents(services, (_tx, log) =>
    log({
      type: 'INVOICE_UPDATED',
      billingAccountId: 1,
      billingProfileId: 1,
      invoiceId: 2,
      data: { invoiceId: invoiceId(2), status: 'PAST_DUE' },
      ...event,
    }),
  );
}

const deliver = () => runWebhookDeliveryPass(gw.gateway.resources.services);

const DELIVERIES = `query($id: ID!) { webhookEndpoint(id: $id) { deliveries(first: 10) { nodes {
  id status attemptCount nextAttemptAt event { id type sequence occurredAt data }
  attempts { statusCode durationMs responseBody error } } } } }`;

describe('webhooks over GraphQL', () => {
  it('registers an endpoint, delivers a signed event to it, and shows the delivery with its attempts', async () => {
    const created = await createEndpoint(gw, { url: `${receiver.url}/hooks`, description: 'ERP' });
    expect(created.__typename).toBe('CreateWebhookEndpointSuccess');
    expect(created.secret).toMatch(/^whsec_/);
    expect(created.endpoint).toMatchObject({ url: `${receiver.url}/hooks`, description: 'ERP', enabled: true });

    receiver.answer = ({ nth }) => (nth === 1 ? { status: 500, body: 'busy' } : { status: 200, body: 'thanks' });
    const event = await record();
    await deliver();
    gw.clock.advance(60 * 60 * 1000);
    await deliver();

    expect(receiver.requests).toHaveLength(2);
    const payload = new Webhook(created.secret).verify(
      receiver.requests[1]!.body,
      receiver.requests[1]!.headers as never,
    );
    expect(payload).toMatchObject({ id: event.id, type: 'INVOICE_UPDATED', sequence: event.sequence });
    expect(receiver.requests[1]!.headers['webhook-id']).toBe(event.id);

    const listed = await gw.gql(DELIVERIES, { id: created.endpoint.id });
    const [delivery] = listed.data!.webhookEndpoint.deliveries.nodes;
    expect(delivery).toMatchObject({
      status: 'SUCCEEDED',
      attemptCount: 2,
      nextAttemptAt: null,
      event: { id: event.id, type: 'INVOICE_UPDATED', sequence: event.sequence },
    });
    expect(JSON.parse(delivery.event.data)).toEqual(event.data);
    expect(delivery.event.data).toBe(JSON.stringify(JSON.parse(receiver.requests[1]!.body).data));
    expect(
      delivery.attempts.map((a: { statusCode: number; responseBody: string; error: string | null }) => [
        a.statusCode,
        a.responseBody,
        a.error,
      ]),
    ).toEqual([
      [500, 'busy', 'HTTP_STATUS'],
      [200, 'thanks', null],
    ]);

    // Redeliver: the same event again, same webhook-id, new attempts.
    const redelivered = await gw.gql(
      `mutation($id: ID!) { redeliverWebhookDelivery(input: { deliveryId: $id }) { __typename
        ... on RedeliverWebhookDeliverySuccess { delivery { status attemptCount } } ${ERROR} } }`,
      { id: delivery.id },
    );
    expect(redelivered.data!.redeliverWebhookDelivery).toMatchObject({
      delivery: { status: 'PENDING', attemptCount: 0 },
    });
    await deliver();
    expect(receiver.requests.map((r) => r.webhookId)).toEqual([event.id, event.id, event.id]);

    // Replay from before the event: queued again as a new delivery.
    const replayed = await gw.gql(
      `mutation($input: ReplayWebhookEventsInput!) { replayWebhookEvents(input: $input) { __typename
        ... on ReplayWebhookEventsSuccess { queuedCount lastSequence } ${ERROR} } }`,
      { input: { endpointId: created.endpoint.id, afterSequence: event.sequence - 1 } },
    );
    expect(replayed.data!.replayWebhookEvents).toMatchObject({ queuedCount: 1, lastSequence: event.sequence });
    await deliver();
    expect(receiver.requests).toHaveLength(4);

    const deleted = await gw.gql(
      `mutation($id: ID!) { deleteWebhookEndpoint(input: { endpointId: $id }) { __typename
        ... on DeleteWebhookEndpointSuccess { deletedEndpointId } ${ERROR} } }`,
      { id: created.endpoint.id },
    );
    expect(deleted.data!.deleteWebhookEndpoint.deletedEndpointId).toBe(created.endpoint.id);
    await record();
    await deliver();
    expect(receiver.requests).toHaveLength(4);
  });

  it('rotates the secret: both verify during the overlap, the new one is shown once', async () => {
    const created = await createEndpoint(gw, { url: `${receiver.url}/rotate` });
    const rotated = await gw.gql(
      `mutation($input: RotateWebhookEndpointSecretInput!) { rotateWebhookEndpointSecret(input: $input) { __typename
        ... on RotateWebhookEndpointSecretSuccess { secret endpoint { previousSecretExpiresAt } } ${ERROR} } }`,
      { input: { endpointId: created.endpoint.id, overlapSeconds: 3600 } },
    );
    const { secret, endpoint } = rotated.data!.rotateWebhookEndpointSecret;
    expect(Date.parse(endpoint.previousSecretExpiresAt) - gw.clock.now().getTime()).toBe(3600_000);
    await record();
    await deliver();
    const request = receiver.requests.at(-1)!;
    for (const key of [created.secret, secret])
      expect(new Webhook(key).verify(request.body, request.headers as never)).toBeTruthy();
    const tooLong = await gw.gql(
      `mutation($input: RotateWebhookEndpointSecretInput!) { rotateWebhookEndpointSecret(input: $input) { __typename ${ERROR} } }`,
      { input: { endpointId: created.endpoint.id, overlapSeconds: 8 * 24 * 3600 } },
    );
    expect(tooLong.data!.rotateWebhookEndpointSecret).toMatchObject({ errorCode: 'VALIDATION_FAILED' });
  });

  it("readers cannot see or manage endpoints; another tenant's IDs read like missing ones", async () => {
    const created = await createEndpoint(gw, { url: `${receiver.url}/tenancy` });
    const asRita = await gw.gql(
      `query($a: ID!) { billingAccount(id: $a) { webhookEndpoints { totalCount: edges { cursor } } viewerPermissions { canManageWebhooks } } }`,
      { a: accountId(1) },
      'rita',
    );
    expect(asRita.data!.billingAccount).toMatchObject({
      webhookEndpoints: null,
      viewerPermissions: { canManageWebhooks: false },
    });
    expect((await createEndpoint(gw, { url: `${receiver.url}/x` }, 'rita')).errorCode).toBe('NOT_AUTHORIZED');

    const asAda = await gw.gql(`query($a: ID!) { billingAccount(id: $a) { webhookEndpoints { nodes { id } } } }`, {
      a: accountId(1),
    });
    expect(asAda.data!.billingAccount.webhookEndpoints.nodes.map((n: { id: string }) => n.id)).toContain(
      created.endpoint.id,
    );

    const UPDATE = `mutation($input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $input) { __typename ${URL_ERROR} } }`;
    const foreign = await gw.gql(UPDATE, { input: { endpointId: created.endpoint.id, enabled: false } }, 'olga');
    const malformed = await gw.gql(UPDATE, { input: { endpointId: cardId(1), enabled: false } }, 'olga');
    expect(foreign.data!.updateWebhookEndpoint).toEqual(malformed.data!.updateWebhookEndpoint);
    expect(foreign.data!.updateWebhookEndpoint.errorCode).toBe('NOT_FOUND');
    expect(
      (await gw.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: created.endpoint.id }, 'olga')).data!.node,
    ).toBeNull();
    // The secret is never readable after creation: no field carries it.
    expect(JSON.stringify(asAda.data)).not.toContain(created.secret);
  });

  it('an API key with webhooks:manage registers endpoints; one without it may not', async () => {
    const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { ... on CreateApiKeySuccess { secret } } }`;
    const key = async (scopes: string[]) =>
      (await gw.gql(CREATE_KEY, { input: { billingAccountId: accountId(1), name: scopes.join(' '), scopes } })).data!
        .createApiKey.secret as string;
    const manager = await key(['WEBHOOKS_MANAGE']);
    const reader = await key(['INVOICES_READ']);
    expect((await createEndpoint(gw, { url: `${receiver.url}/key` }, { apiKey: manager })).__typename).toBe(
      'CreateWebhookEndpointSuccess',
    );
    expect((await createEndpoint(gw, { url: `${receiver.url}/key` }, { apiKey: reader })).errorCode).toBe(
      'NOT_AUTHORIZED',
    );
  });

  it.each([
    ['http://hooks.example.com/x', 'NOT_HTTPS'],
    ['https://127.0.0.1/x', 'ADDRESS_NOT_ALLOWED'],
    ['https://10.0.0.1/x', 'ADDRESS_NOT_ALLOWED'],
    ['https://169.254.169.254/latest/meta-data', 'ADDRESS_NOT_ALLOWED'],
    ['https://[::1]/x', 'ADDRESS_NOT_ALLOWED'],
    ['https://localhost/x', 'ADDRESS_NOT_ALLOWED'],
  ])('production mode refuses %s with WebhookUrlNotAllowedError (%s), storing nothing', async (url, reason) => {
    const refused = await createEndpoint(production, { url });
    expect(refused).toMatchObject({
      __typename: 'WebhookUrlNotAllowedError',
      errorCode: 'WEBHOOK_URL_NOT_ALLOWED',
      urlNotAllowedReason: reason,
    });
    const listed = await production.gql(
      `query($a: ID!) { billingAccount(id: $a) { webhookEndpoints { nodes { id } } } }`,
      {
        a: accountId(1),
      },
    );
    expect(listed.data!.billingAccount.webhookEndpoints.nodes).toEqual([]);
  });
});

describe('with the response cache on', () => {
  it('never serves a stale endpoint list or delivery status', async () => {
    const cached = await startTestGateway({ env: { RESPONSE_CACHE_TTL_MS: '60000' } });
    try {
      const LIST = `query($a: ID!) { billingAccount(id: $a) { webhookEndpoints { nodes { id enabled } } } }`;
      const list = async () =>
        (await cached.gql(LIST, { a: accountId(1) })).data!.billingAccount.webhookEndpoints.nodes;
      expect(await list()).toEqual([]);
      const created = await createEndpoint(cached, { url: `${receiver.url}/cached` });
      expect(await list()).toEqual([{ id: created.endpoint.id, enabled: true }]);
      const { services } = cached.gateway.resources;
      await transactionWithEvents(services, (_tx, log) =>
        log({ type: 'INVOICE_UPDATED', billingAccountId: 1, invoiceId: 2, data: {} }),
      );
      const STATUS = `query($id: ID!) { webhookEndpoint(id: $id) { deliveries { nodes { status } } } }`;
      const status = async () =>
        (await cached.gql(STATUS, { id: created.endpoint.id })).data!.webhookEndpoint.deliveries.nodes;
      expect(await status()).toEqual([{ status: 'PENDING' }]);
      await runWebhookDeliveryPass(services);
      expect(await status()).toEqual([{ status: 'SUCCEEDED' }]);
    } finally {
      await cached.close();
    }
  });
});

describe('events recorded by the mutations themselves', () => {
  it('payInvoice: the payment and invoice events reach the endpoint, in order, each once', async () => {
    const created = await createEndpoint(gw, { url: `${receiver.url}/pay` });
    const paid = await gw.gql(`mutation($input: PayInvoiceInput!) { payInvoice(input: $input) { __typename } }`, {
      input: { invoiceId: invoiceId(3), paymentMethodId: cardId(1), idempotencyKey: `webhooks-pay-${Date.now()}` },
    });
    expect(paid.data!.payInvoice.__typename).toBe('PayInvoiceSuccess');
    await deliver();
    const bodies = receiver.requests.map(
      (r) =>
        new Webhook(created.secret).verify(r.body, r.headers as never) as {
          id: string;
          sequence: number;
          type: string;
        },
    );
    expect(new Set(bodies.map((b) => b.id)).size).toBe(bodies.length);
    expect(bodies.map((b) => b.sequence)).toEqual([...bodies.map((b) => b.sequence)].sort((a, b) => a - b));
    expect(bodies.map((b) => b.type)).toContain('PAYMENT_UPDATED');
    expect(bodies.map((b) => b.type)).toContain('INVOICE_UPDATED');
  });
});
