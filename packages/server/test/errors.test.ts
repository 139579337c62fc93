// Every mutation error type is reachable and typed, and bad input changes nothing in the database.
import { dumpDatabase } from './hardening-support.js';
import { toGlobalId } from '@billing/schema/graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardId, invoiceId, startTestGateway, type TestGateway } from './harness.js';
import { ADD_PAYMENT_METHOD, cardInput, PAY_INVOICE } from './operations.js';

let gw: TestGateway;

/** Every table's rows, to prove a refused request wrote nothing. */
async function snapshot(): Promise<string> {
  return JSON.stringify(await dumpDatabase(gw.gateway.resources.store));
}

async function pay(input: Record<string, unknown>, as: Parameters<TestGateway['gql']>[2] = 'ada') {
  const r = await gw.gql(PAY_INVOICE, { input: { idempotencyKey: `k-${Math.random()}`, ...input } }, as);
  expect(r.errors).toBeUndefined();
  return r.data!.payInvoice;
}

beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw?.close();
});

describe('payInvoice errors are typed, and refusals change nothing', () => {
  it.each([
    [
      'an invoice ID that does not decode',
      { invoiceId: 'not-an-id', paymentMethodId: cardId(1) },
      { __typename: 'NotFoundError', resource: 'Invoice' },
    ],
    [
      'a card ID passed as invoice ID',
      { invoiceId: cardId(1), paymentMethodId: cardId(1) },
      { __typename: 'NotFoundError', resource: 'Invoice' },
    ],
    [
      'an invoice that does not exist',
      { invoiceId: invoiceId(9999), paymentMethodId: cardId(1) },
      { __typename: 'NotFoundError', resource: 'Invoice' },
    ],
    [
      "another tenant's invoice",
      { invoiceId: invoiceId(23), paymentMethodId: cardId(1) },
      { __typename: 'NotFoundError', resource: 'Invoice' },
    ],
    [
      "another tenant's card",
      { invoiceId: invoiceId(2), paymentMethodId: cardId(7) },
      { __typename: 'NotFoundError', resource: 'PaymentMethod' },
    ],
    [
      'a paid invoice',
      { invoiceId: invoiceId(5), paymentMethodId: cardId(1) },
      { __typename: 'InvoiceNotPayableError', notPayableReason: 'ALREADY_PAID' },
    ],
    [
      'a void invoice',
      { invoiceId: invoiceId(4), paymentMethodId: cardId(1) },
      { __typename: 'InvoiceNotPayableError', notPayableReason: 'VOID' },
    ],
    [
      'an expired card',
      { invoiceId: invoiceId(2), paymentMethodId: cardId(4) },
      { __typename: 'PaymentMethodUnusableError', unusableReason: 'EXPIRED' },
    ],
    [
      "another profile's card",
      { invoiceId: invoiceId(2), paymentMethodId: cardId(5) },
      { __typename: 'PaymentMethodUnusableError', unusableReason: 'OTHER_PROFILE' },
    ],
    [
      'an empty idempotency key',
      { invoiceId: invoiceId(2), paymentMethodId: cardId(1), idempotencyKey: '' },
      { __typename: 'ValidationError', field: 'input.idempotencyKey' },
    ],
  ])('%s', async (_label, input, expected) => {
    const before = await snapshot();
    const result = await pay(input);
    expect(result).toMatchObject(expected);
    expect(result.message.length).toBeGreaterThan(0);
    expect(await snapshot()).toBe(before);
  });

  it('a reader is told only the billing account admin can pay, and nothing changes', async () => {
    const before = await snapshot();
    const result = await pay({ invoiceId: invoiceId(2), paymentMethodId: cardId(1) }, 'rita');
    expect(result.__typename).toBe('NotAuthorizedError');
    expect(result.message).toMatch(/billing account admin/i);
    expect(await snapshot()).toBe(before);
  });

  it('a declined card is a CardDeclinedError; the invoice stays payable', async () => {
    const result = await pay({ invoiceId: invoiceId(2), paymentMethodId: cardId(3) });
    expect(result).toMatchObject({
      __typename: 'CardDeclinedError',
      declineCode: 'GENERIC_DECLINE',
      code: 'CARD_DECLINED',
    });
    const after = await gw.gql(
      'query($id: ID!) { invoice(id: $id) { status viewerCanPay payments { status failureCode } } }',
      { id: invoiceId(2) },
    );
    expect(after.data!.invoice).toEqual({
      status: 'PAST_DUE',
      viewerCanPay: true,
      payments: [{ status: 'FAILED', failureCode: 'GENERIC_DECLINE' }],
    });
  });

  it('the same key with different input is a conflict', async () => {
    const first = await pay({ invoiceId: invoiceId(1), paymentMethodId: cardId(1), idempotencyKey: 'conflict-key' });
    expect(first.__typename).toBe('PayInvoiceSuccess');
    const second = await pay({ invoiceId: invoiceId(2), paymentMethodId: cardId(1), idempotencyKey: 'conflict-key' });
    expect(second.__typename).toBe('IdempotencyKeyConflictError');
  });

  it('an invoice with nothing left to pay', async () => {
    const again = await pay({ invoiceId: invoiceId(1), paymentMethodId: cardId(1) });
    expect(again).toMatchObject({ __typename: 'InvoiceNotPayableError', notPayableReason: 'ALREADY_PAID' });
  });
});

