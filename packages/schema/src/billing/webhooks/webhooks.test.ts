// Webhooks end to end below GraphQL, on the vitest project's dialect: real events recorded in real
// transactions (transactionWithEvents), a real HTTP receiver on a random port, the billing clock driving retries,
// signatures verified with `standardwebhooks`, the SSRF rules at registration and at connection.
import type { LookupFunction } from 'node:net';
import { eq } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seedDemoData } from '../../db/seed.js';
import { type BillingStore, openStore } from '../../db/store.js';
import { createTestPostgresDatabase, type TestPostgresDatabase } from '../../db/test-database.js';
import { AccessView } from '../access.js';
import { fixedClock } from '../clock.js';
import { NotAuthorizedError, NotFoundError, ValidationError, WebhookUrlNotAllowedError } from '../errors.js';
import { transactionWithEvents, type NewBillingEvent } from '../event-log.js';
import { createEventBus } from '../events.js';
import { createSandboxProcessor, type SandboxProcessor } from '../sandbox-processor.js';
import type { BillingServices } from '../services.js';
import { NOW, SETTINGS, TODAY, USERS, rejectionOf, tempDir } from '../test-support.js';
import {
  deleteWebhookEndpoint,
  createWebhookEndpoint,
  rotateWebhookEndpointSecret,
  updateWebhookEndpoint,
} from './endpoints.js';
import {
  RESPONSE_BODY_LIMIT_BYTES,
  redeliverWebhookDelivery,
  replayWebhookEvents,
  runWebhookDeliveryPass,
} from './deliveries.js';
import { deleteWebhookDeliveriesThrough } from './outbox.js';
import type { WebhookSettings } from './settings.js';
import { checkWebhookUrl, isPublicAddress } from './url-safety.js';
import { startTestReceiver, type TestReceiver } from './test-receiver.js';

const dialect = process.env.BILLING_TEST_DIALECT === 'postgresql' ? 'postgresql' : 'sqlite';
const clock = fixedClock(NOW);
const files = tempDir();
let location: string;
let database: TestPostgresDatabase | null = null;
let store: BillingStore;
let sandbox: SandboxProcessor;
let receiver: TestReceiver;
/** `random` 0.5: each retry waits exactly half its cap, so the schedule is exact. */
const BASE: WebhookSettings = { ...SETTINGS.webhooks, random: () => 0.5, timeoutMs: 1_000, leaseMs: 30_000 };

function servicesFor(on: BillingStore, webhooks: Partial<WebhookSettings> = {}): BillingServices {
  return {
    store: on,
    clock,
    processor: sandbox,
    events: createEventBus(),
    settings: { ...SETTINGS, webhooks: { ...BASE, ...webhooks } },
  };
}

const as = (user: keyof typeof USERS) => AccessView.load(store, { kind: 'user', userId: USERS[user] });

/** An event as a billing write records it, in a transaction of its own. */
function record(services: BillingServices, event: Partial<NewBillingEvent> = {}) {
  return transactionWithEvents(services, (_tx, record) =>
    record({
      type: 'PAYMENT_METHOD_ADDED',
      billingAccountId: 1,
      billingProfileId: 1,
      data: { paymentMethodId: 1 },
      ...event,
    }),
  );
}

async function rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  return store.rawQuery<T>(sql, params);
}

beforeAll(async () => {
  if (dialect === 'postgresql') {
    database = await createTestPostgresDatabase();
    location = database.url;
  } else location = files.path('billing.db');
  store = openStore({ url: location });
  await store.migrate();
  await seedDemoData(store, { today: TODAY });
  sandbox = createSandboxProcessor({ ledgerPath: ':memory:', latencyMs: 0, clock });
});
afterAll(async () => {
  await store?.close();
  sandbox?.close();
  await database?.drop();
  files.remove();
});
beforeEach(async () => {
  clock.set(NOW);
  receiver = await startTestReceiver();
  // Each test starts with no endpoints (and so no deliveries) in the account.
  await store.rawQuery('DELETE FROM webhook_delivery_attempts');
  await store.rawQuery('DELETE FROM webhook_deliveries');
  await store.rawQuery('DELETE FROM webhook_endpoints');
});
afterEach(async () => {
  await receiver.close();
});

