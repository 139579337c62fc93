import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotAuthorizedError, NotFoundError, PaymentMethodUnusableError, ValidationError } from './errors.js';
import {
  addPaymentMethod,
  removePaymentMethod,
  setDefaultPaymentMethod,
  type AddPaymentMethodInput,
} from './payment-methods.js';
import type { CardDetails } from './payment-processor.js';
import {
  createBillingFixture,
  rejectionOf,
  SEEDED,
  snapshot,
  type BillingFixture,
  type UserName,
} from './test-support.js';

const { profiles: PROFILE, cards: CARD } = SEEDED;
const card: CardDetails = {
  number: '5555 5555 5555 4444',
  expMonth: 12,
  expYear: 2030,
  cvc: '737',
  holderName: ' Ada Lovelace ',
};

let fx: BillingFixture;
beforeEach(async () => {
  fx = await createBillingFixture();
});
afterEach(() => fx.close());

async function add(input: Partial<AddPaymentMethodInput> = {}, as: UserName = 'ada') {
  return addPaymentMethod(fx.services, await fx.as(as), { billingProfileId: PROFILE.engineering, card, ...input });
}
const defaultOf = async (profileId: number) =>
  (await fx.store.db.query.billingProfiles.findFirst({ where: { id: profileId } }))!.defaultPaymentMethodId;
const auditActions = () =>
  fx.handle.sqlite.prepare('SELECT actor, action, target, outcome FROM audit_events ORDER BY id').all();

