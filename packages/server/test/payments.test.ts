// Money moves exactly once, over real HTTP: races, replays, every sandbox failure mode, live events.
import { seedLargeInvoices } from '@billing/schema/db';
import { toGlobalId } from '@billing/schema/graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardId, invoiceId, startTestGateway, type TestGateway } from './harness.js';
import { addCard as addCardAs, PAY_INVOICE } from './operations.js';
import { openSse, sseEvents } from './sse.js';

let gw: TestGateway;

const pay = (invoice: number, paymentMethodId: string, idempotencyKey: string) =>
  gw.gql(PAY_INVOICE, { input: { invoiceId: invoiceId(invoice), paymentMethodId, idempotencyKey } });

const sql = <T>(query: string, ...params: unknown[]) => gw.gateway.resources.store.rawQuery<T>(query, params);
const ledger = () => gw.gateway.resources.sandbox;

const addCard = (cardNumber: string) => addCardAs(gw, cardNumber);

beforeAll(async () => {
  // A little processor latency so concurrent requests really overlap.
  gw = await startTestGateway({ env: { SANDBOX_LATENCY_MS: '25', PROCESSOR_TIMEOUT_MS: '300' } });
});
afterAll(async () => {
  await gw?.close();
});

/**
 * Invoices of a describe block's own, 40 of them numbered `prefix...` in profile `billingProfileId` of
 * Contoso (one in ten seeded is open), so it has open ones whatever the other suites paid. The function
 * returned reads up to `count` of them that are open with something due, oldest first.
 */
function ownOpenInvoices(prefix: string, billingProfileId: number): (count: number) => Promise<number[]> {
  beforeAll(() =>
    seedLargeInvoices(gw.gateway.resources.store, {
      billingAccountId: 1,
      billingProfileId,
      currency: 'USD',
      invoices: 40,
      today: new Date().toISOString().slice(0, 10),
      numberPrefix: prefix,
    }),
  );
  return async (count) =>
    (
      await sql<{ id: number }>(
        `SELECT id FROM invoices WHERE number LIKE '${prefix}%' AND lifecycle = 'OPEN' AND amount_due_minor > 0 ORDER BY id LIMIT ${count}`,
      )
    ).map((row) => row.id);
}

describe('races', () => {
  it('60 concurrent payInvoice requests with different keys: exactly one charge', async () => {
    const before = ledger().chargeCount();
    const responses = await Promise.all(Array.from({ length: 60 }, (_, i) => pay(2, cardId(1), `race-${i}`)));
    const kinds = responses.map((r) => r.data!.payInvoice.__typename);
    expect(kinds.filter((k) => k === 'PayInvoiceSuccess')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'InvoiceNotPayableError')).toHaveLength(59);
    const reasons = new Set(responses.map((r) => r.data!.payInvoice.notPayableReason).filter(Boolean));
    expect([...reasons].every((reason) => reason === 'PAYMENT_IN_PROGRESS' || reason === 'ALREADY_PAID')).toBe(true);
    expect(
      (
        await sql<{ n: number }>(
          "SELECT CAST(count(*) AS INTEGER) AS n FROM payments WHERE invoice_id = 2 AND status = 'SUCCEEDED'",
        )
      )[0]!.n,
    ).toBe(1);
    expect(
      (await sql<{ n: number }>('SELECT CAST(count(*) AS INTEGER) AS n FROM payments WHERE invoice_id = 2'))[0]!.n,
    ).toBe(1);
    expect(ledger().chargeCount() - before).toBe(1);
  });
});

