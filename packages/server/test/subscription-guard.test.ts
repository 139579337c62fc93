// Subscriptions over real HTTP (SSE): refused with 401 before the stream opens without credentials,
// capped per principal and in total, and ended when the bearer token they were opened with expires.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type Caller, type TestGateway } from './harness.js';
import { requestSse, type SseResponse } from './sse.js';

const SUBSCRIPTION = 'subscription { billingEvents { type } }';

type OpenStream = SseResponse;

const subscribe = (gw: TestGateway, as: Caller): Promise<OpenStream> =>
  requestSse(gw.url, gw.headersFor(as), SUBSCRIPTION);

const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms))]);

describe.each(['development', 'production'])('anonymous subscriptions (%s)', (mode) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { BILLING_MODE: mode, ANONYMOUS_RATE_LIMIT_PER_MINUTE: '0' } });
  });
  afterAll(() => gw?.close());

  it('get 401 before any stream opens, and the connection ends at once', async () => {
    const streams = await Promise.all(Array.from({ length: 20 }, () => subscribe(gw, null)));
    for (const stream of streams) {
      expect(stream.status).toBe(401);
      expect(stream.headers.get('www-authenticate')).toBe('Bearer');
      expect(await within(stream.ended, 2_000)).not.toBe('timeout');
      expect(stream.text()).toContain('UNAUTHENTICATED');
      expect(stream.text()).not.toContain('"data"');
    }
  });

  it('a GET subscription without credentials is refused the same way', async () => {
    const url = `${gw.url}?query=${encodeURIComponent(SUBSCRIPTION)}`;
    const response = await fetch(url, { headers: { accept: 'text/event-stream', 'x-graphql-csrf': '1' } });
    expect(response.status).toBe(401);
    expect(await within(response.text(), 2_000)).toContain('UNAUTHENTICATED');
  });
});

describe('stream caps', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { MAX_STREAMS_PER_PRINCIPAL: '2', MAX_STREAMS: '3' } });
  });
  afterAll(() => gw?.close());

  it('per principal (429) and in total (503), and a closed stream frees its place', async () => {
    const first = await subscribe(gw, 'ada');
    const second = await subscribe(gw, 'ada');
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await subscribe(gw, 'ada');
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('5');
    expect(await within(third.ended, 2_000)).not.toBe('timeout');
    expect(third.text()).toContain('TOO_MANY_STREAMS');

    const rita = await subscribe(gw, 'rita');
    expect(rita.status).toBe(200);
    const carlos = await subscribe(gw, 'carlos');
    expect(carlos.status).toBe(503);
    expect(await within(carlos.ended, 2_000)).not.toBe('timeout');
    expect(carlos.text()).toContain('TOO_MANY_STREAMS');

    await first.close();
    // The server notices the closed connection asynchronously.
    let again: OpenStream | null = null;
    for (let i = 0; i < 50; i++) {
      again = await subscribe(gw, 'ada');
      if (again.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(again?.status).toBe(200);
    await Promise.all([second.close(), rita.close(), again!.close()]);
  });
});

describe('token expiry', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw?.close());

  it('a stream ends with one UNAUTHENTICATED event when its bearer token expires', async () => {
    const token = await gw.gateway.authenticator.mintUserToken(1, 2);
    const stream = await subscribe(gw, { token });
    expect(stream.status).toBe(200);
    expect(await within(stream.ended, 6_000)).not.toBe('timeout');
    expect(stream.text()).toContain('The bearer token expired');
    expect(stream.text()).toContain('event: complete');
  });

  it('a stream opened with a long-lived token stays open', async () => {
    const stream = await subscribe(gw, 'ada');
    expect(await within(stream.ended, 1_500)).toBe('timeout');
    await stream.close();
  });
});
