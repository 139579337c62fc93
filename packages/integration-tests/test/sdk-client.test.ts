// The SDK against the real gateway on a random port: every function, typed narrowing, paging,
// retries and idempotent payment retries.
import { toGlobalId } from '@billing/schema/graphql';
import { addMarketingInvoices, cardId, invoiceId, startTestGateway, type TestGateway } from '@billing/server/testing';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  BillingClientError,
  createBillingClient,
  type BillingClient,
  type DeclineCode,
  type InvoiceNotPayableReason,
  type InvoiceStatus,
  type PaymentMethodUnusableReason,
} from '@billing/sdk';

let gw: TestGateway;
let ada: BillingClient;
const CONTOSO = toGlobalId('BillingAccount', 1);
const ENGINEERING = toGlobalId('BillingProfile', 1);
const MARKETING = toGlobalId('BillingProfile', 2);

function ledgerCharges(): number {
  return gw.gateway.resources.sandbox.chargeCount();
}

beforeAll(async () => {
  gw = await startTestGateway();
  await addMarketingInvoices(gw, 260);
  ada = createBillingClient({ url: gw.url, token: gw.tokens.ada, retry: { baseDelayMs: 1 } });
});

afterAll(async () => {
  await gw?.close();
});

describe('reads', () => {
  it('checkMyAccess: accounts, roles, agreement types and permissions', async () => {
    const viewer = await ada.checkMyAccess();
    expect(viewer?.user?.email).toBe('ada@contoso.example');
    const contoso = viewer!.billingAccounts.find((a) => a.id === CONTOSO)!;
    expect(contoso).toMatchObject({
      agreementType: 'MICROSOFT_CUSTOMER_AGREEMENT',
      viewerRole: 'OWNER',
      viewerIsAdmin: true,
    });
    expect(contoso.viewerPermissions.canPayInvoices).toBe(true);
    expect(viewer!.billingAccounts.map((a) => a.agreementType)).toContain('MICROSOFT_ONLINE_SERVICES_PROGRAM');

    const rita = createBillingClient({ url: gw.url, token: () => gw.tokens.rita });
    const ritaAccess = await rita.checkMyAccess();
    expect(ritaAccess!.billingAccounts[0]).toMatchObject({ viewerRole: 'READER', viewerIsAdmin: false });
    expect(ritaAccess!.billingAccounts[0]!.viewerPermissions.canPayInvoices).toBe(false);

    const anonymous = createBillingClient({ url: gw.url });
    expect(await anonymous.checkMyAccess()).toBeNull();
  });

  it('listInvoices with filters, and invoice / invoiceByNumber with line items', async () => {
    const page = await ada.listInvoices({ accountId: CONTOSO }, { first: 5, filter: { statuses: ['PAST_DUE'] } });
    expect(page!.nodes.length).toBeGreaterThan(0);
    expectTypeOf(page!.nodes[0]!.status).toEqualTypeOf<InvoiceStatus>();
    expect(page!.nodes.every((n) => n.status === 'PAST_DUE')).toBe(true);
    const detail = await ada.invoice(invoiceId(1));
    expect(detail!.lineItems.length).toBeGreaterThan(0);
    expect(detail!.total.minorUnits).toBe(detail!.subtotal.minorUnits + detail!.tax.minorUnits);
    const byNumber = await ada.invoiceByNumber(detail!.number);
    expect(byNumber!.id).toBe(detail!.id);
    expect(await ada.invoice(invoiceId(22))).toBeNull(); // Fabrikam's
  });

  it('allInvoices walks more than 250 invoices page by page, each once', async () => {
    const seen: string[] = [];
    for await (const node of ada.allInvoices({ profileId: MARKETING }, { first: 40 })) seen.push(node.id);
    expect(seen.length).toBe(266);
    expect(new Set(seen).size).toBe(266);
  });

  it('paymentMethods lists the default card first', async () => {
    const profile = await ada.paymentMethods(ENGINEERING);
    expect(profile!.paymentMethods![0]).toMatchObject({ last4: '4242', isDefault: true });
    expect(profile!.paymentMethods!.some((m) => m.isExpired)).toBe(true);
  });
});

