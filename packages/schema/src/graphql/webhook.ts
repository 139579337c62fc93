// Webhook endpoints, their deliveries and attempts, and the mutations that manage them. The rules are
// in billing/webhooks/; reading and managing take MANAGE_WEBHOOKS (the billing account admin, or a key
// with `webhooks:manage`), and another account's endpoint or delivery reads like a missing one.
import { resolveArrayConnection, resolveCursorConnection } from '@pothos/plugin-relay';
import { GraphQLError } from 'graphql';
import type { ErrorCode } from '../billing/error-codes.js';
import { NotFoundError, WEBHOOK_URL_NOT_ALLOWED_REASONS, WebhookUrlNotAllowedError } from '../billing/errors.js';
import {
  createWebhookEndpoint,
  DEFAULT_SECRET_OVERLAP_MS,
  deleteWebhookEndpoint,
  MAX_SECRET_OVERLAP_MS,
  redeliverWebhookDelivery,
  replayWebhookEvents,
  rotateWebhookEndpointSecret,
  updateWebhookEndpoint,
} from '../billing/webhooks/index.js';
import type { WEBHOOK_ATTEMPT_ERRORS, WEBHOOK_DELIVERY_STATUSES } from '../db/model.js';
import type { WebhookDeliveryAttemptReadRow, WebhookDeliveryReadRow, WebhookEndpointReadRow } from '../db/reads.js';
import { BillingAccount } from './billing-account.js';
import { builder } from './builder.js';
import { COMMON_ERRORS, ErrorInterface } from './errors.js';
import { fromGlobalId, parseNodeId, toGlobalId, type NodeTypeName } from './ids.js';
import { groupedBy, loadAfterWrite } from './loaders.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './page-sizes.js';
import { BillingEventTypeEnum } from './subscriptions.js';
import { readTarget } from './visibility.js';

export const WebhookDeliveryStatusEnum = builder.enumType('WebhookDeliveryStatus', {
  values: {
    PENDING: {
      description: 'Not delivered yet: waiting for its next attempt (or for an earlier event of the same invoice).',
    },
    SUCCEEDED: { description: 'The endpoint answered 2xx.' },
    FAILED: { description: 'Every attempt of the retry schedule failed. `redeliverWebhookDelivery` sends it again.' },
  } satisfies Record<(typeof WEBHOOK_DELIVERY_STATUSES)[number], { description: string }>,
});
export const WebhookAttemptErrorEnum = builder.enumType('WebhookAttemptError', {
  values: {
    HTTP_STATUS: { description: 'The endpoint answered outside 2xx.' },
    REDIRECT: { description: 'The endpoint answered 3xx; redirects are never followed.' },
    TIMEOUT: { description: 'No answer in time.' },
    CONNECTION: { description: 'No connection (refused, reset, DNS failure, TLS error).' },
    ADDRESS_NOT_ALLOWED: {
      description: 'The host resolved to a loopback, private or otherwise internal address, which is never called.',
    },
  } satisfies Record<(typeof WEBHOOK_ATTEMPT_ERRORS)[number], { description: string }>,
});
export const WebhookUrlNotAllowedReasonEnum = builder.enumType('WebhookUrlNotAllowedReason', {
  values: WEBHOOK_URL_NOT_ALLOWED_REASONS,
});

builder.objectType(WebhookUrlNotAllowedError, {
  name: 'WebhookUrlNotAllowedError',
  description:
    'The endpoint URL may not be used: not https (outside development), malformed, or resolving to an internal address. Nothing was changed.',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof WebhookUrlNotAllowedError,
  fields: (t) => ({ urlNotAllowedReason: t.expose('reason', { type: WebhookUrlNotAllowedReasonEnum }) }),
});

export const WebhookDeliveryAttempt = builder
  .objectRef<WebhookDeliveryAttemptReadRow>('WebhookDeliveryAttempt')
  .implement({
    description: 'One HTTP request of a delivery, as it went.',
    fields: (t) => ({
      startedAt: t.expose('startedAt', { type: 'DateTime' }),
      statusCode: t.exposeInt('statusCode', { nullable: true, description: 'Null when no HTTP answer came.' }),
      durationMs: t.exposeInt('durationMs'),
      responseBody: t.exposeString('responseBody', {
        nullable: true,
        description: "The start of the endpoint's answer (at most 1 KiB).",
      }),
      error: t.expose('errorKind', {
        type: WebhookAttemptErrorEnum,
        nullable: true,
        description: 'Why the attempt failed; null when it succeeded.',
      }),
    }),
  });

