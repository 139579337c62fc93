// Wire transfer over HTTP (both dialects): a profile switched to wire transfer shows payment
// instructions quoting the invoice number; a received transfer is applied only on an exact match, and
// a short one is held for review with the invoice left as it was.
import { DEMO_WIRE_TRANSFER_ACCOUNT, recordWireTransfer } from '@billing/schema/billing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardId, invoiceId, profileId, startTestGateway, type TestGateway } from './harness.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw?.close());

const SET_TYPE = `mutation($input: SetDefaultPaymentTypeInput!) { setDefaultPaymentType(input: $input) {
  __typename ... on Error { code } ... on SetDefaultPaymentTypeSuccess { billingProfile { defaultPaymentType } } } }`;
const INVOICE = `query($id: ID!) { invoice(id: $id) {
  number status amountDue { minorUnits }
  paymentInstructions { bankName accountHolder accountNumber bankCode reference }
  wireTransfers { reference amount { minorUnits } status holdReason }
} }`;
const read = async (id: number, as: 'ada' | 'olga' = 'ada') =>
  (await gw.gql(INVOICE, { id: invoiceId(id) }, as)).data!.invoice;
const record = (reference: string, amountMinor: number, bankReference: string) =>
  recordWireTransfer(
    gw.gateway.resources.services,
    { reference, amountMinor, currency: 'USD', receivedOn: '2026-11-28', bankReference },
    'operator:test',
  );

describe('paying by wire transfer', () => {
  it('a contributor switches a profile to wire transfer; its invoices show where to pay and what to quote', async () => {
    const r = await gw.gql(SET_TYPE, { input: { billingProfileId: profileId(2), type: 'WIRE_TRANSFER' } }, 'carlos');
    expect(r.data!.setDefaultPaymentType).toEqual({
      __typename: 'SetDefaultPaymentTypeSuccess',
      billingProfile: { defaultPaymentType: 'WIRE_TRANSFER' },
    });
    const invoice = await read(12);
    expect(invoice.paymentInstructions).toEqual({ ...DEMO_WIRE_TRANSFER_ACCOUNT, reference: invoice.number });
    // A card-paying profile's invoice has none; an Enterprise Agreement's always has them.
    expect((await read(2)).paymentInstructions).toBeNull();
    expect((await read(23, 'olga')).paymentInstructions).toMatchObject({ reference: expect.any(String) });
    // A reader may not change it.
    const refused = await gw.gql(SET_TYPE, { input: { billingProfileId: profileId(2), type: 'CARD' } }, 'rita');
    expect(refused.data!.setDefaultPaymentType).toEqual({ __typename: 'NotAuthorizedError', code: 'NOT_AUTHORIZED' });
  });

  it('a short transfer is held for review; the exact amount pays the invoice', async () => {
    const before = await read(12);
    const due = before.amountDue.minorUnits;
    await record(before.number, due - 100, 'BANK-SHORT');
    const held = await read(12);
    expect(held).toMatchObject({ status: before.status, amountDue: { minorUnits: due } });
    expect(held.wireTransfers).toEqual([
      {
        reference: before.number,
        amount: { minorUnits: due - 100 },
        status: 'HELD_FOR_REVIEW',
        holdReason: 'SHORT_PAYMENT',
      },
    ]);
    await record(before.number, due, 'BANK-EXACT');
    const paid = await read(12);
    expect(paid).toMatchObject({ status: 'PAID', amountDue: { minorUnits: 0 } });
    expect(paid.wireTransfers.map((w: { status: string }) => w.status)).toEqual(['HELD_FOR_REVIEW', 'APPLIED']);
  });

  it('choosing a default card switches the profile back to paying by card', async () => {
    await gw.gql(
      `mutation($input: SetDefaultPaymentMethodInput!) { setDefaultPaymentMethod(input: $input) { __typename } }`,
      { input: { paymentMethodId: cardId(5) } },
      'carlos',
    );
    const r = await gw.gql(`{ billingProfile(id: "${profileId(2)}") { defaultPaymentType } }`);
    expect(r.data!.billingProfile).toEqual({ defaultPaymentType: 'CARD' });
  });
});