async function endpointFor(
  services: BillingServices,
  path = '/hooks',
  eventTypes = ['PAYMENT_METHOD_ADDED', 'INVOICE_UPDATED', 'PAYMENT_UPDATED'],
) {
  return createWebhookEndpoint(services, await as('ada'), {
    billingAccountId: 1,
    url: `${receiver.url}${path}`,
    eventTypes,
    description: 'test receiver',
  });
}

function verify(secret: string, request: { body: string; headers: Record<string, unknown> }) {
  return new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
}

describe('delivery with retries', () => {
  it('fails the first two attempts, then delivers each event exactly once, retries spaced by the backoff', async () => {
    const services = servicesFor(store);
    const { secret } = await endpointFor(services);
    receiver.answer = ({ nth }) => (nth <= 2 ? { status: 500, body: 'x'.repeat(3000) } : { status: 204 });
    const events = [await record(services), await record(services, { data: { paymentMethodId: 2 } })];

    const nextAttempts: string[][] = [];
    const passes = [];
    for (let pass = 0; pass < 3; pass += 1) {
      passes.push(await runWebhookDeliveryPass(services));
      const due = await rows<{ next: string; status: string }>(
        'SELECT next_attempt_at AS next, status FROM webhook_deliveries ORDER BY id',
      );
      nextAttempts.push(due.map((d) => d.next));
      // Jump to the earliest next attempt.
      clock.set(due.map((d) => d.next).sort()[0]!);
    }
    expect(passes.map((p) => [p.attempted, p.succeeded, p.retrying])).toEqual([
      [2, 0, 2],
      [2, 0, 2],
      [2, 2, 0],
    ]);
    // Full jitter under 60 s * 2^(n-1), drawn at 0.5: 30 s after the first failure, 60 s after the second.
    const t0 = Date.parse(NOW);
    expect(nextAttempts[0]).toEqual([new Date(t0 + 30_000).toISOString(), new Date(t0 + 30_000).toISOString()]);
    expect(nextAttempts[1]).toEqual([new Date(t0 + 90_000).toISOString(), new Date(t0 + 90_000).toISOString()]);

    expect(receiver.successesById()).toEqual(new Map(events.map((e) => [e.id, 1])));
    for (const request of receiver.requests) {
      expect(verify(secret, request)).toMatchObject({ id: request.webhookId, type: 'PAYMENT_METHOD_ADDED' });
    }
    const statuses = await rows<{ status: string; attempts: number }>(
      'SELECT status, attempt_count AS attempts FROM webhook_deliveries ORDER BY id',
    );
    expect(statuses).toEqual([
      { status: 'SUCCEEDED', attempts: 3 },
      { status: 'SUCCEEDED', attempts: 3 },
    ]);
    const attempts = await rows<{ code: number; body: string; ms: number; kind: string | null }>(
      'SELECT status_code AS code, response_body AS body, duration_ms AS ms, error_kind AS kind FROM webhook_delivery_attempts ORDER BY delivery_id, id',
    );
    expect(attempts.map((a) => [a.code, a.kind])).toEqual([
      [500, 'HTTP_STATUS'],
      [500, 'HTTP_STATUS'],
      [204, null],
      [500, 'HTTP_STATUS'],
      [500, 'HTTP_STATUS'],
      [204, null],
    ]);
    expect(attempts[0]!.body).toBe('x'.repeat(RESPONSE_BODY_LIMIT_BYTES));
    for (const a of attempts) expect(a.ms).toBeGreaterThanOrEqual(0);
  });

  it('after the retry limit the delivery is FAILED; redeliver sends it again and it succeeds', async () => {
    const services = servicesFor(store, { maxAttempts: 3 });
    await endpointFor(services);
    receiver.answer = () => ({ status: 503, body: 'down' });
    const event = await record(services);
    const results = [];
    for (let pass = 0; pass < 4; pass += 1) {
      results.push(await runWebhookDeliveryPass(services));
      clock.advance(60 * 60 * 1000);
    }
    expect(results.map((r) => r.attempted)).toEqual([1, 1, 1, 0]);
    expect(results[2]!.failed).toBe(1);
    const [delivery] = await rows<{ id: number; status: string }>('SELECT id, status FROM webhook_deliveries');
    expect(delivery!.status).toBe('FAILED');

    receiver.answer = () => ({ status: 200 });
    const redelivered = await redeliverWebhookDelivery(services, await as('ada'), delivery!.id);
    expect(redelivered.status).toBe('PENDING');
    expect(await runWebhookDeliveryPass(services)).toMatchObject({ attempted: 1, succeeded: 1 });
    expect(receiver.successesById()).toEqual(new Map([[event.id, 1]]));
    expect(receiver.requests.map((r) => r.status)).toEqual([503, 503, 503, 200]);
    expect(await rows('SELECT status FROM webhook_deliveries')).toEqual([{ status: 'SUCCEEDED' }]);
  });

  it('a 3xx is a failed attempt and its Location is not followed; a receiver that hangs times out', async () => {
    const services = servicesFor(store, { timeoutMs: 300 });
    await endpointFor(services);
    receiver.answer = ({ path }) =>
      path === '/elsewhere' ? { status: 200 } : { status: 302, headers: { location: `${receiver.url}/elsewhere` } };
    await record(services);
    await runWebhookDeliveryPass(services);
    expect(receiver.requests.map((r) => r.path)).toEqual(['/hooks']);
    receiver.answer = () => ({ status: 200, delayMs: 2_000 });
    clock.advance(60 * 60 * 1000);
    await runWebhookDeliveryPass(services);
    const attempts = await rows<{ code: number | null; kind: string }>(
      'SELECT status_code AS code, error_kind AS kind FROM webhook_delivery_attempts ORDER BY id',
    );
    expect(attempts).toEqual([
      { code: 302, kind: 'REDIRECT' },
      { code: null, kind: 'TIMEOUT' },
    ]);
  });
});

