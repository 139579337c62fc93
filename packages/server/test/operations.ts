// The payment and card mutations as the server suites send them, with every error member's fields,
// and the helper that adds a card: one copy for every suite.
import { expect } from 'vitest';
import { profileId, type Caller, type TestGateway } from './harness.js';

export const PAY_INVOICE = `mutation PayInvoice($input: PayInvoiceInput!) {
  payInvoice(input: $input) {
    __typename
    ... on Error { code message }
    ... on NotFoundError { resource }
    ... on ValidationError { field }
    ... on InvoiceNotPayableError { notPayableReason }
    ... on PaymentMethodUnusableError { unusableReason }
    ... on CardDeclinedError { declineCode }
    ... on PayInvoiceSuccess { invoice { id status amountDue { minorUnits } } payment { id status } }
  }
}`;

export const ADD_PAYMENT_METHOD = `mutation AddPaymentMethod($input: AddPaymentMethodInput!) {
  addPaymentMethod(input: $input) {
    __typename
    ... on Error { code message }
    ... on ValidationError { field }
    ... on AddPaymentMethodSuccess { paymentMethod { id } }
  }
}`;

/** A valid card for the Contoso Engineering profile; `overrides` change any field of the input. */
export function cardInput(cardNumber: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    billingProfileId: profileId(1),
    cardNumber,
    expMonth: 12,
    expYear: 2030,
    cvc: '123',
    holderName: 'Ada Lovelace',
    ...overrides,
  };
}

/** Adds the card (as Ada unless told) and returns its ID; fails the test if it is refused. */
export async function addCard(gw: TestGateway, cardNumber: string, as: Caller = 'ada'): Promise<string> {
  const r = await gw.gql(ADD_PAYMENT_METHOD, { input: cardInput(cardNumber) }, as);
  expect(r.data!.addPaymentMethod.__typename).toBe('AddPaymentMethodSuccess');
  return r.data!.addPaymentMethod.paymentMethod.id;
}
