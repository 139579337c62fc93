// Registering, changing, deleting webhook endpoints and rotating their secrets: the billing account
// admin's (or a key with `webhooks:manage`). Another account's endpoint reads exactly like a missing one.
import { and, eq, inArray } from 'drizzle-orm';
import { BILLING_EVENT_TYPES, type BillingEventType } from '../../db/model.js';
import type { webhookEndpoints } from '../../db/tables.js';
import { type AccessView, principalId } from '../access.js';
import { recordAudit } from '../audit.js';
import { NotAuthorizedError, NotFoundError, ValidationError } from '../errors.js';
import { validFreeText } from '../free-text.js';
import type { BillingServices } from '../services.js';
import { decryptSecret, encryptSecret, newSigningSecret } from './secret-box.js';
import { checkWebhookUrl } from './url-safety.js';
import { DEFAULT_SECRET_OVERLAP_MS, MAX_SECRET_OVERLAP_MS } from './settings.js';

export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;

/** Endpoints per billing account: enough for every environment a partner runs, bounded per event fan-out. */
export const MAX_ENDPOINTS_PER_ACCOUNT = 16;

/**
 * Who may manage the account's webhooks: NotFound when the principal has no standing in the account at
 * all (exactly like a missing account), NotAuthorized when it may look but not manage.
 */
export function assertMayManageWebhooks(access: AccessView, billingAccountId: number, resource: string): string {
  const manages = access.can('MANAGE_WEBHOOKS', { billingAccountId });
  if (!access.principal || (!manages && !access.canSeeAccount(billingAccountId))) throw new NotFoundError(resource);
  if (!manages) throw new NotAuthorizedError('Only the billing account admin can manage webhook endpoints.');
  return principalId(access.principal);
}

function validEventTypes(eventTypes: readonly string[]): BillingEventType[] {
  const types = [...new Set(eventTypes)];
  if (types.length === 0) throw new ValidationError('input.eventTypes', 'Subscribe to at least one event type.');
  if (types.some((t) => !(BILLING_EVENT_TYPES as readonly string[]).includes(t)))
    throw new ValidationError('input.eventTypes', `Event types must be among: ${BILLING_EVENT_TYPES.join(', ')}.`);
  return types as BillingEventType[];
}

function validDescription(description: string | undefined): string | undefined {
  if (description === undefined || description === '') return description;
  return validFreeText(description, { field: 'input.description', label: 'The description', maxLength: 200 });
}

/** The endpoint, if the principal may manage it; otherwise NotFound (also for another tenant's) or NotAuthorized. */
export async function endpointForManagement(
  services: BillingServices,
  access: AccessView,
  endpointId: number,
): Promise<{ endpoint: WebhookEndpointRow; actor: string }> {
  const endpoint = await services.store.db.query.webhookEndpoints.findFirst({ where: { id: endpointId } });
  if (!endpoint) throw new NotFoundError('WebhookEndpoint');
  const actor = assertMayManageWebhooks(access, endpoint.billingAccountId, 'WebhookEndpoint');
  return { endpoint, actor };
}

export async function createWebhookEndpoint(
  services: BillingServices,
  access: AccessView,
  input: {
    billingAccountId: number;
    url: string;
    description?: string;
    eventTypes: readonly string[];
    enabled?: boolean;
  },
): Promise<{ endpoint: WebhookEndpointRow; secret: string }> {
  const actor = assertMayManageWebhooks(access, input.billingAccountId, 'BillingAccount');
  const eventTypes = validEventTypes(input.eventTypes);
  const description = validDescription(input.description) ?? '';
  const url = await checkWebhookUrl(services.settings.webhooks, input.url);
  const { webhookEndpoints } = services.store.t;
  const secret = newSigningSecret();
  const now = services.clock.now().toISOString();
  return services.store.transaction(async (tx) => {
    const existing = await tx
      .select({ id: webhookEndpoints.id })
      .from(webhookEndpoints)
      .where(eq(webhookEndpoints.billingAccountId, input.billingAccountId));
    if (existing.length >= MAX_ENDPOINTS_PER_ACCOUNT)
      throw new ValidationError(
        'input.billingAccountId',
        `A billing account can have at most ${MAX_ENDPOINTS_PER_ACCOUNT} webhook endpoints. Delete one first.`,
      );
    const [inserted] = await tx
      .insert(webhookEndpoints)
      .values({
        billingAccountId: input.billingAccountId,
        url,
        description,
        eventTypes,
        enabled: input.enabled ?? true,
        // Replaced below: the ciphertext is bound to the row's id, known only after the insert.
        secretEncrypted: '',
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: webhookEndpoints.id });
    const [endpoint] = await tx
      .update(webhookEndpoints)
      .set({ secretEncrypted: encryptSecret(services.settings.webhooks.encryptionKey, inserted!.id, secret) })
      .where(eq(webhookEndpoints.id, inserted!.id))
      .returning();
    await recordAudit(
      services,
      {
        actor,
        action: 'webhook-endpoint.create',
        target: `webhook-endpoint:${inserted!.id}`,
        outcome: 'succeeded',
        billingAccountId: input.billingAccountId,
        detail: { url, eventTypes: eventTypes.join(' ') },
      },
      new Date(now),
      tx,
    );
    return { endpoint: endpoint!, secret };
  });
}