describe('idempotency keys', () => {
  it('a sequential replay returns the identical response and charges once', async () => {
    const before = ledger().chargeCount();
    const first = await pay(3, cardId(1), 'replay-sequential');
    const second = await pay(3, cardId(1), 'replay-sequential');
    expect(first.data!.payInvoice.__typename).toBe('PayInvoiceSuccess');
    expect(second.text).toBe(first.text);
    expect(ledger().chargeCount() - before).toBe(1);
  });

  it('concurrent replays: one charge; the others are told it is in progress, then get the same answer', async () => {
    const before = ledger().chargeCount();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => pay(11, toGlobalId('PaymentMethod', 5), 'replay-concurrent')),
    );
    const kinds = new Set(responses.map((r) => r.data!.payInvoice.__typename));
    expect([...kinds].every((k) => k === 'PayInvoiceSuccess' || k === 'IdempotencyKeyInUseError')).toBe(true);
    expect(kinds.has('PayInvoiceSuccess')).toBe(true);
    const settled = await pay(11, toGlobalId('PaymentMethod', 5), 'replay-concurrent');
    const success = responses.find((r) => r.data!.payInvoice.__typename === 'PayInvoiceSuccess')!;
    expect(settled.text).toBe(success.text);
    expect(ledger().chargeCount() - before).toBe(1);
  });

  it('a declined payment is stored and replayed for its key, without charging again', async () => {
    const declining = await addCard('4000000000009995');
    const attempts = ledger().ledgerEntries().length;
    const first = await pay(12, declining, 'declined-replay');
    // The seed's Marketing invoice cannot use an Engineering card: use an Engineering invoice instead.
    expect(first.data!.payInvoice.__typename).toBe('PaymentMethodUnusableError');
    const engineeringInvoice = (
      await sql<{ id: number }>(
        "SELECT id FROM invoices WHERE billing_profile_id = 1 AND lifecycle = 'OPEN' ORDER BY id LIMIT 1",
      )
    )[0]!.id;
    const declined = await pay(engineeringInvoice, declining, 'declined-replay-2');
    expect(declined.data!.payInvoice).toMatchObject({
      __typename: 'CardDeclinedError',
      declineCode: 'INSUFFICIENT_FUNDS',
    });
    const replayed = await pay(engineeringInvoice, declining, 'declined-replay-2');
    expect(replayed.text).toBe(declined.text);
    expect(ledger().ledgerEntries().length - attempts).toBe(1);
  });
});

describe('every sandbox failure mode', () => {
  it.each([
    ['4000000000000002', 'GENERIC_DECLINE'],
    ['4000000000009995', 'INSUFFICIENT_FUNDS'],
    ['4000000000000069', 'EXPIRED_CARD'],
    ['4000000000000127', 'INCORRECT_CVC'],
    ['4000000000000119', 'PROCESSING_ERROR'],
  ])(
    'card %s: CardDeclinedError %s, invoice still payable, attempt recorded as failed',
    async (number, declineCode) => {
      const method = await addCard(number);
      const target = (
        await sql<{ id: number }>(
          "SELECT id FROM invoices WHERE billing_profile_id = 1 AND lifecycle = 'OPEN' ORDER BY id LIMIT 1",
        )
      )[0]!.id;
      const r = await pay(target, method, `mode-${number}`);
      expect(r.data!.payInvoice).toMatchObject({ __typename: 'CardDeclinedError', declineCode, code: 'CARD_DECLINED' });
      const after = await gw.gql(
        'query($id: ID!) { invoice(id: $id) { viewerCanPay paymentInProgress payments { status failureCode } } }',
        {
          id: invoiceId(target),
        },
      );
      expect(after.data!.invoice.viewerCanPay).toBe(true);
      expect(after.data!.invoice.paymentInProgress).toBe(false);
      expect(after.data!.invoice.payments[0]).toEqual({ status: 'FAILED', failureCode: declineCode });
    },
  );

  it('a processor that never answers: the payment stays PROCESSING, then reconciliation fails it and reopens the invoice', async () => {
    const method = await addCard('4000000000000341');
    const target = (
      await sql<{ id: number }>(
        "SELECT id FROM invoices WHERE billing_profile_id = 1 AND lifecycle = 'OPEN' ORDER BY id LIMIT 1",
      )
    )[0]!.id;
    const r = await pay(target, method, 'never-answers');
    expect(r.data!.payInvoice).toMatchObject({ __typename: 'PayInvoiceSuccess', payment: { status: 'PROCESSING' } });
    const retry = await pay(target, method, 'never-answers');
    expect(retry.data!.payInvoice.__typename).toBe('IdempotencyKeyInUseError');
    gw.clock.advance(2 * 60 * 60 * 1000);
    const { reconcileStalePayments } = await import('@billing/schema/billing');
    const summary = await reconcileStalePayments(gw.gateway.resources.services);
    expect(summary?.failed).toBeGreaterThanOrEqual(1);
    const after = await gw.gql(
      'query($id: ID!) { invoice(id: $id) { viewerCanPay payments { status failureCode } } }',
      { id: invoiceId(target) },
    );
    expect(after.data!.invoice.viewerCanPay).toBe(true);
    expect(after.data!.invoice.payments[0]).toEqual({ status: 'FAILED', failureCode: 'PROCESSING_ERROR' });
    const settled = await pay(target, method, 'never-answers');
    expect(settled.data!.payInvoice).toMatchObject({
      __typename: 'CardDeclinedError',
      declineCode: 'PROCESSING_ERROR',
    });
  });
});

