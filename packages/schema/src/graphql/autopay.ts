// The profile's autopay setting: read on BillingProfile, changed by the billing account admin.
import { setAutopay } from '../billing/autopay.js';
import { NotFoundError, PaymentMethodNotAllowedError } from '../billing/errors.js';
import { BillingProfile } from './billing-profile.js';
import { builder } from './builder.js';
import { COMMON_ERRORS } from './errors.js';
import { fromGlobalId } from './ids.js';
import { loadAfterWrite } from './loaders.js';

builder.objectField(BillingProfile, 'autopay', (t) =>
  t.exposeBoolean('autopay', {
    description:
      "Whether each closed period's invoice is charged to the default card automatically (retried on a decline).",
  }),
);

const SetAutopayInput = builder.inputType('SetAutopayInput', {
  fields: (t) => ({
    billingProfileId: t.id({ required: true }),
    enabled: t.boolean({ required: true }),
  }),
});

builder.mutationField('setAutopay', (t) =>
  t.field({
    type: BillingProfile,
    description:
      'Turns automatic charging of new invoices on or off (billing account admin only). Turning it off also cancels scheduled retries; turning it on is refused while the default card is not for recurring charges.',
    args: { input: t.arg({ type: SetAutopayInput, required: true }) },
    authScopes: { authenticated: true },
    errors: {
      types: [...COMMON_ERRORS, PaymentMethodNotAllowedError],
      result: { name: 'SetAutopaySuccess' },
      union: { name: 'SetAutopayResult' },
      dataField: { name: 'billingProfile' },
    },
    resolve: async (_root, { input }, ctx) => {
      const billingProfileId = fromGlobalId(String(input.billingProfileId), 'BillingProfile');
      if (billingProfileId === null) throw new NotFoundError('BillingProfile');
      const updated = await setAutopay(ctx.services, ctx.access, { billingProfileId, enabled: input.enabled });
      return loadAfterWrite(ctx, BillingProfile, updated.id);
    },
  }),
);