describe('mutations return typed unions to narrow on __typename', () => {
  it('addPaymentMethod, setDefaultPaymentMethod, removePaymentMethod', async () => {
    const added = await ada.addPaymentMethod({
      billingProfileId: ENGINEERING,
      cardNumber: '5555555555554444',
      expMonth: 4,
      expYear: 2031,
      cvc: '321',
      holderName: 'Ada Lovelace',
    });
    if (added.__typename !== 'AddPaymentMethodSuccess') throw new Error(`unexpected ${added.__typename}`);
    expectTypeOf(added.paymentMethod.last4).toEqualTypeOf<string>();
    expect(added.paymentMethod).toMatchObject({ brand: 'MASTERCARD', last4: '4444' });

    const chosen = await ada.setDefaultPaymentMethod(added.paymentMethod.id);
    expect(chosen.__typename === 'SetDefaultPaymentMethodSuccess' && chosen.paymentMethod.isDefault).toBe(true);
    const updated = await ada.updatePaymentMethod({ paymentMethodId: added.paymentMethod.id, expYear: 2032 });
    expect(updated.__typename === 'UpdatePaymentMethodSuccess' && updated.paymentMethod.expYear).toBe(2032);
    const refused = await ada.removePaymentMethod(added.paymentMethod.id);
    if (refused.__typename !== 'PaymentMethodNotRemovableError') throw new Error(`unexpected ${refused.__typename}`);
    expectTypeOf(refused.notRemovableReason).toEqualTypeOf<'DEFAULT_PAYMENT_METHOD' | 'ONLY_CARD_ON_AUTOPAY'>();
    expect(refused.notRemovableReason).toBe('DEFAULT_PAYMENT_METHOD');
    await ada.setDefaultPaymentMethod(cardId(1));
    const removed = await ada.removePaymentMethod(added.paymentMethod.id);
    expect(removed.__typename === 'RemovePaymentMethodSuccess' && removed.paymentMethod.removedAt !== null).toBe(true);

    const invalid = await ada.addPaymentMethod({
      billingProfileId: ENGINEERING,
      cardNumber: '1234',
      expMonth: 1,
      expYear: 2031,
      cvc: '1',
      holderName: 'x',
    });
    if (invalid.__typename !== 'ValidationError') throw new Error(`unexpected ${invalid.__typename}`);
    expectTypeOf(invalid.field).toEqualTypeOf<string>();
    expect(invalid.field).toBe('input.cardNumber');
  });

  it('payInvoice narrows to each error type with its typed detail', async () => {
    const declined = await ada.payInvoice({ invoiceId: invoiceId(2), paymentMethodId: cardId(3) });
    if (declined.__typename !== 'CardDeclinedError') throw new Error(`unexpected ${declined.__typename}`);
    expectTypeOf(declined.declineCode).toEqualTypeOf<DeclineCode>();
    expect(declined.declineCode).toBe('GENERIC_DECLINE');

    const expired = await ada.payInvoice({ invoiceId: invoiceId(2), paymentMethodId: cardId(4) });
    if (expired.__typename !== 'PaymentMethodUnusableError') throw new Error(`unexpected ${expired.__typename}`);
    expectTypeOf(expired.unusableReason).toEqualTypeOf<PaymentMethodUnusableReason>();
    expect(expired.unusableReason).toBe('EXPIRED');

    const paid = await ada.payInvoice({ invoiceId: invoiceId(5), paymentMethodId: cardId(1) });
    if (paid.__typename !== 'InvoiceNotPayableError') throw new Error(`unexpected ${paid.__typename}`);
    expectTypeOf(paid.notPayableReason).toEqualTypeOf<InvoiceNotPayableReason>();
    expect(paid.notPayableReason).toBe('ALREADY_PAID');

    const missing = await ada.payInvoice({ invoiceId: 'nope', paymentMethodId: cardId(1) });
    if (missing.__typename !== 'NotFoundError') throw new Error(`unexpected ${missing.__typename}`);
    expect(missing.resource).toBe('Invoice');

    const rita = createBillingClient({ url: gw.url, token: gw.tokens.rita });
    const denied = await rita.payInvoice({ invoiceId: invoiceId(2), paymentMethodId: cardId(1) });
    expect(denied.__typename).toBe('NotAuthorizedError');
    if (denied.__typename === 'NotAuthorizedError') expect(denied.message).toMatch(/admin/);

    const ok = await ada.payInvoice({ invoiceId: invoiceId(2), paymentMethodId: cardId(1) });
    if (ok.__typename !== 'PayInvoiceSuccess') throw new Error(`unexpected ${ok.__typename}`);
    expect(ok.invoice.status).toBe('PAID');
    expect(ok.payment.status).toBe('SUCCEEDED');
  });

  it('createApiKey, apiKeys and revokeApiKey; the new key works as a partner client', async () => {
    const created = await ada.createApiKey({ billingAccountId: CONTOSO, name: 'sdk test', scopes: ['INVOICES_READ'] });
    if (created.__typename !== 'CreateApiKeySuccess') throw new Error(`unexpected ${created.__typename}`);
    const partner = createBillingClient({ url: gw.url, apiKey: created.secret });
    expect((await partner.checkMyAccess())!.kind).toBe('API_KEY');
    expect((await ada.apiKeys(CONTOSO))!.map((k) => k.prefix)).toContain(created.apiKey.prefix);
    const revoked = await ada.revokeApiKey(created.apiKey.id);
    expect(revoked.__typename).toBe('RevokeApiKeySuccess');
    const error = await partner.checkMyAccess().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BillingClientError);
    expect((error as BillingClientError).status).toBe(401);
  });
});