describe('live updates', () => {
  it('an SSE subscriber on the account sees the payment and the paid invoice; another tenant sees nothing', async () => {
    const subscribe = (as: 'rita' | 'olga') =>
      openSse(
        gw.url,
        gw.headersFor(as),
        'subscription { billingEvents { type invoice { id number status } payment { status } } }',
      );
    const rita = await subscribe('rita');
    const olga = await subscribe('olga');
    const target = (
      await sql<{ id: number }>(
        "SELECT id FROM invoices WHERE billing_profile_id = 1 AND lifecycle = 'OPEN' ORDER BY id LIMIT 1",
      )
    )[0]!.id;
    const paid = await pay(target, cardId(1), 'live-update');
    expect(paid.data!.payInvoice.__typename).toBe('PayInvoiceSuccess');
    await rita.waitFor('"PAID"', 1_000);
    await rita.stop();
    await olga.stop();
    expect(rita.text()).toContain('"PAYMENT_UPDATED"');
    expect(rita.text()).toContain(`"id":"${invoiceId(target)}","number"`);
    expect(rita.text()).toMatch(/"status":"PAID"/);
    expect(olga.text()).not.toContain('PAYMENT_UPDATED');
    expect(olga.text()).not.toContain('INVOICE_UPDATED');
  });

  describe('resuming a stream', () => {
    const EVENTS =
      'subscription($after: ID) { billingEvents(after: $after) { id sequence type invoiceStatus paymentStatus invoice { id } } }';
    interface StreamedEvent {
      data?: {
        billingEvents: {
          id: string;
          sequence: number;
          type: string;
          invoiceStatus: string;
          paymentStatus: string | null;
          invoice: { id: string };
        };
      };
      errors?: { extensions: { code: string } }[];
      extensions?: { eventId?: string };
    }
    const openInvoices = ownOpenInvoices('RESUME', 1);
    const received = (text: string) => sseEvents<StreamedEvent>(text);
    async function eventsUntil(headers: Record<string, string>, count: number, variables: object = {}) {
      const stream = await openSse(gw.url, headers, EVENTS, variables);
      const deadline = Date.now() + 5_000;
      while (received(stream.text()).length < count && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      // Nothing more than what was missed arrives.
      await new Promise((r) => setTimeout(r, 300));
      await stream.stop();
      return received(stream.text());
    }

    it('reconnecting with Last-Event-ID delivers exactly the three changes missed, in order, each with its id line', async () => {
      const [first, second] = await openInvoices(2);
      const live = await openSse(gw.url, gw.headersFor('rita'), EVENTS);
      const firstPaid = await pay(first!, cardId(1), 'resume-first');
      expect(firstPaid.data!.payInvoice).toMatchObject({ __typename: 'PayInvoiceSuccess' });
      expect(await live.waitFor('"INVOICE_UPDATED"')).toBe(true);
      await live.stop();
      const seen = received(live.text());
      expect(seen.map((e) => e.data.data!.billingEvents.type)).toEqual([
        'PAYMENT_UPDATED',
        'PAYMENT_UPDATED',
        'INVOICE_UPDATED',
      ]);
      for (const event of seen) {
        expect(event.id).toBe(event.data.data!.billingEvents.id);
        expect(event.data.extensions!.eventId).toBe(event.id);
      }

      // Disconnected: the second payment's three changes (attempt started, attempt succeeded, invoice paid).
      expect((await pay(second!, cardId(1), 'resume-second')).data!.payInvoice.__typename).toBe('PayInvoiceSuccess');
      const missed = await eventsUntil({ ...gw.headersFor('rita'), 'last-event-id': seen.at(-1)!.id! }, 3);
      expect(
        missed.map(({ data }) => {
          const e = data.data!.billingEvents;
          return [e.type, e.invoice.id, e.paymentStatus, e.invoiceStatus];
        }),
      ).toEqual(
        [
          ['PAYMENT_UPDATED', invoiceId(second!), 'PROCESSING', 'DUE'],
          ['PAYMENT_UPDATED', invoiceId(second!), 'SUCCEEDED', 'PAID'],
          ['INVOICE_UPDATED', invoiceId(second!), null, 'PAID'],
        ].map(([type, id, payment, invoice]) => [
          type,
          id,
          payment,
          invoice === 'DUE' ? expect.stringMatching(/^(PAST_)?DUE$/) : invoice,
        ]),
      );
      const sequences = missed.map((e) => e.data.data!.billingEvents.sequence);
      expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
      expect(sequences[0]).toBeGreaterThan(seen.at(-1)!.data.data!.billingEvents.sequence);

      // The `after` argument resumes the same way: from the first event, the other five.
      const fromFirst = await eventsUntil(gw.headersFor('rita'), 5, { after: seen[0]!.id });
      expect(fromFirst.map((e) => e.id)).toEqual([...seen.slice(1), ...missed].map((e) => e.id));
    });

    it("another tenant's event id resumes nothing: EVENT_CURSOR_EXPIRED, exactly like an id that never existed", async () => {
      const [target] = await openInvoices(1);
      const live = await openSse(gw.url, gw.headersFor('rita'), EVENTS);
      await pay(target!, cardId(1), 'resume-foreign');
      expect(await live.waitFor('"INVOICE_UPDATED"')).toBe(true);
      await live.stop();
      const ritasEvent = received(live.text())[0]!.id!;
      for (const id of [ritasEvent, 'evt_ffffffffffffffffffffffffffffffff']) {
        const [answer, ...rest] = await eventsUntil({ ...gw.headersFor('olga'), 'last-event-id': id }, 1);
        expect(rest).toEqual([]);
        expect(answer!.data.errors!.map((e) => e.extensions.code)).toEqual(['EVENT_CURSOR_EXPIRED']);
        expect(answer!.data.data ?? null).toBeNull();
      }
    });
  });
});

describe('the one-live-attempt index', () => {
  it('refuses a second PROCESSING attempt: nothing charged or written, and the key runs again once it clears', async () => {
    // An inconsistent state the reservation alone would not catch: an OPEN invoice with a PROCESSING
    // attempt. The insert of the second attempt fails on the index, which rolls the reservation back.
    const card = toGlobalId('PaymentMethod', 5);
    const [invoice] = await sql<{ id: number; amount: number }>(
      "SELECT id, amount_due_minor AS amount FROM invoices WHERE billing_profile_id = 2 AND lifecycle = 'OPEN' AND amount_due_minor > 0 ORDER BY id DESC LIMIT 1",
    );
    const now = new Date().toISOString();
    await sql(
      `INSERT INTO payments (billing_account_id, invoice_id, payment_method_id, amount_minor, currency, status,
         processor_idempotency_key, initiated_by, created_at, updated_at)
       SELECT billing_account_id, id, 5, amount_due_minor, currency, 'PROCESSING', 'manual-live-attempt', 'user:1', ?, ?
       FROM invoices WHERE id = ?`,
      now,
      now,
      invoice!.id,
    );
    const rows = () =>
      sql<{ id: number; status: string }>(
        'SELECT id, status FROM payments WHERE invoice_id = ? ORDER BY id',
        invoice!.id,
      );
    const before = await rows();
    const charges = ledger().chargeCount();

    const refused = await pay(invoice!.id, card, 'live-attempt-index');
    expect(refused.data!.payInvoice).toMatchObject({
      __typename: 'InvoiceNotPayableError',
      notPayableReason: 'PAYMENT_IN_PROGRESS',
    });
    expect(await rows()).toEqual(before);
    const [lifecycle] = await sql<{ lifecycle: string }>('SELECT lifecycle FROM invoices WHERE id = ?', invoice!.id);
    expect(lifecycle!.lifecycle).toBe('OPEN');
    expect(ledger().chargeCount()).toBe(charges);

    await sql("DELETE FROM payments WHERE processor_idempotency_key = 'manual-live-attempt'");
    const retried = await pay(invoice!.id, card, 'live-attempt-index');
    expect(retried.data!.payInvoice.__typename).toBe('PayInvoiceSuccess');
    expect(ledger().chargeCount() - charges).toBe(1);
  });
});

describe("payInvoice's statements and its answer", () => {
  // Marketing's (profile 2).
  const openInvoices = ownOpenInvoices('COUNTED', 2);
  const openInvoice = async () => {
    const [id] = await openInvoices(1);
    if (id === undefined) throw new Error('no open COUNTED invoice left');
    return id;
  };
  /** A statement as its verb and the tables it names (sorted: the dialects nest relational reads differently). */
  const shape = (statement: string) => {
    const text = statement.trim().replace(/\s+/g, ' ');
    const verb = text.split(' ')[0]!.toLowerCase();
    const tables = [...text.matchAll(/\b(?:from|into|update|join) "?([a-z_]+)\b"?(?!\()/gi)].map((m) => m[1]!);
    return [verb, ...[...new Set(tables)].sort()].join(' ');
  };

  it('a new key, card charged: 19 statements in 2 transactions on both dialects', async () => {
    await pay(await openInvoice(), toGlobalId('PaymentMethod', 5), 'statements-warm-up');
    const invoice = await openInvoice();
    gw.resetQueryLog();
    const paid = await pay(invoice, toGlobalId('PaymentMethod', 5), 'statements-counted');
    expect(paid.data!.payInvoice).toMatchObject({ __typename: 'PayInvoiceSuccess', payment: { status: 'SUCCEEDED' } });
    expect(gw.queries.map(shape)).toEqual([
      // authentication: the user and their role assignments
      'select users',
      'select billing_role_assignments',
      // claim the key, check the request, reserve the invoice: one transaction
      'begin',
      'insert idempotency_records',
      'select billing_accounts invoices payment_methods',
      'update invoices',
      'insert payments',
      'insert billing_events',
      'select webhook_endpoints',
      'commit',
      // (the processor is charged outside any transaction) settle: one transaction, two events
      'begin',
      'update payments',
      'update invoices',
      'insert audit_events',
      'update idempotency_records',
      'insert billing_events',
      'insert billing_events',
      'select webhook_endpoints',
      'commit',
      // the answer's invoice and payment are the settlement's own rows: nothing read again
    ]);
  });

  it('the answer shows the rows as a read right after the commit does: a replay, read afresh, is byte-identical', async () => {
    const FULL = `mutation PayInvoice($input: PayInvoiceInput!) {
      payInvoice(input: $input) {
        __typename
        ... on PayInvoiceSuccess {
          invoice {
            id number status currency invoiceDate dueDate paidAt nextAutomaticChargeAt paymentInProgress viewerCanPay
            amountDue { minorUnits currency } subtotal { minorUnits } tax { minorUnits } total { minorUnits }
            creditApplied { minorUnits } billingPeriod { start end } billingProfile { id } billingAccount { id }
            payments { id status }
          }
          payment {
            id status failureCode processorReference createdAt updatedAt amount { minorUnits currency }
            invoice { id status amountDue { minorUnits } } paymentMethod { id }
          }
        }
      }
    }`;
    const input = { invoiceId: invoiceId(await openInvoice()), paymentMethodId: toGlobalId('PaymentMethod', 5) };
    const first = await gw.gql(FULL, { input: { ...input, idempotencyKey: 'answer-rows' } });
    expect(first.data!.payInvoice).toMatchObject({ __typename: 'PayInvoiceSuccess', invoice: { status: 'PAID' } });
    gw.resetQueryLog();
    const replayed = await gw.gql(FULL, { input: { ...input, idempotencyKey: 'answer-rows' } });
    expect(gw.queries.some((q) => /\bfrom "?invoices"? i\b/i.test(q))).toBe(true); // the replay did read
    expect(replayed.text).toBe(first.text);
  });
});