describe('outbox', () => {
  it('events committed while no worker runs are delivered by a worker started later, on a new connection', async () => {
    const services = servicesFor(store);
    await endpointFor(services);
    const events = [await record(services), await record(services), await record(services)];
    expect(receiver.requests).toEqual([]);
    // "After restart": another store on the same database, another services object.
    const restarted = openStore({ url: location });
    try {
      expect(await runWebhookDeliveryPass(servicesFor(restarted))).toMatchObject({ attempted: 3, succeeded: 3 });
    } finally {
      await restarted.close();
    }
    expect(receiver.successesById()).toEqual(new Map(events.map((e) => [e.id, 1])));
  });

  it('a change that rolls back after recording its event leaves no event and no delivery', async () => {
    const services = servicesFor(store);
    await endpointFor(services);
    const [before] = await rows<{ n: number }>('SELECT CAST(count(*) AS INTEGER) AS n FROM billing_events');
    const failure = await rejectionOf(
      transactionWithEvents(services, async (_tx, record) => {
        await record({ type: 'PAYMENT_METHOD_ADDED', billingAccountId: 1, data: {} });
        throw new Error('the change failed after its event was recorded');
      }),
    );
    expect(failure.message).toMatch(/change failed/);
    expect(await rows('SELECT CAST(count(*) AS INTEGER) AS n FROM billing_events')).toEqual([before]);
    expect(await rows('SELECT * FROM webhook_deliveries')).toEqual([]);
    expect(await runWebhookDeliveryPass(services)).toMatchObject({ attempted: 0 });
    expect(receiver.requests).toEqual([]);
  });

  it('enqueues only for enabled endpoints of the account subscribed to the type', async () => {
    const services = servicesFor(store);
    const subscribed = await endpointFor(services, '/a', ['INVOICE_UPDATED']);
    const other = await endpointFor(services, '/b', ['PAYMENT_METHOD_ADDED']);
    await updateWebhookEndpoint(services, await as('ada'), other.endpoint.id, { enabled: false });
    await createWebhookEndpoint(services, await as('olga'), {
      billingAccountId: 2,
      url: `${receiver.url}/fabrikam`,
      eventTypes: ['INVOICE_UPDATED'],
    });
    await record(services, { type: 'INVOICE_UPDATED', invoiceId: 1 });
    await record(services, { type: 'PAYMENT_METHOD_ADDED' });
    expect(await rows('SELECT endpoint_id AS "endpointId" FROM webhook_deliveries')).toEqual([
      { endpointId: subscribed.endpoint.id },
    ]);
  });

  it("a change's events get their deliveries with one lookup of the endpoints and one insert, in event order", async () => {
    const statements: string[] = [];
    const counted = openStore({ url: location, onQuery: (sql) => statements.push(sql) });
    try {
      const services = servicesFor(counted);
      const both = await endpointFor(services, '/both', ['PAYMENT_UPDATED', 'INVOICE_UPDATED']);
      const invoicesOnly = await endpointFor(services, '/invoices', ['INVOICE_UPDATED']);
      const fabrikam = await createWebhookEndpoint(services, await as('olga'), {
        billingAccountId: 2,
        url: `${receiver.url}/fabrikam`,
        eventTypes: ['INVOICE_UPDATED'],
      });
      statements.length = 0;
      const [payment, invoice, other] = await transactionWithEvents(services, async (_tx, log) => [
        await log({ type: 'PAYMENT_UPDATED', billingAccountId: 1, invoiceId: 2, data: {} }),
        await log({ type: 'INVOICE_UPDATED', billingAccountId: 1, invoiceId: 2, data: {} }),
        await log({ type: 'INVOICE_UPDATED', billingAccountId: 2, data: {} }),
      ]);
      expect(statements.filter((q) => /\bfrom "webhook_endpoints"/i.test(q))).toHaveLength(1);
      expect(statements.filter((q) => /^insert into "webhook_deliveries"/i.test(q))).toHaveLength(1);
      expect(
        await rows(
          'SELECT endpoint_id AS "endpointId", event_sequence AS "eventSequence", ordering_key AS "orderingKey" FROM webhook_deliveries ORDER BY id',
        ),
      ).toEqual([
        { endpointId: both.endpoint.id, eventSequence: payment.sequence, orderingKey: 'invoice:2' },
        { endpointId: both.endpoint.id, eventSequence: invoice.sequence, orderingKey: 'invoice:2' },
        { endpointId: invoicesOnly.endpoint.id, eventSequence: invoice.sequence, orderingKey: 'invoice:2' },
        { endpointId: fabrikam.endpoint.id, eventSequence: other.sequence, orderingKey: null },
      ]);
    } finally {
      await counted.close();
    }
  });

  it('a change whose events no endpoint subscribes to looks the endpoints up once and inserts no delivery', async () => {
    const statements: string[] = [];
    const counted = openStore({ url: location, onQuery: (sql) => statements.push(sql) });
    try {
      const services = servicesFor(counted);
      await endpointFor(services, '/cards', ['PAYMENT_METHOD_ADDED']);
      statements.length = 0;
      await transactionWithEvents(services, async (_tx, log) => {
        await log({ type: 'PAYMENT_UPDATED', billingAccountId: 1, invoiceId: 2, data: {} });
        await log({ type: 'INVOICE_UPDATED', billingAccountId: 1, invoiceId: 2, data: {} });
      });
      expect(statements.filter((q) => /\bfrom "webhook_endpoints"/i.test(q))).toHaveLength(1);
      expect(statements.filter((q) => /webhook_deliveries/i.test(q))).toEqual([]);
      expect(await rows('SELECT id FROM webhook_deliveries')).toEqual([]);
    } finally {
      await counted.close();
    }
  });
});

