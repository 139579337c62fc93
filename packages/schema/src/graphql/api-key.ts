import { createApiKey, revokeApiKey } from '../billing/api-keys.js';
import { NotFoundError } from '../billing/errors.js';
import type { ApiKeyRow } from '../db/reads.js';
import { groupedBy, loadAfterWrite } from './loaders.js';
import { BillingAccount } from './billing-account.js';
import { builder } from './builder.js';
import { COMMON_ERRORS } from './errors.js';
import { fromGlobalId, parseNodeId } from './ids.js';

export const ApiKeyScopeEnum = builder.enumType('ApiKeyScope', {
  description: 'What a partner API key may do inside its own billing account.',
  values: {
    INVOICES_READ: { value: 'invoices:read', description: 'Read accounts, profiles, invoices and payments.' },
    PAYMENT_METHODS_READ: { value: 'payment-methods:read', description: 'Read cards (brand, last four, expiry).' },
    PAYMENT_METHODS_WRITE: { value: 'payment-methods:write', description: 'Add, remove and choose default cards.' },
    PAYMENTS_WRITE: { value: 'payments:write', description: 'Pay invoices.' },
    WEBHOOKS_MANAGE: {
      value: 'webhooks:manage',
      description:
        'Manage webhook endpoints (register, change, delete, rotate secrets) and their deliveries (read, redeliver, replay).',
    },
  } as const,
});

export const ApiKey = builder.loadableNode('ApiKey', {
  description: 'A partner API key. The secret is shown once, when created; only its prefix is shown after.',
  id: { resolve: (k: ApiKeyRow) => k.id, parse: parseNodeId },
  load: (ids: number[], ctx) => ctx.services.store.reads.apiKeysByIds(ids),
  sort: (k) => k.id,
  fields: (t) => ({
    name: t.exposeString('name'),
    prefix: t.exposeString('prefix'),
    scopes: t.field({ type: [ApiKeyScopeEnum], resolve: (k) => k.scopes }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

builder.objectField(BillingAccount, 'apiKeys', (t) =>
  t.loadableList({
    type: ApiKey,
    nullable: true,
    description: "The account's API keys, newest first. Null unless the viewer is the billing account admin.",
    authScopes: (account) => ({ billing: { action: 'MANAGE_API_KEYS', billingAccountId: account.id } }),
    load: async (accountIds: number[], ctx) =>
      groupedBy(accountIds, await ctx.services.store.reads.apiKeysByAccountIds(accountIds), (k) => k.billingAccountId),
    resolve: (account) => account.id,
  }),
);

const CreateApiKeyInput = builder.inputType('CreateApiKeyInput', {
  fields: (t) => ({
    billingAccountId: t.id({ required: true }),
    name: t.string({ required: true }),
    scopes: t.field({ type: [ApiKeyScopeEnum], required: true }),
  }),
});

const CreateApiKeySuccess = builder.objectRef<{ apiKeyId: number; secret: string }>('CreateApiKeySuccess').implement({
  fields: (t) => ({
    secret: t.exposeString('secret', {
      description: 'The full key. Shown only in this response: store it now. Send it as the `X-Api-Key` header.',
    }),
    apiKey: t.field({ type: ApiKey, resolve: (parent, _args, ctx) => loadAfterWrite(ctx, ApiKey, parent.apiKeyId) }),
  }),
});

builder.mutationField('createApiKey', (t) =>
  t.field({
    type: CreateApiKeySuccess,
    description: 'Creates a partner API key for a billing account (billing account admin only).',
    args: { input: t.arg({ type: CreateApiKeyInput, required: true }) },
    authScopes: { user: true },
    errors: { types: [...COMMON_ERRORS], directResult: true, union: { name: 'CreateApiKeyResult' } },
    resolve: async (_root, { input }, ctx) => {
      const billingAccountId = fromGlobalId(String(input.billingAccountId), 'BillingAccount');
      if (billingAccountId === null) throw new NotFoundError('BillingAccount');
      const { apiKey, secret } = await createApiKey(ctx.services, ctx.access, {
        billingAccountId,
        name: input.name,
        scopes: input.scopes,
      });
      return { apiKeyId: apiKey.id, secret };
    },
  }),
);

const RevokeApiKeyInput = builder.inputType('RevokeApiKeyInput', {
  fields: (t) => ({ apiKeyId: t.id({ required: true }) }),
});

builder.mutationField('revokeApiKey', (t) =>
  t.field({
    type: ApiKey,
    description: 'Revokes an API key at once (billing account admin only). Revoking twice is harmless.',
    args: { input: t.arg({ type: RevokeApiKeyInput, required: true }) },
    authScopes: { user: true },
    errors: {
      types: [...COMMON_ERRORS],
      result: { name: 'RevokeApiKeySuccess' },
      union: { name: 'RevokeApiKeyResult' },
      dataField: { name: 'apiKey' },
    },
    resolve: async (_root, { input }, ctx) => {
      const id = fromGlobalId(String(input.apiKeyId), 'ApiKey');
      if (id === null) throw new NotFoundError('ApiKey');
      const revoked = await revokeApiKey(ctx.services, ctx.access, id);
      return loadAfterWrite(ctx, ApiKey, revoked.id);
    },
  }),
);
