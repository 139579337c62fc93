// Card management over real HTTP: updatePaymentMethod (expiry, holder name) and the removal rule for
// the default card. Every refusal is a typed member of the result union and leaves the database as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpDatabase } from './hardening-support.js';
import { cardId, profileId, startTestGateway, type Caller, type TestGateway } from './harness.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ env: { RATE_LIMIT_PER_MINUTE: '0' } });
});
afterAll(() => gw?.close());

const ERRORS = '__typename ... on Error { code message } ... on ValidationError { field }';
const CARD = 'id last4 expMonth expYear holderName isDefault isExpired removedAt';

const update = (input: Record<string, unknown>, as: Caller = 'carlos') =>
  gw.gql(
    `mutation($input: UpdatePaymentMethodInput!) { updatePaymentMethod(input: $input) { ${ERRORS}
      ... on UpdatePaymentMethodSuccess { paymentMethod { ${CARD} } } } }`,
    { input },
    as,
  );
const remove = (id: string, as: Caller = 'carlos') =>
  gw.gql(
    `mutation($id: ID!) { removePaymentMethod(input: { paymentMethodId: $id }) { ${ERRORS}
      ... on PaymentMethodNotRemovableError { notRemovableReason }
      ... on RemovePaymentMethodSuccess { paymentMethod { ${CARD} } } } }`,
    { id },
    as,
  );
const setDefault = (id: string, as: Caller = 'carlos') =>
  gw.gql(`mutation($id: ID!) { setDefaultPaymentMethod(input: { paymentMethodId: $id }) { __typename } }`, { id }, as);
const cardsOf = async (profile: number) =>
  (
    await gw.gql(
      `query($id: ID!) { billingProfile(id: $id) { defaultPaymentMethod { id } paymentMethods { id } } }`,
      { id: profileId(profile) },
      'ada',
    )
  ).data?.billingProfile;
const database = () => dumpDatabase(gw.gateway.resources.store);

describe('updatePaymentMethod', () => {
  it('a contributor renews the expired card: new expiry, the holder name in NFC, no longer expired', async () => {
    const r = await update({ paymentMethodId: cardId(4), expMonth: 8, expYear: 2031, holderName: ' Zoe\u0308 Ng ' });
    expect(r.errors).toBeUndefined();
    expect(r.data?.updatePaymentMethod).toMatchObject({
      __typename: 'UpdatePaymentMethodSuccess',
      paymentMethod: {
        id: cardId(4),
        last4: '1111',
        expMonth: 8,
        expYear: 2031,
        holderName: 'Zoë Ng',
        isExpired: false,
      },
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an expiry in the past', { expMonth: 1, expYear: 2025 }, 'input.expYear'],
    ['month 0', { expMonth: 0 }, 'input.expMonth'],
    ['a holder name with a right-to-left override', { holderName: 'Ada \u202eecalevoL' }, 'input.holderName'],
    ['a holder name with a newline', { holderName: 'Ada\nLovelace' }, 'input.holderName'],
  ])('refuses %s with a ValidationError naming the field, nothing stored', async (_label, changes, field) => {
    const before = await database();
    const r = await update({ paymentMethodId: cardId(2), ...changes });
    expect(r.data?.updatePaymentMethod).toMatchObject({ __typename: 'ValidationError', field });
    expect(await database()).toEqual(before);
  });

  it.each<[string, Caller, string]>([
    ['a reader', 'rita', 'NotAuthorizedError'],
    ['an invoice manager', 'ivan', 'NotAuthorizedError'],
    ['another tenant', 'olga', 'NotFoundError'],
  ])('refuses %s, nothing stored', async (_label, as, typename) => {
    const before = await database();
    const r = await update({ paymentMethodId: cardId(2), holderName: 'Mallory' }, as);
    expect(r.data?.updatePaymentMethod.__typename).toBe(typename);
    expect(await database()).toEqual(before);
  });
});

describe('removePaymentMethod and the default card', () => {
  it('refuses the default while the profile has other cards, with the reason; nothing changes', async () => {
    const before = await database();
    const r = await remove(cardId(1));
    expect(r.data?.removePaymentMethod).toMatchObject({
      __typename: 'PaymentMethodNotRemovableError',
      code: 'PAYMENT_METHOD_NOT_REMOVABLE',
      notRemovableReason: 'DEFAULT_PAYMENT_METHOD',
    });
    expect(r.data?.removePaymentMethod.message).toMatch(/Make another card the default/);
    expect(await database()).toEqual(before);
    expect((await cardsOf(1))?.defaultPaymentMethod.id).toBe(cardId(1));
  });

  it('after another card is made the default, the old default goes', async () => {
    expect((await setDefault(cardId(2))).data?.setDefaultPaymentMethod.__typename).toBe(
      'SetDefaultPaymentMethodSuccess',
    );
    const r = await remove(cardId(1));
    expect(r.data?.removePaymentMethod).toMatchObject({ __typename: 'RemovePaymentMethodSuccess' });
    const cards = await cardsOf(1);
    expect(cards?.defaultPaymentMethod.id).toBe(cardId(2));
    expect(cards?.paymentMethods.map((c: { id: string }) => c.id)).not.toContain(cardId(1));
  });

  it("the profile's last card may go even as its default; the profile then has none", async () => {
    const r = await remove(cardId(6)); // Contoso Europe's only card
    expect(r.data?.removePaymentMethod.__typename).toBe('RemovePaymentMethodSuccess');
    expect(await cardsOf(3)).toEqual({ defaultPaymentMethod: null, paymentMethods: [] });
  });
});
