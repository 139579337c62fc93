// Free-text inputs over real HTTP: control and text-direction characters are refused with a
// ValidationError naming the field and nothing is stored; names are stored in NFC.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpDatabase } from './hardening-support.js';
import { accountId, profileId, startTestGateway, type TestGateway } from './harness.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ env: { RATE_LIMIT_PER_MINUTE: '0' } });
});
afterAll(() => gw?.close());

const RESULT = '__typename ... on ValidationError { field message }';
const addCard = (holderName: string) =>
  gw.gql(
    `mutation($input: AddPaymentMethodInput!) { addPaymentMethod(input: $input) { ${RESULT}
      ... on AddPaymentMethodSuccess { paymentMethod { holderName } } } }`,
    {
      input: {
        billingProfileId: profileId(1),
        cardNumber: '4242424242424242',
        expMonth: 12,
        expYear: 2031,
        cvc: '123',
        holderName,
      },
    },
    'ada',
  );
const createKey = (name: string) =>
  gw.gql(
    `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { ${RESULT}
      ... on CreateApiKeySuccess { apiKey { name } } } }`,
    { input: { billingAccountId: accountId(1), name, scopes: ['INVOICES_READ'] } },
    'ada',
  );

const HOSTILE = [
  ['bidi override, NUL and BEL', '\u202e\u0000\u0007'],
  ['a newline', 'a\nb'],
  ['a right-to-left override inside', 'Ada \u202eecalevoL'],
  ['a tab', 'Ada\tLovelace'],
  ['a lone surrogate', 'Ada \ud800'],
  ['101 characters', 'a'.repeat(101)],
];

describe('free text', () => {
  it.each(HOSTILE)('a cardholder name with %s is refused, nothing stored', async (_name, value) => {
    const before = await dumpDatabase(gw.gateway.resources.store);
    const r = await addCard(value);
    expect(r.data?.addPaymentMethod).toMatchObject({ __typename: 'ValidationError', field: 'input.holderName' });
    expect(await dumpDatabase(gw.gateway.resources.store)).toEqual(before);
  });

  it.each(HOSTILE)('an API key name with %s is refused, nothing stored', async (_name, value) => {
    const before = await dumpDatabase(gw.gateway.resources.store);
    const r = await createKey(value);
    expect(r.data?.createApiKey).toMatchObject({ __typename: 'ValidationError', field: 'input.name' });
    expect(await dumpDatabase(gw.gateway.resources.store)).toEqual(before);
  });

  it('names are stored in NFC (a decomposed "ë" becomes one code point)', async () => {
    const card = await addCard('Zoe\u0308 Quinn');
    expect(card.data?.addPaymentMethod.paymentMethod.holderName).toBe('Zoë Quinn');
    const key = await createKey('Zoe\u0308 key');
    expect(key.data?.createApiKey.apiKey.name).toBe('Zoë key');
  });
});
