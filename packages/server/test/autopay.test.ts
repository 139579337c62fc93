// Autopay over HTTP (both dialects): the admin's setting, and what a declined automatic charge looks
// like to the portal: the invoice stays DUE, the failed payment is listed, Pay now is offered, the
// retry is scheduled; paying by hand meanwhile leaves the retry nothing to charge.
import { closeBillingPeriod, runAutopayPass } from '@billing/schema/billing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardId, invoiceId, profileId, startTestGateway, type TestGateway } from './harness.js';

const DAY = 24 * 60 * 60 * 1000;
let gw: TestGateway;
const services = () => gw.gateway.resources.services;
const ledger = () => gw.gateway.resources.sandbox;

beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw?.close());

const SET_AUTOPAY = `mutation($input: SetAutopayInput!) { setAutopay(input: $input) {
  __typename ... on Error { code message } ... on SetAutopaySuccess { billingProfile { autopay } } } }`;
const setAutopay = (enabled: boolean, as: 'ada' | 'carlos' = 'ada') =>
  gw.gql(SET_AUTOPAY, { input: { billingProfileId: profileId(1), enabled } }, as);
const setDefault = (card: number) =>
  gw.gql(`mutation($input: SetDefaultPaymentMethodInput!) { setDefaultPaymentMethod(input: $input) { __typename } }`, {
    input: { paymentMethodId: cardId(card) },
  });
const close = (periodEnd: string) =>
  closeBillingPeriod(services(), {
    billingProfileId: 1,
    periodStart: `${periodEnd.slice(0, 8)}01`,
    periodEnd,
    lineItems: [{ description: 'Premium SSD', serviceName: 'Storage', quantity: 7, unitPriceMinor: 1_999 }],
    taxMinor: 112,
  });
const INVOICE = `query($id: ID!) { invoice(id: $id) {
  status amountDue { minorUnits } viewerCanPay payNow { offered } nextAutomaticChargeAt
  payments { status failureCode amount { minorUnits } }
} }`;

describe('the autopay setting', () => {
  it('the admin turns it on and off; a contributor may not', async () => {
    expect((await setAutopay(true)).data!.setAutopay).toEqual({
      __typename: 'SetAutopaySuccess',
      billingProfile: { autopay: true },
    });
    expect((await setAutopay(false, 'carlos')).data!.setAutopay).toEqual({
      __typename: 'NotAuthorizedError',
      code: 'NOT_AUTHORIZED',
      message: 'Only the billing account admin can change autopay.',
    });
    const profile = await gw.gql(`{ billingProfile(id: "${profileId(1)}") { autopay } }`);
    expect(profile.data!.billingProfile).toEqual({ autopay: true });
  });
});

describe('a declined automatic charge', () => {
  it('leaves the invoice DUE with the failed payment and Pay now; a payment by hand leaves the retry nothing to do', async () => {
    await setAutopay(true);
    await setDefault(3); // the sandbox's declining card
    const closed = await close('2026-11-30');
    expect(closed.autopay.kind).toBe('declined');
    const due = closed.amountDueMinor;
    const r = await gw.gql(INVOICE, { id: invoiceId(closed.invoiceId) });
    expect(r.data!.invoice).toEqual({
      status: 'DUE',
      amountDue: { minorUnits: due },
      viewerCanPay: true,
      payNow: { offered: true },
      nextAutomaticChargeAt: new Date(gw.clock.now().getTime() + DAY).toISOString(),
      payments: [{ status: 'FAILED', failureCode: 'GENERIC_DECLINE', amount: { minorUnits: due } }],
    });

    const paid = await gw.gql(`mutation($input: PayInvoiceInput!) { payInvoice(input: $input) { __typename } }`, {
      input: { invoiceId: invoiceId(closed.invoiceId), paymentMethodId: cardId(1), idempotencyKey: 'by-hand' },
    });
    expect(paid.data!.payInvoice.__typename).toBe('PayInvoiceSuccess');
    const charges = ledger().chargeCount();
    gw.clock.advance(DAY);
    expect(await runAutopayPass(services())).toMatchObject({ examined: 0, charged: 0 });
    expect(ledger().chargeCount()).toBe(charges);
    gw.clock.advance(-DAY);
  });

  it('turning autopay off cancels the scheduled retry', async () => {
    await setAutopay(true);
    await setDefault(3);
    const closed = await close('2026-12-31');
    expect(closed.autopay.kind).toBe('declined');
    await setAutopay(false);
    const r = await gw.gql(INVOICE, { id: invoiceId(closed.invoiceId) });
    expect(r.data!.invoice).toMatchObject({ status: 'DUE', nextAutomaticChargeAt: null, payNow: { offered: true } });
    const charges = ledger().chargeCount();
    gw.clock.advance(30 * DAY);
    expect(await runAutopayPass(services())).toMatchObject({ examined: 0 });
    expect(ledger().chargeCount()).toBe(charges);
    gw.clock.advance(-30 * DAY);
  });
});