export async function updateWebhookEndpoint(
  services: BillingServices,
  access: AccessView,
  endpointId: number,
  input: { url?: string; description?: string; eventTypes?: readonly string[]; enabled?: boolean },
): Promise<WebhookEndpointRow> {
  const { endpoint, actor } = await endpointForManagement(services, access, endpointId);
  const changes: Partial<WebhookEndpointRow> = {};
  if (input.eventTypes !== undefined) changes.eventTypes = validEventTypes(input.eventTypes);
  if (input.description !== undefined) changes.description = validDescription(input.description) ?? '';
  if (input.url !== undefined) changes.url = await checkWebhookUrl(services.settings.webhooks, input.url);
  if (input.enabled !== undefined) changes.enabled = input.enabled;
  if (Object.keys(changes).length === 0) return endpoint;
  const now = services.clock.now();
  const { webhookEndpoints } = services.store.t;
  return services.store.transaction(async (tx) => {
    const [row] = await tx
      .update(webhookEndpoints)
      .set({ ...changes, updatedAt: now.toISOString() })
      .where(eq(webhookEndpoints.id, endpointId))
      .returning();
    if (!row) throw new NotFoundError('WebhookEndpoint');
    await recordAudit(
      services,
      {
        actor,
        action: 'webhook-endpoint.update',
        target: `webhook-endpoint:${endpointId}`,
        outcome: 'succeeded',
        billingAccountId: endpoint.billingAccountId,
        detail: { changed: Object.keys(changes).sort().join(' ') },
      },
      now,
      tx,
    );
    return row;
  });
}

/** Deletes the endpoint with its deliveries and their attempts: nothing more is sent to it. */
export async function deleteWebhookEndpoint(
  services: BillingServices,
  access: AccessView,
  endpointId: number,
): Promise<WebhookEndpointRow> {
  const { endpoint, actor } = await endpointForManagement(services, access, endpointId);
  const { webhookEndpoints, webhookDeliveries, webhookDeliveryAttempts } = services.store.t;
  const now = services.clock.now();
  await services.store.transaction(async (tx) => {
    const deliveries = tx
      .select({ id: webhookDeliveries.id })
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.endpointId, endpointId));
    await tx.delete(webhookDeliveryAttempts).where(inArray(webhookDeliveryAttempts.deliveryId, deliveries));
    await tx.delete(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpointId));
    await tx.delete(webhookEndpoints).where(eq(webhookEndpoints.id, endpointId));
    await recordAudit(
      services,
      {
        actor,
        action: 'webhook-endpoint.delete',
        target: `webhook-endpoint:${endpointId}`,
        outcome: 'succeeded',
        billingAccountId: endpoint.billingAccountId,
      },
      now,
      tx,
    );
  });
  return endpoint;
}

/**
 * A new secret, shown once. The current one becomes the previous one and keeps signing (deliveries
 * carry both signatures) for `overlapMs`, so receivers can switch without missing a delivery. An
 * overlap of 0 retires the old secret at once (for a leaked one).
 */
export async function rotateWebhookEndpointSecret(
  services: BillingServices,
  access: AccessView,
  endpointId: number,
  overlapMs: number = DEFAULT_SECRET_OVERLAP_MS,
): Promise<{ endpoint: WebhookEndpointRow; secret: string }> {
  if (!Number.isSafeInteger(overlapMs) || overlapMs < 0 || overlapMs > MAX_SECRET_OVERLAP_MS)
    throw new ValidationError(
      'input.overlapSeconds',
      `The overlap must be between 0 and ${MAX_SECRET_OVERLAP_MS / 1000} seconds (7 days).`,
    );
  const { endpoint, actor } = await endpointForManagement(services, access, endpointId);
  const { webhookEndpoints } = services.store.t;
  const secret = newSigningSecret();
  const now = services.clock.now();
  const key = services.settings.webhooks.encryptionKey;
  return services.store.transaction(async (tx) => {
    const [row] = await tx
      .update(webhookEndpoints)
      .set({
        secretEncrypted: encryptSecret(key, endpointId, secret),
        previousSecretEncrypted: overlapMs > 0 ? endpoint.secretEncrypted : null,
        previousSecretExpiresAt: overlapMs > 0 ? new Date(now.getTime() + overlapMs).toISOString() : null,
        updatedAt: now.toISOString(),
      })
      .where(and(eq(webhookEndpoints.id, endpointId), eq(webhookEndpoints.secretEncrypted, endpoint.secretEncrypted)))
      .returning();
    if (!row) throw new ValidationError('input.endpointId', 'The secret was rotated meanwhile. Try again.');
    await recordAudit(
      services,
      {
        actor,
        action: 'webhook-endpoint.rotate-secret',
        target: `webhook-endpoint:${endpointId}`,
        outcome: 'succeeded',
        billingAccountId: endpoint.billingAccountId,
        detail: { overlapMs },
      },
      now,
      tx,
    );
    return { endpoint: row, secret };
  });
}

/** The secrets deliveries are signed with now: the current one, and the previous one during its overlap. */
export function signingSecrets(
  services: BillingServices,
  endpoint: Pick<WebhookEndpointRow, 'id' | 'secretEncrypted' | 'previousSecretEncrypted' | 'previousSecretExpiresAt'>,
): string[] {
  const key = services.settings.webhooks.encryptionKey;
  const secrets = [decryptSecret(key, endpoint.id, endpoint.secretEncrypted)];
  if (
    endpoint.previousSecretEncrypted &&
    endpoint.previousSecretExpiresAt &&
    Date.parse(endpoint.previousSecretExpiresAt) > services.clock.now().getTime()
  )
    secrets.push(decryptSecret(key, endpoint.id, endpoint.previousSecretEncrypted));
  return secrets;
}
