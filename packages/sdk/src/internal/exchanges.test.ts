// The SDK's exchanges against a real HTTP receiver that plays an unreliable gateway: which operations retry,
// with what, and that every generated operation goes out by its hash alone.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CombinedError } from '@urql/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBillingClient } from '../client.js';
import { BillingClientError } from '../errors.js';
import { CheckMyAccessDocument, PayInvoiceDocument } from '../generated/graphql.js';
import { generatedDocumentHash } from './exchanges.js';

type Body = { query?: string; variables?: { input?: { idempotencyKey?: string } }; extensions?: unknown };

let server: Server;
let url: string;
let received: Body[];
/** Status codes to answer with, one per request, before answering normally; 429s say when to come back. */
let failures: (number | { status: 429; retryAfter: number })[];

const ANSWERS: Record<string, unknown> = {
  [generatedDocumentHash(CheckMyAccessDocument)!]: { data: { __typename: 'Query', viewer: null } },
  [generatedDocumentHash(PayInvoiceDocument)!]: {
    data: { __typename: 'Mutation', payInvoice: { __typename: 'NotAuthorizedError', message: 'no', code: 'X' } },
  },
};

beforeAll(async () => {
  server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => (text += chunk));
    request.on('end', () => {
      const body = JSON.parse(text) as Body & { extensions?: { persistedQuery?: { sha256Hash?: string } } };
      received.push(body);
      const status = failures.shift();
      if (typeof status === 'object') {
        const refusal = {
          errors: [
            {
              message: `Too many requests. Retry in ${status.retryAfter} s.`,
              extensions: { code: 'RATE_LIMITED', retryAfterSeconds: status.retryAfter },
            },
          ],
        };
        response
          .writeHead(429, { 'content-type': 'application/json', 'retry-after': String(status.retryAfter) })
          .end(JSON.stringify(refusal));
        return;
      }
      if (status) {
        response.writeHead(status, { 'content-type': 'text/plain' }).end('unavailable');
        return;
      }
      const answer = ANSWERS[body.extensions?.persistedQuery?.sha256Hash ?? ''] ?? {
        data: {
          __typename: 'Mutation',
          removePaymentMethod: { __typename: 'NotFoundError', message: 'no', code: 'X' },
        },
      };
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});

beforeEach(() => {
  received = [];
  failures = [];
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const client = () => createBillingClient({ url, retry: { baseDelayMs: 1 } });

describe('retries', () => {
  it('retries a query after 502, 503 and 504, up to the attempts allowed', async () => {
    failures = [502, 503];
    expect(await client().checkMyAccess()).toBeNull();
    expect(received.length).toBe(3);

    received = [];
    failures = [504, 504, 504];
    const error = await client()
      .checkMyAccess()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BillingClientError);
    expect((error as BillingClientError).status).toBe(504);
    expect(received.length).toBe(3);
  });

  it('does not retry what repeating cannot fix (500, 400)', async () => {
    failures = [500];
    await expect(client().checkMyAccess()).rejects.toBeInstanceOf(BillingClientError);
    failures = [400];
    await expect(client().checkMyAccess()).rejects.toBeInstanceOf(BillingClientError);
    expect(received.length).toBe(2);
  });

  it('retries PayInvoice with the same idempotency key, and no other mutation', async () => {
    failures = [503];
    const paid = await client().payInvoice({ invoiceId: 'i', paymentMethodId: 'p' });
    expect(paid.__typename).toBe('NotAuthorizedError');
    expect(received.length).toBe(2);
    expect(received[0]!.variables!.input!.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(received[1]!.variables!.input!.idempotencyKey).toBe(received[0]!.variables!.input!.idempotencyKey);

    received = [];
    failures = [503];
    await expect(client().removePaymentMethod('p')).rejects.toBeInstanceOf(BillingClientError);
    expect(received.length).toBe(1);
  });

  it('retries operations sent through client.urql too (the React path)', async () => {
    failures = [503];
    const result = await client().urql.query(CheckMyAccessDocument, {}).toPromise();
    expect(result.error).toBeUndefined();
    expect(received.length).toBe(2);
  });

  it('attempts: 1 turns retries off', async () => {
    failures = [503];
    const once = createBillingClient({ url, retry: { attempts: 1 } });
    await expect(once.checkMyAccess()).rejects.toBeInstanceOf(BillingClientError);
    expect(received.length).toBe(1);
  });
});

describe('rate limits (429)', () => {
  const limited = (retryAfter: number) => ({ status: 429 as const, retryAfter });

  it('waits the Retry-After, then repeats a query; PayInvoice with the same idempotency key', async () => {
    failures = [limited(0), limited(0)];
    expect(await client().checkMyAccess()).toBeNull();
    expect(received.length).toBe(3);

    received = [];
    failures = [limited(0)];
    const paid = await client().payInvoice({ invoiceId: 'i', paymentMethodId: 'p' });
    expect(paid.__typename).toBe('NotAuthorizedError');
    expect(received.map((body) => body.variables?.input?.idempotencyKey)).toEqual([
      received[0]!.variables!.input!.idempotencyKey,
      received[0]!.variables!.input!.idempotencyKey,
    ]);
  });

  it('does not wait past rateLimitWaitMs: the error says how long to wait instead', async () => {
    failures = [limited(3600)];
    const error = await client()
      .checkMyAccess()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BillingClientError);
    expect(error).toMatchObject({ status: 429, retryAfterSeconds: 3600, retryable: true });
    expect((error as BillingClientError).graphQLErrors.map((e) => e.code)).toEqual(['RATE_LIMITED']);
    expect(received.length).toBe(1);

    received = [];
    failures = [limited(1)];
    const impatient = createBillingClient({ url, retry: { rateLimitWaitMs: 0 } });
    await expect(impatient.checkMyAccess()).rejects.toMatchObject({ status: 429, retryAfterSeconds: 1 });
    expect(received.length).toBe(1);
  });

  it('gives up after the attempts allowed, and never repeats other mutations', async () => {
    failures = [limited(0), limited(0), limited(0)];
    await expect(client().checkMyAccess()).rejects.toMatchObject({ status: 429, retryAfterSeconds: 0 });
    expect(received.length).toBe(3);

    received = [];
    failures = [limited(0)];
    await expect(client().removePaymentMethod('p')).rejects.toMatchObject({ status: 429, retryAfterSeconds: 0 });
    expect(received.length).toBe(1);
  });

  it('reads Retry-After from the header when the body has no retryAfterSeconds (a 503 shutting down)', () => {
    const error = BillingClientError.from(
      new CombinedError({
        graphQLErrors: [{ message: 'The gateway is shutting down; retry.', extensions: { code: 'SHUTTING_DOWN' } }],
        response: new Response(null, { status: 503, headers: { 'retry-after': '1' } }),
      }),
      'CheckMyAccess',
    );
    expect(error).toMatchObject({ status: 503, retryAfterSeconds: 1, retryable: true });
    expect(error.graphQLErrors[0]!.code).toBe('SHUTTING_DOWN');
  });
});

describe('persisted documents', () => {
  it('sends a generated operation by the hash codegen embedded in it, without its text', async () => {
    await client().checkMyAccess();
    expect(received[0]!.query).toBeUndefined();
    expect(received[0]!.extensions).toEqual({
      persistedQuery: { version: 1, sha256Hash: generatedDocumentHash(CheckMyAccessDocument) },
    });
    expect(generatedDocumentHash(CheckMyAccessDocument)).toMatch(/^[0-9a-f]{64}$/);
  });
});