describe('addPaymentMethod', () => {
  it('stores only brand, last four, expiry, holder and the processor token; never the number or CVC', async () => {
    const method = await add();
    expect(method).toMatchObject({
      billingAccountId: 1,
      billingProfileId: PROFILE.engineering,
      brand: 'MASTERCARD',
      last4: '4444',
      expMonth: 12,
      expYear: 2030,
      holderName: 'Ada Lovelace',
      removedAt: null,
      createdAt: '2026-11-29T12:00:00.000Z',
    });
    expect(method.processorToken).toMatch(/^tok_sandbox_success_[0-9a-f]+$/);
    const dump = snapshot(fx.handle);
    expect(dump.includes('5555555555554444')).toBe(false);
    // The token is random hex, so '737' alone could appear by chance: look for the stored value or a cvc column.
    expect(dump.includes('"737"')).toBe(false);
    expect(/cvc/i.test(dump)).toBe(false);
    expect(auditActions()).toEqual([
      { actor: 'user:1', action: 'payment-method.add', target: `payment-method:${method.id}`, outcome: 'succeeded' },
    ]);
  });

  it('keeps the existing default unless asked, and makes the new card default when asked', async () => {
    const plain = await add();
    expect(await defaultOf(PROFILE.engineering)).toBe(CARD.engVisa);
    expect(plain.id).not.toBe(CARD.engVisa);
    const preferred = await add({ makeDefault: true });
    expect(await defaultOf(PROFILE.engineering)).toBe(preferred.id);
  });

  it('the first card of a profile becomes its default', async () => {
    await removePaymentMethod(fx.services, await fx.as('ada'), CARD.europeVisa);
    expect(await defaultOf(PROFILE.europe)).toBeNull();
    const first = await add({ billingProfileId: PROFILE.europe, makeDefault: false });
    expect(await defaultOf(PROFILE.europe)).toBe(first.id);
  });

  it('a contributor may add cards', async () => {
    expect((await add({}, 'carlos')).last4).toBe('4444');
  });

  it.each<[string, UserName, number, Error]>([
    ['a reader', 'rita', PROFILE.engineering, new NotAuthorizedError()],
    ['an invoice manager', 'ivan', PROFILE.engineering, new NotAuthorizedError()],
    ['an invoice manager, outside his profile', 'ivan', PROFILE.marketing, new NotFoundError('BillingProfile')],
    ['another tenant', 'olga', PROFILE.engineering, new NotFoundError('BillingProfile')],
    ['a missing profile', 'ada', 9_999, new NotFoundError('BillingProfile')],
  ])('refuses %s, storing nothing', async (_label, as, billingProfileId, expected) => {
    const before = snapshot(fx.handle);
    const error = await rejectionOf(add({ billingProfileId }, as));
    expect(error).toBeInstanceOf(expected.constructor);
    if (error instanceof NotFoundError) expect(error.resource).toBe('BillingProfile');
    expect(snapshot(fx.handle)).toBe(before);
  });

  it('validates before tokenizing or storing anything', async () => {
    const before = snapshot(fx.handle);
    const error = await rejectionOf(add({ card: { ...card, number: '5555555555554440' } }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('input.cardNumber');
    expect(await rejectionOf(add({ card: { ...card, cvc: '12' } }))).toMatchObject({ field: 'input.cvc' });
    expect(snapshot(fx.handle)).toBe(before);
  });
});

describe('setDefaultPaymentMethod', () => {
  it('makes the card the default of its profile, with an audit event', async () => {
    const method = await setDefaultPaymentMethod(fx.services, await fx.as('carlos'), CARD.engMastercard);
    expect(method.id).toBe(CARD.engMastercard);
    expect(await defaultOf(PROFILE.engineering)).toBe(CARD.engMastercard);
    expect(auditActions()).toEqual([
      {
        actor: 'user:2',
        action: 'payment-method.set-default',
        target: `payment-method:${CARD.engMastercard}`,
        outcome: 'succeeded',
      },
    ]);
  });

  it('refuses a removed card, readers, and other tenants', async () => {
    const ada = await fx.as('ada');
    await removePaymentMethod(fx.services, ada, CARD.engMastercard);
    expect(await rejectionOf(setDefaultPaymentMethod(fx.services, ada, CARD.engMastercard))).toEqual(
      new PaymentMethodUnusableError('REMOVED'),
    );
    expect(await rejectionOf(setDefaultPaymentMethod(fx.services, await fx.as('rita'), CARD.engVisa))).toBeInstanceOf(
      NotAuthorizedError,
    );
    expect(await rejectionOf(setDefaultPaymentMethod(fx.services, await fx.as('olga'), CARD.engVisa))).toEqual(
      new NotFoundError('PaymentMethod'),
    );
    expect(await rejectionOf(setDefaultPaymentMethod(fx.services, ada, CARD.fabrikamVisa))).toEqual(
      new NotFoundError('PaymentMethod'),
    );
    expect(await defaultOf(PROFILE.engineering)).toBe(CARD.engVisa);
  });
});

describe('removePaymentMethod', () => {
  it('soft-deletes the card; removing the default promotes the newest live unexpired card', async () => {
    const ada = await fx.as('ada');
    const removed = await removePaymentMethod(fx.services, ada, CARD.engVisa);
    expect(removed).toMatchObject({ id: CARD.engVisa, removedAt: '2026-11-29T12:00:00.000Z', last4: '4242' });
    // Cards 2 and 3 are live (3 is newer by id); card 4 is expired.
    expect(await defaultOf(PROFILE.engineering)).toBe(CARD.engDeclined);
    await removePaymentMethod(fx.services, ada, CARD.engDeclined);
    expect(await defaultOf(PROFILE.engineering)).toBe(CARD.engMastercard);
    await removePaymentMethod(fx.services, ada, CARD.engMastercard);
    expect(await defaultOf(PROFILE.engineering)).toBeNull();
  });

  it('removing a non-default card keeps the default; removing twice changes nothing more', async () => {
    const ada = await fx.as('ada');
    const first = await removePaymentMethod(fx.services, ada, CARD.engMastercard);
    fx.clock.advance(1_000);
    const second = await removePaymentMethod(fx.services, ada, CARD.engMastercard);
    expect(second).toEqual(first);
    expect(await defaultOf(PROFILE.engineering)).toBe(CARD.engVisa);
    expect(auditActions()).toEqual([
      {
        actor: 'user:1',
        action: 'payment-method.remove',
        target: `payment-method:${CARD.engMastercard}`,
        outcome: 'succeeded',
      },
    ]);
  });

  it('refuses readers, invoice managers and other tenants, changing nothing', async () => {
    const before = snapshot(fx.handle);
    expect(await rejectionOf(removePaymentMethod(fx.services, await fx.as('rita'), CARD.engVisa))).toBeInstanceOf(
      NotAuthorizedError,
    );
    expect(await rejectionOf(removePaymentMethod(fx.services, await fx.as('ivan'), CARD.engVisa))).toBeInstanceOf(
      NotAuthorizedError,
    );
    expect(await rejectionOf(removePaymentMethod(fx.services, await fx.as('ivan'), CARD.marketingAmex))).toEqual(
      new NotFoundError('PaymentMethod'),
    );
    expect(await rejectionOf(removePaymentMethod(fx.services, await fx.as('olga'), CARD.engVisa))).toEqual(
      new NotFoundError('PaymentMethod'),
    );
    expect(snapshot(fx.handle)).toBe(before);
  });
});
