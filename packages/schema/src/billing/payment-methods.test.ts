import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  NotAuthorizedError,
  NotFoundError,
  PaymentMethodNotRemovableError,
  PaymentMethodUnusableError,
  ValidationError,
} from './errors.js';
import {
  addPaymentMethod,
  removePaymentMethod,
  removalRefusal,
  setDefaultPaymentMethod,
  updatePaymentMethod,
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
  it('soft-deletes a card that is not the default, keeping the default', async () => {
    const removed = await removePaymentMethod(fx.services, await fx.as('carlos'), CARD.engMastercard);
    expect(removed).toMatchObject({ id: CARD.engMastercard, removedAt: '2026-11-29T12:00:00.000Z', last4: '4444' });
    expect(await defaultOf(PROFILE.engineering)).toBe(CARD.engVisa);
  });

  it('refuses the default card while the profile has other cards, changing nothing', async () => {
    const ada = await fx.as('ada');
    const before = snapshot(fx.handle);
    expect(await rejectionOf(removePaymentMethod(fx.services, ada, CARD.engVisa))).toEqual(
      new PaymentMethodNotRemovableError('DEFAULT_PAYMENT_METHOD'),
    );
    expect(snapshot(fx.handle)).toBe(before);
    // An expired card still counts: it can be made the default, or removed first.
    for (const other of [CARD.engMastercard, CARD.engDeclined]) await removePaymentMethod(fx.services, ada, other);
    expect(await rejectionOf(removePaymentMethod(fx.services, ada, CARD.engVisa))).toBeInstanceOf(
      PaymentMethodNotRemovableError,
    );
    // Once another card is the default, the old default goes like any other card.
    await setDefaultPaymentMethod(fx.services, ada, CARD.engExpired);
    expect((await removePaymentMethod(fx.services, ada, CARD.engVisa)).removedAt).not.toBeNull();
    expect(await defaultOf(PROFILE.engineering)).toBe(CARD.engExpired);
  });

  it("the default that is the profile's last card may go; the profile then has no default", async () => {
    const removed = await removePaymentMethod(fx.services, await fx.as('ada'), CARD.europeVisa);
    expect(removed.removedAt).not.toBeNull();
    expect(await defaultOf(PROFILE.europe)).toBeNull();
  });

  it('removalRefusal: the default only while others remain', () => {
    expect(removalRefusal({ isDefault: true }, 1)).toBe('DEFAULT_PAYMENT_METHOD');
    expect(removalRefusal({ isDefault: true }, 0)).toBeNull();
    expect(removalRefusal({ isDefault: false }, 3)).toBeNull();
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

describe('updatePaymentMethod', () => {
  it('changes expiry and holder name (holder through the free-text rule), with an audit event naming the fields', async () => {
    const updated = await updatePaymentMethod(fx.services, await fx.as('carlos'), CARD.engMastercard, {
      expMonth: 3,
      expYear: 2031,
      holderName: '  Zoe\u0308 Contributor ',
    });
    expect(updated).toMatchObject({
      id: CARD.engMastercard,
      expMonth: 3,
      expYear: 2031,
      holderName: 'Zoë Contributor',
      last4: '4444',
    });
    expect(auditActions()).toEqual([
      {
        actor: 'user:2',
        action: 'payment-method.update',
        target: `payment-method:${CARD.engMastercard}`,
        outcome: 'succeeded',
      },
    ]);
    const detail = fx.handle.sqlite.prepare('SELECT detail FROM audit_events').pluck().get() as string;
    expect(JSON.parse(detail)).toMatchObject({ changed: ['expMonth', 'expYear', 'holderName'] });
    expect(detail.includes('Zoë')).toBe(false);
  });

  it('renews an expired card; omitted fields keep their value', async () => {
    const ada = await fx.as('ada');
    const renewed = await updatePaymentMethod(fx.services, ada, CARD.engExpired, { expYear: 2029 });
    expect(renewed).toMatchObject({ expMonth: 1, expYear: 2029, holderName: 'Ada Lovelace' });
    const named = await updatePaymentMethod(fx.services, ada, CARD.engExpired, { holderName: 'A. Lovelace' });
    expect(named).toMatchObject({ expMonth: 1, expYear: 2029, holderName: 'A. Lovelace' });
    // The clock says November 2026: a card good through this month is not expired.
    expect(
      (await updatePaymentMethod(fx.services, ada, CARD.engExpired, { expMonth: 11, expYear: 2026 })).expMonth,
    ).toBe(11);
  });

  it('an update that changes nothing writes nothing', async () => {
    const before = snapshot(fx.handle);
    await updatePaymentMethod(fx.services, await fx.as('ada'), CARD.engVisa, { holderName: 'Ada Lovelace' });
    expect(snapshot(fx.handle)).toBe(before);
  });

  it.each<[string, Parameters<typeof updatePaymentMethod>[3], string]>([
    ['a past expiry', { expMonth: 10, expYear: 2026 }, 'input.expYear'],
    ['month 13', { expMonth: 13 }, 'input.expMonth'],
    ['a year too far ahead', { expYear: 2090 }, 'input.expYear'],
    ['a holder name with a bidi override', { holderName: 'Ada \u202eecalevoL' }, 'input.holderName'],
    ['an empty holder name', { holderName: '   ' }, 'input.holderName'],
  ])('refuses %s with a ValidationError, changing nothing', async (_label, changes, field) => {
    const before = snapshot(fx.handle);
    const error = await rejectionOf(updatePaymentMethod(fx.services, await fx.as('ada'), CARD.engMastercard, changes));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe(field);
    expect(snapshot(fx.handle)).toBe(before);
  });

  it('refuses a removed card, readers, invoice managers and other tenants, changing nothing', async () => {
    const ada = await fx.as('ada');
    await removePaymentMethod(fx.services, ada, CARD.engMastercard);
    const before = snapshot(fx.handle);
    const changes = { holderName: 'Someone Else' };
    expect(await rejectionOf(updatePaymentMethod(fx.services, ada, CARD.engMastercard, changes))).toEqual(
      new PaymentMethodUnusableError('REMOVED'),
    );
    expect(
      await rejectionOf(updatePaymentMethod(fx.services, await fx.as('rita'), CARD.engVisa, changes)),
    ).toBeInstanceOf(NotAuthorizedError);
    expect(
      await rejectionOf(updatePaymentMethod(fx.services, await fx.as('ivan'), CARD.engVisa, changes)),
    ).toBeInstanceOf(NotAuthorizedError);
    expect(await rejectionOf(updatePaymentMethod(fx.services, await fx.as('olga'), CARD.engVisa, changes))).toEqual(
      new NotFoundError('PaymentMethod'),
    );
    expect(await rejectionOf(updatePaymentMethod(fx.services, ada, CARD.fabrikamVisa, changes))).toEqual(
      new NotFoundError('PaymentMethod'),
    );
    expect(snapshot(fx.handle)).toBe(before);
  });
});