describe('ordering', () => {
  it("an invoice's second event is not sent before its first succeeds; other events are not held up", async () => {
    const services = servicesFor(store);
    const { secret } = await endpointFor(services);
    const first = await record(services, { type: 'PAYMENT_UPDATED', invoiceId: 2, data: { status: 'SUCCEEDED' } });
    const second = await record(services, { type: 'INVOICE_UPDATED', invoiceId: 2, data: { status: 'PAID' } });
    const unrelated = await record(services, { type: 'PAYMENT_METHOD_ADDED' });
    receiver.answer = ({ webhookId, nth }) => (webhookId === first.id && nth === 1 ? { status: 500 } : { status: 200 });

    await runWebhookDeliveryPass(services);
    expect(receiver.requests.map((r) => [r.webhookId, r.status])).toEqual([
      [first.id, 500],
      [unrelated.id, 200],
    ]);
    clock.advance(30_000);
    await runWebhookDeliveryPass(services);
    expect(receiver.requests.map((r) => [r.webhookId, r.status])).toEqual([
      [first.id, 500],
      [unrelated.id, 200],
      [first.id, 200],
      [second.id, 200],
    ]);
    const bodies = receiver.requests.slice(2).map((r) => verify(secret, r) as { sequence: number });
    expect(bodies.map((b) => b.sequence)).toEqual([first.sequence, second.sequence]);
  });
});