describe('transport', () => {
  it('retries a safe query after a network failure', async () => {
    let calls = 0;
    const flaky: typeof fetch = async (input, init) => {
      calls += 1;
      if (calls === 1) throw new TypeError('fetch failed: connection reset');
      return fetch(input, init);
    };
    const client = createBillingClient({ url: gw.url, token: gw.tokens.ada, fetch: flaky, retry: { baseDelayMs: 1 } });
    expect((await client.checkMyAccess())!.user!.email).toBe('ada@contoso.example');
    expect(calls).toBe(2);
  });

  it('never retries a non-idempotent mutation', async () => {
    let calls = 0;
    const down: typeof fetch = async () => {
      calls += 1;
      throw new TypeError('fetch failed');
    };
    const client = createBillingClient({ url: gw.url, token: gw.tokens.ada, fetch: down, retry: { baseDelayMs: 1 } });
    const error = await client.removePaymentMethod(cardId(2)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BillingClientError);
    expect((error as BillingClientError).kind).toBe('network');
    expect(calls).toBe(1);
  });

  it('payInvoice whose response is lost retries with the same key: one charge, a success', async () => {
    const charges = ledgerCharges();
    const keys: string[] = [];
    let calls = 0;
    // The first request reaches the gateway (which charges) but its response is lost on the way back.
    const lossy: typeof fetch = async (input, init) => {
      calls += 1;
      keys.push(JSON.parse(String(init?.body)).variables.input.idempotencyKey);
      const response = await fetch(input, init);
      if (calls === 1) {
        await response.text();
        throw new TypeError('fetch failed: socket hang up');
      }
      return response;
    };
    const client = createBillingClient({ url: gw.url, token: gw.tokens.ada, fetch: lossy, retry: { baseDelayMs: 1 } });
    const result = await client.payInvoice({ invoiceId: invoiceId(3), paymentMethodId: cardId(1) });
    expect(result.__typename).toBe('PayInvoiceSuccess');
    expect(calls).toBe(2);
    expect(keys[0]).toBe(keys[1]);
    expect(ledgerCharges()).toBe(charges + 1);
  });

  it('turns bad credentials into one typed error class', async () => {
    const client = createBillingClient({ url: gw.url, token: 'garbage' });
    const error = (await client.checkMyAccess().catch((e: unknown) => e)) as BillingClientError;
    expect(error).toBeInstanceOf(BillingClientError);
    expect(error.kind).toBe('http');
    expect(error.graphQLErrors[0]?.code).toBe('UNAUTHENTICATED');
  });
});

describe('subscription', () => {
  it('delivers the paid event over server-sent events to a permitted subscriber only', async () => {
    const olga = createBillingClient({ url: gw.url, token: gw.tokens.olga });
    const rita = createBillingClient({ url: gw.url, token: gw.tokens.rita });
    const ritaEvents = rita.billingEvents({ accountId: CONTOSO });
    const olgaEvents = olga.billingEvents();
    const olgaSaw: string[] = [];
    const olgaDone = (async () => {
      for await (const event of olgaEvents) olgaSaw.push(event.invoice.number);
    })();
    await new Promise((resolve) => setTimeout(resolve, 300)); // let both streams open
    const pay = ada.payInvoice({ invoiceId: invoiceId(11), paymentMethodId: cardId(5) });
    let paidSeen = false;
    for await (const event of ritaEvents) {
      if (event.type === 'INVOICE_UPDATED' && event.invoice.id === invoiceId(11) && event.invoice.status === 'PAID') {
        paidSeen = true;
        break;
      }
    }
    expect((await pay).__typename).toBe('PayInvoiceSuccess');
    expect(paidSeen).toBe(true);
    olgaEvents.close();
    await olgaDone;
    expect(olgaSaw).toEqual([]);
  });

  it('resumes after the last event handled: the events missed since, in order, and nothing before', async () => {
    const rita = createBillingClient({ url: gw.url, token: gw.tokens.rita });
    const live = rita.billingEvents({ accountId: CONTOSO });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const first = ada.payInvoice({ invoiceId: invoiceId(12), paymentMethodId: cardId(5) });
    const handled: { id: string; sequence: number }[] = [];
    for await (const event of live) {
      handled.push(event);
      if (event.type === 'INVOICE_UPDATED' && event.invoice.id === invoiceId(12)) break;
    }
    expect((await first).__typename).toBe('PayInvoiceSuccess');
    // PROCESSING, SUCCEEDED, then the paid invoice; the attempt's event says the invoice was still unpaid.
    expect(handled.length).toBe(3);

    const resumed = rita.billingEvents({ accountId: CONTOSO, after: handled[0]!.id });
    const again: { id: string; sequence: number; invoiceStatus: string; paymentStatus: string | null | undefined }[] =
      [];
    for await (const event of resumed) {
      again.push(event);
      if (again.length === 2) break;
    }
    expect(again.map((e) => e.id)).toEqual(handled.slice(1).map((e) => e.id));
    expect(again.map((e) => [e.paymentStatus ?? null, e.invoiceStatus])).toEqual([
      ['SUCCEEDED', 'PAID'],
      [null, 'PAID'],
    ]);
  });
});