describe('addPaymentMethod validates before anything is stored', () => {
  const valid = cardInput('4242424242424242');

  it.each([
    ['a number failing the Luhn check', { cardNumber: '4242424242424241' }, 'input.cardNumber'],
    ['letters in the number', { cardNumber: '4242abcd42424242' }, 'input.cardNumber'],
    ['an expiry in the past', { expMonth: 10, expYear: 2026 }, 'input.expYear'],
    ['a month of 13', { expMonth: 13 }, 'input.expMonth'],
    ['a two-digit CVC', { cvc: '12' }, 'input.cvc'],
    ['an empty holder name', { holderName: '  ' }, 'input.holderName'],
  ])('%s', async (_label, override, field) => {
    const before = await snapshot();
    const r = await gw.gql(ADD_PAYMENT_METHOD, { input: { ...valid, ...override } });
    expect(r.data!.addPaymentMethod).toMatchObject({ __typename: 'ValidationError', field, code: 'VALIDATION_FAILED' });
    expect(await snapshot()).toBe(before);
  });

  it('a malformed profile ID is NotFound; wrong variable types are rejected before running', async () => {
    const before = await snapshot();
    const r = await gw.gql(ADD_PAYMENT_METHOD, { input: { ...valid, billingProfileId: 'bogus' } });
    expect(r.data!.addPaymentMethod.__typename).toBe('NotFoundError');
    const typed = await gw.gql(ADD_PAYMENT_METHOD, { input: { ...valid, expMonth: 'December' } });
    // A variable of the wrong type is a request error: 400 under the GraphQL-over-HTTP spec.
    expect(typed.status).toBe(400);
    expect(typed.errors?.[0]?.message).toMatch(/Int/);
    expect(await snapshot()).toBe(before);
  });

  it('stores only brand, last four, expiry, holder and token: never the number or CVC', async () => {
    const r = await gw.gql(ADD_PAYMENT_METHOD, { input: { ...valid, cardNumber: '5555555555554444', cvc: '737' } });
    expect(r.data!.addPaymentMethod.__typename).toBe('AddPaymentMethodSuccess');
    const dump = await snapshot();
    // Booleans, not toContain: a failure must not print the whole database.
    expect(dump.includes('"last4":"4444"')).toBe(true);
    expect(dump.includes('5555555555554444')).toBe(false);
    expect(dump.includes('"737"')).toBe(false);
    expect(/cvc/i.test(dump)).toBe(false);
  });
});

describe('addPaymentMethod refuses prepaid and virtual cards', () => {
  const NOT_ALLOWED = `mutation($input: AddPaymentMethodInput!) {
    addPaymentMethod(input: $input) {
      __typename
      ... on Error { message code }
      ... on PaymentMethodNotAllowedError { notAllowedReason cardKind ceiling { minorUnits } }
      ... on AddPaymentMethodSuccess { paymentMethod { last4 } }
    }
  }`;
  const card = (cardNumber: string) => cardInput(cardNumber);

  it.each([
    ['a prepaid card', '5105 1051 0510 5100', 'PREPAID', 'Prepaid cards are not accepted. Use a credit or debit card.'],
    ['a virtual card', '4000000000000077', 'VIRTUAL', 'Virtual cards are not accepted. Use a credit or debit card.'],
  ])('%s, with the kind in the error and nothing stored', async (_label, cardNumber, cardKind, message) => {
    const before = await snapshot();
    const r = await gw.gql(NOT_ALLOWED, { input: card(cardNumber) });
    expect(r.errors).toBeUndefined();
    expect(r.data!.addPaymentMethod).toEqual({
      __typename: 'PaymentMethodNotAllowedError',
      code: 'PAYMENT_METHOD_NOT_ALLOWED',
      notAllowedReason: 'CARD_KIND',
      cardKind,
      ceiling: null,
      message,
    });
    expect(await snapshot()).toBe(before);
  });

  it('accepts a debit card', async () => {
    const r = await gw.gql(NOT_ALLOWED, { input: card('4000056655665556') });
    expect(r.data!.addPaymentMethod).toEqual({
      __typename: 'AddPaymentMethodSuccess',
      paymentMethod: { last4: '5556' },
    });
  });
});

describe('authentication errors', () => {
  it('a bad token or API key is a 401 with a clear message, not an anonymous call', async () => {
    const badToken = await gw.gql('{ viewer { kind } }', {}, { token: 'not.a.jwt' });
    expect(badToken.status).toBe(401);
    expect(badToken.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const badKey = await gw.gql(
      '{ viewer { kind } }',
      {},
      { apiKey: 'bgk_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
    );
    expect(badKey.status).toBe(401);
    expect(badKey.errors?.[0]?.message).toMatch(/API key/);
  });

  it('a revoked API key stops working at once', async () => {
    const created = await gw.gql(
      'mutation { createApiKey(input: { billingAccountId: "' +
        toGlobalId('BillingAccount', 1) +
        '", name: "temp", scopes: [INVOICES_READ] }) { ... on CreateApiKeySuccess { secret apiKey { id } } } }',
    );
    const { secret, apiKey } = created.data!.createApiKey;
    expect((await gw.gql('{ viewer { kind } }', {}, { apiKey: secret })).data!.viewer.kind).toBe('API_KEY');
    await gw.gql('mutation($k: ID!) { revokeApiKey(input: { apiKeyId: $k }) { __typename } }', { k: apiKey.id });
    expect((await gw.gql('{ viewer { kind } }', {}, { apiKey: secret })).status).toBe(401);
    expect(await snapshot()).not.toContain(secret);
  });
});
