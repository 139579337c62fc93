import { CARD_BRANDS, cardBrandOf } from '../billing/payment-processor.js';
import { isCardExpired } from '../billing/cards.js';
import {
  addPaymentMethod,
  removePaymentMethod,
  setDefaultPaymentMethod,
  updatePaymentMethod,
} from '../billing/payment-methods.js';
import {
  NotFoundError,
  PaymentMethodNotAllowedError,
  PaymentMethodNotRemovableError,
  PaymentMethodUnusableError,
} from '../billing/errors.js';
import type { PaymentMethodRow } from '../db/reads.js';
import { BillingProfile } from './billing-profile.js';
import { builder } from './builder.js';
import { groupedBy, loadAfterWrite } from './loaders.js';
import { COMMON_ERRORS } from './errors.js';
import { fromGlobalId, parseNodeId } from './ids.js';

export const CardBrandEnum = builder.enumType('CardBrand', { values: CARD_BRANDS });

export const PaymentMethod = builder.loadableNode('PaymentMethod', {
  description:
    'A card on a billing profile. Only brand, last four digits, expiry and holder are kept; never the number or CVC.',
  id: { resolve: (m: PaymentMethodRow) => m.id, parse: parseNodeId },
  load: (ids: number[], ctx) => ctx.services.store.reads.paymentMethodsByIds(ids),
  sort: (m) => m.id,
  fields: (t) => ({
    brand: t.field({
      type: CardBrandEnum,
      resolve: (m) => cardBrandOf(m.brand),
    }),
    last4: t.exposeString('last4'),
    expMonth: t.exposeInt('expMonth'),
    expYear: t.exposeInt('expYear'),
    holderName: t.exposeString('holderName'),
    isExpired: t.boolean({ resolve: (m, _args, ctx) => isCardExpired(m, ctx.services.clock) }),
    isDefault: t.exposeBoolean('isDefault'),
    notForRecurring: t.exposeBoolean('notForRecurring', {
      description:
        'Saved without consent to recurring charges (cards issued where the rules forbid storing them for that, such as India): autopay never charges it; pay by hand.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    removedAt: t.expose('removedAt', { type: 'DateTime', nullable: true }),
    billingProfile: t.field({ type: BillingProfile, resolve: (m) => m.billingProfileId }),
  }),
});

/** Reading a profile's cards takes READ_PAYMENT_METHODS on it, checked once per profile. */
const readCardsOf = (profile: { id: number; billingAccountId: number }) => ({
  billing: {
    action: 'READ_PAYMENT_METHODS' as const,
    billingAccountId: profile.billingAccountId,
    billingProfileId: profile.id,
  },
});

builder.objectFields(BillingProfile, (t) => ({
  paymentMethods: t.loadableList({
    type: PaymentMethod,
    nullable: true,
    description:
      'Cards on this profile that were not removed, the default first. Null without permission to read payment methods.',
    authScopes: readCardsOf,
    load: async (profileIds: number[], ctx) =>
      groupedBy(
        profileIds,
        await ctx.services.store.reads.activePaymentMethodsByProfileIds(profileIds),
        (m) => m.billingProfileId,
      ),
    resolve: (profile) => profile.id,
  }),
  defaultPaymentMethod: t.field({
    type: PaymentMethod,
    nullable: true,
    authScopes: readCardsOf,
    resolve: (profile) => profile.defaultPaymentMethodId,
  }),
}));

const AddPaymentMethodInput = builder.inputType('AddPaymentMethodInput', {
  description:
    'Card details go to the payment processor to be tokenized; this gateway keeps only the token and display details.',
  fields: (t) => ({
    billingProfileId: t.id({ required: true }),
    cardNumber: t.string({ required: true }),
    expMonth: t.int({ required: true }),
    expYear: t.int({ required: true }),
    cvc: t.string({ required: true }),
    holderName: t.string({ required: true }),
    makeDefault: t.boolean({
      required: false,
      description: 'Make this the profile default. The first card always is.',
    }),
  }),
});

const PaymentMethodIdInput = (name: string) =>
  builder.inputType(name, { fields: (t) => ({ paymentMethodId: t.id({ required: true }) }) });

function paymentMethodIdOrThrow(globalId: string | number): number {
  const id = fromGlobalId(String(globalId), 'PaymentMethod');
  if (id === null) throw new NotFoundError('PaymentMethod');
  return id;
}

builder.mutationField('addPaymentMethod', (t) =>
  t.field({
    type: PaymentMethod,
    description:
      'Adds a card to a billing profile (owner or contributor). Prepaid and virtual cards are refused. Sandbox test numbers decide how charges behave.',
    args: { input: t.arg({ type: AddPaymentMethodInput, required: true }) },
    authScopes: { authenticated: true },
    errors: {
      types: [...COMMON_ERRORS, PaymentMethodNotAllowedError],
      result: { name: 'AddPaymentMethodSuccess' },
      union: { name: 'AddPaymentMethodResult' },
      dataField: { name: 'paymentMethod' },
    },
    resolve: async (_root, { input }, ctx) => {
      const billingProfileId = fromGlobalId(String(input.billingProfileId), 'BillingProfile');
      if (billingProfileId === null) throw new NotFoundError('BillingProfile');
      const created = await addPaymentMethod(ctx.services, ctx.access, {
        billingProfileId,
        makeDefault: input.makeDefault ?? false,
        card: {
          number: input.cardNumber,
          expMonth: input.expMonth,
          expYear: input.expYear,
          cvc: input.cvc,
          holderName: input.holderName,
        },
      });
      return loadAfterWrite(ctx, PaymentMethod, created.id);
    },
  }),
);

const UpdatePaymentMethodInput = builder.inputType('UpdatePaymentMethodInput', {
  description: 'The details printed on a renewed card. Omitted fields keep their value; the number never changes.',
  fields: (t) => ({
    paymentMethodId: t.id({ required: true }),
    expMonth: t.int({ required: false }),
    expYear: t.int({ required: false }),
    holderName: t.string({ required: false }),
  }),
});

builder.mutationField('updatePaymentMethod', (t) =>
  t.field({
    type: PaymentMethod,
    description:
      "Updates a card's expiry and holder name (owner or contributor). An expiry in the past and a removed card are refused.",
    args: { input: t.arg({ type: UpdatePaymentMethodInput, required: true }) },
    authScopes: { authenticated: true },
    errors: {
      types: [...COMMON_ERRORS, PaymentMethodUnusableError],
      result: { name: 'UpdatePaymentMethodSuccess' },
      union: { name: 'UpdatePaymentMethodResult' },
      dataField: { name: 'paymentMethod' },
    },
    resolve: async (_root, { input }, ctx) => {
      const updated = await updatePaymentMethod(
        ctx.services,
        ctx.access,
        paymentMethodIdOrThrow(input.paymentMethodId),
        {
          expMonth: input.expMonth ?? undefined,
          expYear: input.expYear ?? undefined,
          holderName: input.holderName ?? undefined,
        },
      );
      return loadAfterWrite(ctx, PaymentMethod, updated.id);
    },
  }),
);

/** The two card mutations that take just a card's ID: same input, same result shape. */
function registerPaymentMethodMutation(
  name: 'setDefaultPaymentMethod' | 'removePaymentMethod',
  description: string,
  action: typeof setDefaultPaymentMethod,
  errors: readonly (typeof PaymentMethodUnusableError | typeof PaymentMethodNotRemovableError)[],
) {
  const typeName = name[0]!.toUpperCase() + name.slice(1);
  builder.mutationField(name, (t) =>
    t.field({
      type: PaymentMethod,
      description,
      args: { input: t.arg({ type: PaymentMethodIdInput(`${typeName}Input`), required: true }) },
      authScopes: { authenticated: true },
      errors: {
        types: [...COMMON_ERRORS, ...errors],
        result: { name: `${typeName}Success` },
        union: { name: `${typeName}Result` },
        dataField: { name: 'paymentMethod' },
      },
      resolve: async (_root, { input }, ctx) => {
        const changed = await action(ctx.services, ctx.access, paymentMethodIdOrThrow(input.paymentMethodId));
        return loadAfterWrite(ctx, PaymentMethod, changed.id);
      },
    }),
  );
}

registerPaymentMethodMutation(
  'setDefaultPaymentMethod',
  "Chooses the card that pays this profile's invoices by default (owner or contributor). A removed card cannot be chosen.",
  setDefaultPaymentMethod,
  [PaymentMethodUnusableError],
);
registerPaymentMethodMutation(
  'removePaymentMethod',
  'Removes a card (owner or contributor). The default card is refused while the profile has other cards: make another one the default first. Past payments keep showing which card paid them. Removing twice is harmless.',
  removePaymentMethod,
  // PaymentMethodUnusableError stays a member: dropping one from a released union would break clients.
  [PaymentMethodUnusableError, PaymentMethodNotRemovableError],
);
