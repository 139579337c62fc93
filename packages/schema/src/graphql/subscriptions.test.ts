// billingEvents over graphql-js's own `subscribe`: the account filter, authorization per event, and
// that a stream which ends lets go of its bus subscription.
import { parse, subscribe, type ExecutionResult } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { pruneEventLog, recordInvoiceUpdated, transactionWithEvents } from '../billing/event-log.js';
import { createWebhookEndpoint } from '../billing/webhooks/endpoints.js';
import { createBillingFixture, type BillingFixture, type UserName } from '../billing/test-support.js';
import { toGlobalId } from './ids.js';
import { billingSchema } from './index.js';

type EventResult = ExecutionResult<{ billingEvents: { type: string; invoice: { id: string } } }>;

let fixture: BillingFixture;
afterEach(() => fixture?.close());

async function open(user: UserName, billingAccountId?: string): Promise<AsyncGenerator<EventResult>> {
  const result = await subscribe({
    schema: billingSchema(),
    document: parse('subscription($id: ID) { billingEvents(billingAccountId: $id) { type invoice { id } } }'),
    variableValues: { id: billingAccountId ?? null },
    contextValue: { services: fixture.services, access: await fixture.as(user), requestId: 'test' },
  });
  if (!(Symbol.asyncIterator in result)) throw new Error(JSON.stringify(result));
  return result as AsyncGenerator<EventResult>;
}

// Published straight to the bus, as the event log publishes a committed event.
let sequence = 0;
const invoiceUpdated = (invoiceId: number, billingAccountId: number, billingProfileId: number) => {
  sequence += 1;
  return {
    type: 'INVOICE_UPDATED',
    sequence,
    id: `evt_test${sequence}`,
    invoiceId,
    billingAccountId,
    billingProfileId,
    data: { invoiceId, invoiceStatus: 'DUE', amountDueMinor: 100, currency: 'USD' },
    occurredAt: new Date().toISOString(),
  } as const;
};

async function nextInvoiceId(stream: AsyncGenerator<EventResult>): Promise<string | undefined> {
  const next = await stream.next();
  return next.done ? undefined : next.value.data?.billingEvents.invoice.id;
}

describe('billingEvents', () => {
  it('delivers only the events the subscriber may read, of the account asked for', async () => {
    fixture = await createBillingFixture();
    const olga = await open('olga');
    const adaOnFabrikam = await open('ada');
    const adaOnContoso = await open('ada', toGlobalId('BillingAccount', 1));
    const olgaNext = nextInvoiceId(olga);
    const adaNext = nextInvoiceId(adaOnContoso);
    const adaAnyNext = nextInvoiceId(adaOnFabrikam);
    fixture.services.events.publish(invoiceUpdated(1, 1, 1)); // Contoso: Olga may not read it
    fixture.services.events.publish(invoiceUpdated(23, 2, 4)); // Fabrikam: Ada may not read it
    fixture.services.events.publish(invoiceUpdated(2, 1, 1));
    expect(await olgaNext).toBe(toGlobalId('Invoice', 23));
    expect(await adaNext).toBe(toGlobalId('Invoice', 1));
    expect(await adaAnyNext).toBe(toGlobalId('Invoice', 1));
    expect(await nextInvoiceId(adaOnFabrikam)).toBe(toGlobalId('Invoice', 2));
    for (const stream of [olga, adaOnFabrikam, adaOnContoso]) await stream.return(undefined);
  });

  it('an ID that is malformed or of another type ends the stream at once, like one that does not exist', async () => {
    fixture = await createBillingFixture();
    for (const id of ['not-an-id', toGlobalId('Invoice', 1)]) {
      const stream = await open('olga', id);
      expect(await stream.next()).toMatchObject({ done: true });
    }
    expect(fixture.services.events.subscriberCount).toBe(0);
  });

  it('unsubscribes from the bus when the client goes away', async () => {
    fixture = await createBillingFixture();
    const stream = await open('ada');
    const pending = stream.next();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(fixture.services.events.subscriberCount).toBe(1);
    await stream.return(undefined);
    await pending;
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(fixture.services.events.subscriberCount).toBe(0);
  });

  it('keeps events for the retention window: a cursor pruned from the log is EVENT_CURSOR_EXPIRED', async () => {
    fixture = await createBillingFixture();
    const { services } = fixture;
    const invoice = (await services.store.db.query.invoices.findFirst({ where: { id: 2 } }))!;
    const record = () =>
      transactionWithEvents(services, (_tx, log) => recordInvoiceUpdated(log, invoice, services.clock));
    // An endpoint, so the events have deliveries: pruning takes a delivery's history with its event.
    await createWebhookEndpoint(services, await fixture.as('ada'), {
      billingAccountId: 1,
      url: 'http://127.0.0.1:9/hooks',
      eventTypes: ['INVOICE_UPDATED'],
    });
    const old = await record();
    const deliveriesOf = async (sequence: number) =>
      (await services.store.db.query.webhookDeliveries.findMany({ where: { eventSequence: sequence } })).length;
    expect(await deliveriesOf(old.sequence)).toBe(1);
    fixture.clock.advance(31 * 86_400_000);
    const recent = await record();
    expect(await pruneEventLog(services, 30)).toBe(1);
    expect(await pruneEventLog(services, 30)).toBe(0);
    expect([await deliveriesOf(old.sequence), await deliveriesOf(recent.sequence)]).toEqual([0, 1]);

    const resume = async (after: string) => {
      const result = await subscribe({
        schema: billingSchema(),
        document: parse('subscription($after: ID) { billingEvents(after: $after) { id } }'),
        variableValues: { after },
        contextValue: { services, access: await fixture.as('ada'), requestId: 'test' },
      });
      return result;
    };
    expect(await resume(old.id)).toMatchObject({ errors: [{ extensions: { code: 'EVENT_CURSOR_EXPIRED' } }] });
    // The recent one is still a cursor: a stream opens (and the log has nothing after it yet).
    const open = await resume(recent.id);
    expect(Symbol.asyncIterator in open).toBe(true);
    await (open as AsyncGenerator).return(undefined);
  });
});