describe('secret rotation', () => {
  it('during the overlap either secret verifies; after it only the new one', async () => {
    const services = servicesFor(store);
    const { endpoint, secret: oldSecret } = await endpointFor(services);
    const rotated = await rotateWebhookEndpointSecret(services, await as('ada'), endpoint.id, 60 * 60 * 1000);
    expect(rotated.secret).not.toBe(oldSecret);
    expect(rotated.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    await record(services);
    await runWebhookDeliveryPass(services);
    const during = receiver.requests[0]!;
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(oldSecret, during)).toBeTruthy();
    expect(verify(rotated.secret, during)).toBeTruthy();

    clock.advance(60 * 60 * 1000 + 1);
    await record(services);
    await runWebhookDeliveryPass(services);
    const after = receiver.requests[1]!;
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(verify(rotated.secret, after)).toBeTruthy();
    expect(() => verify(oldSecret, after)).toThrow(/signature/i);
  });

  it('the secret is stored encrypted, never in clear', async () => {
    const services = servicesFor(store);
    const { secret } = await endpointFor(services);
    const stored = JSON.stringify(await rows('SELECT * FROM webhook_endpoints'));
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(secret.slice('whsec_'.length, 20));
  });

  it('refuses an overlap longer than 7 days', async () => {
    const services = servicesFor(store);
    const { endpoint } = await endpointFor(services);
    const error = await rejectionOf(
      rotateWebhookEndpointSecret(services, await as('ada'), endpoint.id, 8 * 24 * 60 * 60 * 1000),
    );
    expect(error).toBeInstanceOf(ValidationError);
  });
});

describe('who may manage endpoints', () => {
  it("readers may not; another tenant's endpoint and delivery read as missing", async () => {
    const services = servicesFor(store);
    const { endpoint } = await endpointFor(services);
    const refused = await rejectionOf(
      createWebhookEndpoint(services, await as('rita'), {
        billingAccountId: 1,
        url: `${receiver.url}/x`,
        eventTypes: ['INVOICE_UPDATED'],
      }),
    );
    expect(refused).toBeInstanceOf(NotAuthorizedError);
    const foreign = await rejectionOf(deleteWebhookEndpoint(services, await as('olga'), endpoint.id));
    expect(foreign).toBeInstanceOf(NotFoundError);
    const missing = await rejectionOf(deleteWebhookEndpoint(services, await as('olga'), 999_999));
    expect({ ...missing, message: missing.message }).toEqual({ ...foreign, message: foreign.message });
    await record(services);
    const [delivery] = await rows<{ id: number }>('SELECT id FROM webhook_deliveries');
    expect(await rejectionOf(redeliverWebhookDelivery(services, await as('olga'), delivery!.id))).toBeInstanceOf(
      NotFoundError,
    );
    expect(
      await rejectionOf(replayWebhookEvents(services, await as('olga'), endpoint.id, { sequence: 0 })),
    ).toBeInstanceOf(NotFoundError);
  });

  it('an API key with webhooks:manage may; one without it may not', async () => {
    const services = servicesFor(store);
    const key = (scopes: ('webhooks:manage' | 'invoices:read')[]) =>
      AccessView.load(store, { kind: 'api-key', apiKeyId: 1, billingAccountId: 1, scopes });
    const created = await createWebhookEndpoint(services, await key(['webhooks:manage']), {
      billingAccountId: 1,
      url: `${receiver.url}/key`,
      eventTypes: ['INVOICE_UPDATED'],
    });
    expect(created.endpoint.billingAccountId).toBe(1);
    const refused = await rejectionOf(
      deleteWebhookEndpoint(services, await key(['invoices:read']), created.endpoint.id),
    );
    expect(refused).toBeInstanceOf(NotAuthorizedError);
  });
});

