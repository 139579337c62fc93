// The SDK against a real gateway's rate limit: a 429 on a query or on PayInvoice is waited out (its Retry-After)
// and repeated, PayInvoice with the same idempotency key and one charge; past the wait bound, or for another
// mutation, the call fails at once with `retryAfterSeconds` and the RATE_LIMITED code.
import { cardId, invoiceId, startTestGateway, type TestGateway } from '@billing/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BillingClientError, createBillingClient } from '@billing/sdk';

let gw: TestGateway;

beforeAll(async () => {
  // 60 per minute: a token back every second, so a drained bucket answers Retry-After: 1.
  gw = await startTestGateway({ env: { RATE_LIMIT_PER_MINUTE: '60' } });
});
afterAll(async () => {
  await gw?.close();
});

/** Uses up Ada's bucket: plain requests until the gateway answers 429. */
async function drainAda(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const response = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...gw.headersFor('ada') },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    await response.text();
    if (response.status === 429) return;
  }
  throw new Error('the rate limit never answered 429');
}

/** A fetch that records each answer's status and each PayInvoice idempotency key it sent. */
function recording() {
  const statuses: number[] = [];
  const keys: string[] = [];
  const recorded: typeof fetch = async (input, init) => {
    const key = (JSON.parse(String(init?.body)) as { variables?: { input?: { idempotencyKey?: string } } }).variables
      ?.input?.idempotencyKey;
    if (key) keys.push(key);
    const response = await fetch(input, init);
    statuses.push(response.status);
    return response;
  };
  return { statuses, keys, fetch: recorded };
}

describe('the SDK and a 429', () => {
  it('waits the Retry-After, then repeats a query', async () => {
    await drainAda();
    const calls = recording();
    const ada = createBillingClient({ url: gw.url, token: gw.tokens.ada, fetch: calls.fetch });
    expect((await ada.checkMyAccess())?.user?.email).toBe('ada@contoso.example');
    expect(calls.statuses).toEqual([429, 200]);
  });

  it('repeats PayInvoice with the same idempotency key: one charge, a success', async () => {
    const charges = gw.gateway.resources.sandbox.chargeCount();
    await drainAda();
    const calls = recording();
    const ada = createBillingClient({ url: gw.url, token: gw.tokens.ada, fetch: calls.fetch });
    const paid = await ada.payInvoice({ invoiceId: invoiceId(1), paymentMethodId: cardId(1) });
    expect(paid.__typename).toBe('PayInvoiceSuccess');
    expect(calls.statuses).toEqual([429, 200]);
    expect(calls.keys).toHaveLength(2);
    expect(calls.keys[1]).toBe(calls.keys[0]);
    expect(gw.gateway.resources.sandbox.chargeCount()).toBe(charges + 1);
  });

  it('past rateLimitWaitMs it fails at once, saying how long to wait', async () => {
    await drainAda();
    const calls = recording();
    const impatient = createBillingClient({
      url: gw.url,
      token: gw.tokens.ada,
      fetch: calls.fetch,
      retry: { rateLimitWaitMs: 0 },
    });
    const error = await impatient.checkMyAccess().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BillingClientError);
    expect(error).toMatchObject({ kind: 'http', status: 429, retryAfterSeconds: 1, retryable: true });
    expect((error as BillingClientError).graphQLErrors.map((e) => e.code)).toEqual(['RATE_LIMITED']);
    expect(calls.statuses).toEqual([429]);
  });

  it('never repeats a mutation that is not idempotent', async () => {
    await drainAda();
    const calls = recording();
    const ada = createBillingClient({ url: gw.url, token: gw.tokens.ada, fetch: calls.fetch });
    const error = await ada.removePaymentMethod(cardId(2)).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 429, retryAfterSeconds: 1 });
    expect(calls.statuses).toEqual([429]);
  });
});
