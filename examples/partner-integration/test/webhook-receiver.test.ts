// The partner's webhook receiver against the real gateway: an endpoint registered through the SDK, events
// delivered by the gateway's worker, signatures verified with `standardwebhooks`, each event handled once
// even when delivered again (redelivery), and a forged delivery refused.
import type { AddressInfo } from 'node:net';
import { runWebhookDeliveryPass, transactionWithEvents } from '@billing/schema/billing';
import { createBillingClient } from '@billing/sdk';
import { accountId, invoiceId, startTestGateway, type TestGateway } from '@billing/server/testing';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookReceiver, type BillingWebhookEvent } from '../src/webhook-receiver.js';

let gw: TestGateway;
const handled: BillingWebhookEvent[] = [];
let secret = '';
const receiver = createWebhookReceiver({
  secrets: () => [secret],
  onEvent: (event) => {
    handled.push(event);
  },
});
let url = '';

beforeAll(async () => {
  gw = await startTestGateway();
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/billing-webhooks`;
});
afterAll(async () => {
  await new Promise((resolve) => receiver.close(resolve));
  await gw?.close();
});

function record() {
  const { services } = gw.gateway.resources;
  return transactionWithEvents(services, (_tx, log) =>
    log({
      type: 'INVOICE_UPDATED',
      billingAccountId: 1,
      invoiceId: 2,
      data: { invoiceId: invoiceId(2), status: 'PAID' },
    }),
  );
}

describe('the partner webhook receiver', () => {
  it('verifies and handles each event once, acknowledging a redelivery as a duplicate', async () => {
    const ada = createBillingClient({ url: gw.url, token: gw.tokens.ada });
    const created = await ada.createWebhookEndpoint({
      billingAccountId: accountId(1),
      url,
      eventTypes: ['INVOICE_UPDATED'],
      description: 'partner example',
    });
    if (created.__typename !== 'CreateWebhookEndpointSuccess') throw new Error(created.__typename);
    // The receiver reads its secret lazily, so the one just shown can be used (a real one reads its config).
    secret = created.secret;
    const events = [await record(), await record()];
    await runWebhookDeliveryPass(gw.gateway.resources.services);
    expect(handled.map((e) => e.id)).toEqual(events.map((e) => e.id));

    const page = await ada.webhookDeliveries(created.endpoint.id);
    expect(page!.nodes.map((d) => d.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const again = await ada.redeliverWebhookDelivery(page!.nodes[0]!.id);
    expect(again.__typename).toBe('RedeliverWebhookDeliverySuccess');
    await runWebhookDeliveryPass(gw.gateway.resources.services);
    expect(handled).toHaveLength(2);
    const latest = await ada.webhookDeliveries(created.endpoint.id);
    expect(latest!.nodes[0]!.attempts.map((a) => [a.statusCode, a.responseBody])).toEqual([
      [200, 'ok'],
      [200, 'duplicate'],
    ]);
  });

  it('refuses a delivery signed with another secret', async () => {
    const forged = new Webhook(`whsec_${Buffer.alloc(32, 7).toString('base64')}`);
    const body = JSON.stringify({ id: 'evt_forged', type: 'INVOICE_UPDATED', sequence: 1, occurredAt: '', data: {} });
    const now = new Date();
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': 'evt_forged',
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': forged.sign('evt_forged', now, body),
      },
      body,
    });
    expect(response.status).toBe(400);
    expect(handled.map((e) => e.id)).not.toContain('evt_forged');
  });
});