describe('replay', () => {
  it("re-sends the endpoint's events after a sequence, with their original webhook-id", async () => {
    const services = servicesFor(store);
    const { endpoint } = await endpointFor(services);
    const events = [await record(services), await record(services), await record(services)];
    await runWebhookDeliveryPass(services);
    const replayed = await replayWebhookEvents(services, await as('ada'), endpoint.id, { eventId: events[0]!.id });
    expect(replayed).toEqual({ queued: 2, lastSequence: events[2]!.sequence });
    await runWebhookDeliveryPass(services);
    expect(receiver.requests.map((r) => r.webhookId)).toEqual([...events, events[1], events[2]].map((e) => e!.id));
  });
});

describe('event log retention', () => {
  it('removing old events first removes their deliveries and attempts, in the same transaction', async () => {
    const services = servicesFor(store);
    await endpointFor(services);
    const old = await record(services);
    const kept = await record(services);
    await runWebhookDeliveryPass(services);
    await store.transaction(async (tx) => {
      expect(await deleteWebhookDeliveriesThrough(services, tx, old.sequence)).toBe(1);
      await tx.delete(store.t.billingEvents).where(eq(store.t.billingEvents.sequence, old.sequence));
    });
    expect(
      await rows('SELECT e.id FROM webhook_deliveries d JOIN billing_events e ON e.sequence = d.event_sequence'),
    ).toEqual([{ id: kept.id }]);
    expect(await rows('SELECT CAST(count(*) AS INTEGER) AS n FROM webhook_delivery_attempts')).toEqual([{ n: 1 }]);
  });
});

/** Resolves names as a test says, like a DNS server would (optionally changing its answer: rebinding). */
function lookupReturning(answers: Record<string, string[]>): LookupFunction {
  return ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    const list = answers[hostname];
    if (!list) return callback(Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
    const entries = list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    if (options.all) callback(null, entries);
    else callback(null, entries[0]!.address, entries[0]!.family);
  }) as unknown as LookupFunction;
}