export const WebhookEvent = builder.objectRef<WebhookDeliveryReadRow>('WebhookEvent').implement({
  description: 'The event a delivery carries, from the event log: the same for every attempt and every replay.',
  fields: (t) => ({
    id: t.exposeString('eventId', { description: 'Stable (`evt_...`): the `webhook-id` header. Deduplicate by it.' }),
    type: t.field({ type: BillingEventTypeEnum, resolve: (d) => d.eventType as never }),
    sequence: t.exposeInt('eventSequence', { description: 'Orders events; later changes have higher sequences.' }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
    data: t.string({
      description: "The event's `data` as JSON text, serialized as in the delivery's body.",
      // Re-serialized: PostgreSQL prints jsonb with spaces the body does not have.
      resolve: (d) => JSON.stringify(JSON.parse(d.eventData)),
    }),
  }),
});

export const WebhookEndpoint = builder.loadableNode('WebhookEndpoint', {
  description:
    'Where events of a billing account are sent, signed (Standard Webhooks). The secret is shown only when created or rotated.',
  id: { resolve: (e: WebhookEndpointReadRow) => e.id, parse: parseNodeId },
  load: (ids: number[], ctx) => ctx.services.store.reads.webhookEndpointsByIds(ids),
  sort: (e) => e.id,
  fields: (t) => ({
    url: t.exposeString('url'),
    description: t.exposeString('description'),
    eventTypes: t.field({ type: [BillingEventTypeEnum], resolve: (e) => e.eventTypes as never }),
    enabled: t.exposeBoolean('enabled'),
    previousSecretExpiresAt: t.expose('previousSecretExpiresAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Until then deliveries carry a signature by the rotated-out secret too; null when none does.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    billingAccount: t.field({ type: BillingAccount, resolve: (e) => e.billingAccountId }),
  }),
});

export const WebhookDelivery = builder.loadableNode('WebhookDelivery', {
  description: 'One event sent (or to be sent) to one endpoint, with every attempt.',
  id: { resolve: (d: WebhookDeliveryReadRow) => d.id, parse: parseNodeId },
  load: (ids: number[], ctx) => ctx.services.store.reads.webhookDeliveriesByIds(ids),
  sort: (d) => d.id,
  fields: (t) => ({
    status: t.expose('status', { type: WebhookDeliveryStatusEnum }),
    attemptCount: t.exposeInt('attemptCount', { description: 'Attempts since it was queued or last redelivered.' }),
    nextAttemptAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the next attempt is due; null once SUCCEEDED or FAILED.',
      resolve: (d) => (d.status === 'PENDING' ? d.nextAttemptAt : null),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    event: t.field({ type: WebhookEvent, resolve: (d) => d }),
    attempts: t.loadableList({
      type: WebhookDeliveryAttempt,
      description: 'Every attempt, oldest first.',
      load: async (ids: number[], ctx) =>
        groupedBy(ids, await ctx.services.store.reads.webhookDeliveryAttemptsByDeliveryIds(ids), (a) => a.deliveryId),
      resolve: (d) => d.id,
    }),
    endpoint: t.field({ type: WebhookEndpoint, resolve: (d) => d.endpointId }),
  }),
});

const CURSOR = /^D:([1-9]\d{0,15})$/;
function deliveryCursorId(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const match = CURSOR.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  if (!match)
    throw new GraphQLError('Invalid cursor: pass a cursor returned by this list.', {
      extensions: { code: 'BAD_USER_INPUT' satisfies ErrorCode },
    });
  return Number(match[1]);
}

builder.objectField(WebhookEndpoint, 'deliveries', (t) =>
  t.connection({
    type: WebhookDelivery,
    description: 'Deliveries to this endpoint, newest first.',
    resolve: (endpoint: WebhookEndpointReadRow, args, ctx) =>
      resolveCursorConnection<Promise<WebhookDeliveryReadRow[]>>(
        {
          args,
          defaultSize: DEFAULT_PAGE_SIZE,
          maxSize: MAX_PAGE_SIZE,
          toCursor: (d: WebhookDeliveryReadRow) => Buffer.from(`D:${d.id}`).toString('base64'),
        },
        ({ before, after, limit, inverted }) => {
          // Newest first: "after" a cursor is older (lower ids), "before" it newer.
          const olderThan = deliveryCursorId(after);
          const newerThan = deliveryCursorId(before);
          return ctx.services.store.reads.webhookDeliveryPage({
            endpointId: endpoint.id,
            limit,
            fromEnd: inverted,
            ...(olderThan !== undefined ? { beforeId: olderThan } : {}),
            ...(newerThan !== undefined ? { afterId: newerThan } : {}),
          });
        },
      ),
  }),
);

builder.objectField(BillingAccount, 'webhookEndpoints', (t) =>
  t.connection({
    type: WebhookEndpoint,
    nullable: true,
    description:
      "The account's webhook endpoints, oldest first (at most 16). Null unless the viewer may manage webhooks (the billing account admin, or a key with `webhooks:manage`).",
    authScopes: (account) => ({ billing: { action: 'MANAGE_WEBHOOKS', billingAccountId: account.id } }),
    resolve: async (account, args, ctx) =>
      resolveArrayConnection({ args }, await ctx.services.store.reads.webhookEndpointsByAccountIds([account.id])),
  }),
);

builder.queryField('webhookEndpoint', (t) =>
  t.field({
    type: WebhookEndpoint,
    nullable: true,
    description:
      'A webhook endpoint by global ID; null if it does not exist or the viewer may not manage its webhooks.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const id = fromGlobalId(String(args.id), 'WebhookEndpoint');
      const endpoint = id === null ? null : await WebhookEndpoint.getDataloader(ctx).load(id);
      return endpoint && ctx.access.can('MANAGE_WEBHOOKS', readTarget.webhook(endpoint)) ? endpoint : null;
    },
  }),
);

function idOrThrow(globalId: string | number, typename: NodeTypeName): number {
  const id = fromGlobalId(String(globalId), typename);
  if (id === null) throw new NotFoundError(typename);
  return id;
}

const WEBHOOK_ERRORS = [...COMMON_ERRORS, WebhookUrlNotAllowedError] as const;

const CreateWebhookEndpointInput = builder.inputType('CreateWebhookEndpointInput', {
  fields: (t) => ({
    billingAccountId: t.id({ required: true }),
    url: t.string({ required: true, description: 'https (outside development), a public address, no credentials.' }),
    description: t.string({ required: false }),
    eventTypes: t.field({ type: [BillingEventTypeEnum], required: true }),
    enabled: t.boolean({ required: false, description: 'Default true.' }),
  }),
});

interface EndpointWithSecret {
  endpointId: number;
  secret: string;
}

const secretField = {
  description:
    'The signing secret (`whsec_...`), for `standardwebhooks` `new Webhook(secret)`. Shown only in this response: store it now.',
} as const;

const CreateWebhookEndpointSuccess = builder.objectRef<EndpointWithSecret>('CreateWebhookEndpointSuccess').implement({
  fields: (t) => ({
    secret: t.exposeString('secret', secretField),
    endpoint: t.field({
      type: WebhookEndpoint,
      resolve: (parent, _args, ctx) => loadAfterWrite(ctx, WebhookEndpoint, parent.endpointId),
    }),
  }),
});

builder.mutationField('createWebhookEndpoint', (t) =>
  t.field({
    type: CreateWebhookEndpointSuccess,
    description:
      'Registers a webhook endpoint (billing account admin, or a key with `webhooks:manage`). Events of the chosen types are sent to it, signed, from then on.',
    args: { input: t.arg({ type: CreateWebhookEndpointInput, required: true }) },
    authScopes: { authenticated: true },
    errors: { types: [...WEBHOOK_ERRORS], directResult: true, union: { name: 'CreateWebhookEndpointResult' } },
    resolve: async (_root, { input }, ctx) => {
      const { endpoint, secret } = await createWebhookEndpoint(ctx.services, ctx.access, {
        billingAccountId: idOrThrow(input.billingAccountId, 'BillingAccount'),
        url: input.url,
        eventTypes: input.eventTypes,
        ...(input.description != null ? { description: input.description } : {}),
        ...(input.enabled != null ? { enabled: input.enabled } : {}),
      });
      return { endpointId: endpoint.id, secret };
    },
  }),
);

const UpdateWebhookEndpointInput = builder.inputType('UpdateWebhookEndpointInput', {
  description: 'Omitted fields keep their value.',
  fields: (t) => ({
    endpointId: t.id({ required: true }),
    url: t.string({ required: false }),
    description: t.string({ required: false }),
    eventTypes: t.field({ type: [BillingEventTypeEnum], required: false }),
    enabled: t.boolean({
      required: false,
      description: 'A disabled endpoint is queued nothing new; what was queued waits until it is enabled again.',
    }),
  }),
});

builder.mutationField('updateWebhookEndpoint', (t) =>
  t.field({
    type: WebhookEndpoint,
    description: "Changes an endpoint's URL, description, event types or enabled state.",
    args: { input: t.arg({ type: UpdateWebhookEndpointInput, required: true }) },
    authScopes: { authenticated: true },
    errors: {
      types: [...WEBHOOK_ERRORS],
      result: { name: 'UpdateWebhookEndpointSuccess' },
      union: { name: 'UpdateWebhookEndpointResult' },
      dataField: { name: 'endpoint' },
    },
    resolve: async (_root, { input }, ctx) => {
      const updated = await updateWebhookEndpoint(
        ctx.services,
        ctx.access,
        idOrThrow(input.endpointId, 'WebhookEndpoint'),
        {
          ...(input.url != null ? { url: input.url } : {}),
          ...(input.description != null ? { description: input.description } : {}),
          ...(input.eventTypes != null ? { eventTypes: input.eventTypes } : {}),
          ...(input.enabled != null ? { enabled: input.enabled } : {}),
        },
      );
      return loadAfterWrite(ctx, WebhookEndpoint, updated.id);
    },
  }),
);

const WebhookEndpointIdInput = (name: string) =>
  builder.inputType(name, { fields: (t) => ({ endpointId: t.id({ required: true }) }) });

const DeleteWebhookEndpointSuccess = builder
  .objectRef<{ endpointId: number }>('DeleteWebhookEndpointSuccess')
  .implement({
    fields: (t) => ({
      deletedEndpointId: t.id({ resolve: (p) => toGlobalId('WebhookEndpoint', p.endpointId) }),
    }),
  });

builder.mutationField('deleteWebhookEndpoint', (t) =>
  t.field({
    type: DeleteWebhookEndpointSuccess,
    description: 'Deletes an endpoint with its deliveries and their attempts: nothing more is sent to it.',
    args: { input: t.arg({ type: WebhookEndpointIdInput('DeleteWebhookEndpointInput'), required: true }) },
    authScopes: { authenticated: true },
    errors: { types: [...COMMON_ERRORS], directResult: true, union: { name: 'DeleteWebhookEndpointResult' } },
    resolve: async (_root, { input }, ctx) => {
      const deleted = await deleteWebhookEndpoint(
        ctx.services,
        ctx.access,
        idOrThrow(input.endpointId, 'WebhookEndpoint'),
      );
      return { endpointId: deleted.id };
    },
  }),
);

const RotateWebhookEndpointSecretInput = builder.inputType('RotateWebhookEndpointSecretInput', {
  fields: (t) => ({
    endpointId: t.id({ required: true }),
    overlapSeconds: t.int({
      required: false,
      description: `How long the old secret keeps signing too (both signatures are sent), 0 to ${MAX_SECRET_OVERLAP_MS / 1000}. Default ${DEFAULT_SECRET_OVERLAP_MS / 1000} (24 hours); 0 retires it at once (a leaked secret).`,
    }),
  }),
});

const RotateWebhookEndpointSecretSuccess = builder
  .objectRef<EndpointWithSecret>('RotateWebhookEndpointSecretSuccess')
  .implement({
    fields: (t) => ({
      secret: t.exposeString('secret', secretField),
      endpoint: t.field({
        type: WebhookEndpoint,
        resolve: (parent, _args, ctx) => loadAfterWrite(ctx, WebhookEndpoint, parent.endpointId),
      }),
    }),
  });

builder.mutationField('rotateWebhookEndpointSecret', (t) =>
  t.field({
    type: RotateWebhookEndpointSecretSuccess,
    description: 'Replaces the signing secret; the old one keeps signing during the overlap.',
    args: { input: t.arg({ type: RotateWebhookEndpointSecretInput, required: true }) },
    authScopes: { authenticated: true },
    errors: { types: [...COMMON_ERRORS], directResult: true, union: { name: 'RotateWebhookEndpointSecretResult' } },
    resolve: async (_root, { input }, ctx) => {
      const { endpoint, secret } = await rotateWebhookEndpointSecret(
        ctx.services,
        ctx.access,
        idOrThrow(input.endpointId, 'WebhookEndpoint'),
        input.overlapSeconds == null ? DEFAULT_SECRET_OVERLAP_MS : input.overlapSeconds * 1000,
      );
      return { endpointId: endpoint.id, secret };
    },
  }),
);

const RedeliverWebhookDeliveryInput = builder.inputType('RedeliverWebhookDeliveryInput', {
  fields: (t) => ({ deliveryId: t.id({ required: true }) }),
});

builder.mutationField('redeliverWebhookDelivery', (t) =>
  t.field({
    type: WebhookDelivery,
    description:
      'Sends a delivery again (a FAILED one, or a SUCCEEDED one the receiver lost) from the start of the retry schedule. Same event, same `webhook-id`.',
    args: { input: t.arg({ type: RedeliverWebhookDeliveryInput, required: true }) },
    authScopes: { authenticated: true },
    errors: {
      types: [...COMMON_ERRORS],
      result: { name: 'RedeliverWebhookDeliverySuccess' },
      union: { name: 'RedeliverWebhookDeliveryResult' },
      dataField: { name: 'delivery' },
    },
    resolve: async (_root, { input }, ctx) => {
      const delivery = await redeliverWebhookDelivery(
        ctx.services,
        ctx.access,
        idOrThrow(input.deliveryId, 'WebhookDelivery'),
      );
      return loadAfterWrite(ctx, WebhookDelivery, delivery.id);
    },
  }),
);

const ReplayWebhookEventsInput = builder.inputType('ReplayWebhookEventsInput', {
  description: 'Give `afterEventId` or `afterSequence` (exclusive); with neither, every event the log still holds.',
  fields: (t) => ({
    endpointId: t.id({ required: true }),
    afterEventId: t.string({ required: false, description: 'The last event the receiver has (`webhook-id`).' }),
    afterSequence: t.int({ required: false }),
  }),
});

const ReplayWebhookEventsSuccess = builder
  .objectRef<{ queued: number; lastSequence: number | null; endpointId: number }>('ReplayWebhookEventsSuccess')
  .implement({
    fields: (t) => ({
      queuedCount: t.exposeInt('queued', { description: 'Events queued again (at most 1,000 per call).' }),
      lastSequence: t.exposeInt('lastSequence', {
        nullable: true,
        description: 'The last queued event; replay again after it for more. Null when none was queued.',
      }),
      endpoint: t.field({
        type: WebhookEndpoint,
        resolve: (parent, _args, ctx) => loadAfterWrite(ctx, WebhookEndpoint, parent.endpointId),
      }),
    }),
  });

builder.mutationField('replayWebhookEvents', (t) =>
  t.field({
    type: ReplayWebhookEventsSuccess,
    description:
      "Queues the endpoint's events again from the event log (within its retention), oldest first, as new deliveries with their original `webhook-id`: for a receiver that lost data or was down past the retry schedule.",
    args: { input: t.arg({ type: ReplayWebhookEventsInput, required: true }) },
    authScopes: { authenticated: true },
    errors: { types: [...COMMON_ERRORS], directResult: true, union: { name: 'ReplayWebhookEventsResult' } },
    resolve: async (_root, { input }, ctx) => {
      const endpointId = idOrThrow(input.endpointId, 'WebhookEndpoint');
      const result = await replayWebhookEvents(
        ctx.services,
        ctx.access,
        endpointId,
        input.afterEventId != null ? { eventId: input.afterEventId } : { sequence: input.afterSequence ?? 0 },
      );
      return { ...result, endpointId };
    },
  }),
);