describe('SSRF', () => {
  const production: WebhookSettings = {
    ...BASE,
    requireHttps: true,
    allowPrivateAddresses: false,
    lookup: lookupReturning({
      'internal.example': ['10.0.0.1'],
      'metadata.example': ['169.254.169.254'],
      'mixed.example': ['93.184.216.34', '127.0.0.1'],
      'public.example': ['93.184.216.34'],
    }),
  };

  it.each([
    ['https://127.0.0.1/hooks', 'ADDRESS_NOT_ALLOWED'],
    ['https://10.0.0.1/hooks', 'ADDRESS_NOT_ALLOWED'],
    ['https://169.254.169.254/latest/meta-data', 'ADDRESS_NOT_ALLOWED'],
    ['https://[::1]/hooks', 'ADDRESS_NOT_ALLOWED'],
    ['https://[::ffff:127.0.0.1]/hooks', 'ADDRESS_NOT_ALLOWED'],
    ['https://0.0.0.0/hooks', 'ADDRESS_NOT_ALLOWED'],
    ['https://100.64.1.1/hooks', 'ADDRESS_NOT_ALLOWED'],
    ['https://[fd00::1]/hooks', 'ADDRESS_NOT_ALLOWED'],
    ['https://[fe80::1]/hooks', 'ADDRESS_NOT_ALLOWED'],
    ['https://internal.example/hooks', 'ADDRESS_NOT_ALLOWED'],
    ['https://metadata.example/hooks', 'ADDRESS_NOT_ALLOWED'],
    ['https://mixed.example/hooks', 'ADDRESS_NOT_ALLOWED'],
    ['https://nowhere.example/hooks', 'UNRESOLVABLE'],
    ['http://public.example/hooks', 'NOT_HTTPS'],
    ['https://user:pass@public.example/hooks', 'INVALID_URL'],
    ['ftp://public.example/hooks', 'INVALID_URL'],
    ['not a url', 'INVALID_URL'],
  ])('production mode refuses %s (%s)', async (url, reason) => {
    const error = await rejectionOf(checkWebhookUrl(production, url));
    expect(error).toBeInstanceOf(WebhookUrlNotAllowedError);
    expect((error as WebhookUrlNotAllowedError).reason).toBe(reason);
  });

  it('production mode refuses localhost as the system resolver answers it', async () => {
    const { lookup: _injected, ...systemDns } = production;
    const error = await rejectionOf(checkWebhookUrl(systemDns, 'https://localhost/hooks'));
    expect((error as WebhookUrlNotAllowedError).reason).toBe('ADDRESS_NOT_ALLOWED');
  });

  it('accepts a public https URL in production, and private addresses when allowed', async () => {
    expect(await checkWebhookUrl(production, 'https://public.example/hooks')).toBe('https://public.example/hooks');
    expect(await checkWebhookUrl(BASE, 'http://127.0.0.1:9/hooks')).toBe('http://127.0.0.1:9/hooks');
    expect(isPublicAddress('8.8.8.8')).toBe(true);
    expect(isPublicAddress('2606:4700:4700::1111')).toBe(true);
  });

  it('registration under production rules refuses the receiver with a typed error and stores nothing', async () => {
    const services = servicesFor(store, { allowPrivateAddresses: false });
    const error = await rejectionOf(endpointFor(services));
    expect(error).toBeInstanceOf(WebhookUrlNotAllowedError);
    expect(await rows('SELECT * FROM webhook_endpoints')).toEqual([]);
  });

  it('delivery re-checks: registered while allowed, then sent under production rules, nothing reaches the receiver', async () => {
    await endpointFor(servicesFor(store));
    const strict = servicesFor(store, { allowPrivateAddresses: false });
    await record(strict);
    await runWebhookDeliveryPass(strict);
    expect(receiver.requests).toEqual([]);
    expect(await rows('SELECT status_code AS code, error_kind AS kind FROM webhook_delivery_attempts')).toEqual([
      { code: null, kind: 'ADDRESS_NOT_ALLOWED' },
    ]);
  });

  it('delivery to localhost under production rules is refused at connect time, through the system resolver', async () => {
    await createWebhookEndpoint(servicesFor(store), await as('ada'), {
      billingAccountId: 1,
      url: `http://localhost:${receiver.port}/hooks`,
      eventTypes: ['PAYMENT_METHOD_ADDED'],
    });
    const strict = servicesFor(store, { allowPrivateAddresses: false });
    await record(strict);
    await runWebhookDeliveryPass(strict);
    expect(receiver.requests).toEqual([]);
    expect(await rows('SELECT error_kind AS kind FROM webhook_delivery_attempts')).toEqual([
      { kind: 'ADDRESS_NOT_ALLOWED' },
    ]);
  });

  it('DNS rebinding: a name public at registration and loopback at delivery is refused at connect time', async () => {
    const answers: Record<string, string[]> = { 'rebind.example': ['93.184.216.34'] };
    const services = servicesFor(store, { allowPrivateAddresses: false, lookup: lookupReturning(answers) });
    await createWebhookEndpoint(services, await as('ada'), {
      billingAccountId: 1,
      url: `http://rebind.example:${receiver.port}/hooks`,
      eventTypes: ['PAYMENT_METHOD_ADDED'],
    });
    answers['rebind.example'] = ['127.0.0.1'];
    await record(services);
    await runWebhookDeliveryPass(services);
    expect(receiver.requests).toEqual([]);
    expect(await rows('SELECT error_kind AS kind FROM webhook_delivery_attempts')).toEqual([
      { kind: 'ADDRESS_NOT_ALLOWED' },
    ]);
  });
});
