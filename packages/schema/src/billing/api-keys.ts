// Partner API keys: `bgk_<prefix>_<secret>`. The prefix finds the key and may be shown; only a
// hash of the whole key is stored, so a database leak does not leak working keys.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { BillingStore } from '../db/store.js';
import { API_KEY_SCOPES, type ApiKeyScope, type apiKeys } from '../db/tables.js';
import { principalId, type AccessView, type Principal } from './access.js';
import { recordAudit } from './audit.js';
import type { Clock } from './clock.js';
import { NotAuthorizedError, NotFoundError, ValidationError } from './errors.js';
import { type RecordEvent, transactionWithEvents } from './event-log.js';
import { validFreeText } from './free-text.js';
import type { BillingServices } from './services.js';

const KEY_SHAPE = /^bgk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
/** last_used_at is a hint for humans; writing it on every request would serialize all partner traffic. */
const LAST_USED_WRITE_INTERVAL_MS = 60_000;

function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export type ApiKeyRow = typeof apiKeys.$inferSelect;

export async function createApiKey(
  services: BillingServices,
  access: AccessView,
  input: { billingAccountId: number; name: string; scopes: readonly ApiKeyScope[] },
): Promise<{ apiKey: ApiKeyRow; secret: string }> {
  if (!access.canSeeAccount(input.billingAccountId)) throw new NotFoundError('BillingAccount');
  if (!access.can('MANAGE_API_KEYS', { billingAccountId: input.billingAccountId })) {
    throw new NotAuthorizedError('Only the billing account admin can create API keys.');
  }
  const name = validFreeText(input.name, { field: 'input.name', label: 'The key name', maxLength: 100 });
  const scopes = [...new Set(input.scopes)];
  if (scopes.length === 0) throw new ValidationError('input.scopes', 'Grant at least one scope.');
  if (scopes.some((s) => !(API_KEY_SCOPES as readonly string[]).includes(s))) {
    throw new ValidationError('input.scopes', `Scopes must be among: ${API_KEY_SCOPES.join(', ')}.`);
  }
  const prefix = `bgk_${randomBytes(6).toString('hex')}`;
  const secret = `${prefix}_${randomBytes(32).toString('base64url')}`;
  const now = services.clock.now();
  const { apiKeys } = services.store.t;
  return transactionWithEvents(services, async (tx, record) => {
    const [row] = await tx
      .insert(apiKeys)
      .values({
        billingAccountId: input.billingAccountId,
        name,
        prefix,
        secretHash: hashKey(secret),
        scopes,
        createdByUserId: access.userId,
        createdAt: now.toISOString(),
      })
      .returning();
    await recordAudit(
      services,
      {
        actor: principalId(access.principal!),
        action: 'api-key.create',
        target: `api-key:${row!.id}`,
        outcome: 'succeeded',
        billingAccountId: input.billingAccountId,
        detail: { prefix, scopes: scopes.join(' ') },
      },
      now,
      tx,
    );
    await recordKeyEvent(record, 'API_KEY_CREATED', row!);
    return { apiKey: row!, secret };
  });
}

/** The event of a key's change: what a partner may see of the key (never its secret or hash). */
function recordKeyEvent(record: RecordEvent, type: 'API_KEY_CREATED' | 'API_KEY_REVOKED', key: ApiKeyRow) {
  return record({
    type,
    billingAccountId: key.billingAccountId,
    data: {
      apiKeyId: key.id,
      name: key.name,
      prefix: key.prefix,
      scopes: key.scopes,
      createdAt: key.createdAt,
      revokedAt: key.revokedAt,
    },
  });
}

export async function revokeApiKey(
  services: BillingServices,
  access: AccessView,
  apiKeyId: number,
): Promise<ApiKeyRow> {
  const key = await services.store.db.query.apiKeys.findFirst({ where: { id: apiKeyId } });
  if (!key || !access.canSeeAccount(key.billingAccountId)) throw new NotFoundError('ApiKey');
  if (!access.can('MANAGE_API_KEYS', { billingAccountId: key.billingAccountId })) {
    throw new NotAuthorizedError('Only the billing account admin can revoke API keys.');
  }
  if (key.revokedAt) return key;
  const now = services.clock.now();
  const { apiKeys } = services.store.t;
  return transactionWithEvents(services, async (tx, record) => {
    const [row] = await tx
      .update(apiKeys)
      .set({ revokedAt: now.toISOString() })
      .where(and(eq(apiKeys.id, apiKeyId), isNull(apiKeys.revokedAt)))
      .returning();
    if (!row) return key; // revoked meanwhile, by someone else
    await recordAudit(
      services,
      {
        actor: principalId(access.principal!),
        action: 'api-key.revoke',
        target: `api-key:${apiKeyId}`,
        outcome: 'succeeded',
        billingAccountId: key.billingAccountId,
      },
      now,
      tx,
    );
    await recordKeyEvent(record, 'API_KEY_REVOKED', row);
    return row;
  });
}

/** The principal for a presented key, or null for malformed, unknown or revoked keys. */
export async function authenticateApiKey(
  store: BillingStore,
  presented: string,
  clock: Clock,
): Promise<Principal | null> {
  const match = KEY_SHAPE.exec(presented);
  if (!match) return null;
  const key = await store.db.query.apiKeys.findFirst({ where: { prefix: `bgk_${match[1]}` } });
  if (!key || key.revokedAt) return null;
  const expected = Buffer.from(key.secretHash, 'hex');
  const actual = Buffer.from(hashKey(presented), 'hex');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return null;
  const now = clock.now();
  if (!key.lastUsedAt || now.getTime() - Date.parse(key.lastUsedAt) > LAST_USED_WRITE_INTERVAL_MS) {
    const { apiKeys } = store.t;
    await store.transaction((tx) =>
      tx.update(apiKeys).set({ lastUsedAt: now.toISOString() }).where(eq(apiKeys.id, key.id)),
    );
  }
  return apiKeyPrincipal(key);
}

/**
 * The principal a `principalId()` string names, as it stands now: null for a revoked or unknown
 * API key or a malformed id. (Users are checked by their grants, which a deleted user lacks.)
 */
export async function principalFromId(store: BillingStore, id: string): Promise<Principal | null> {
  const match = /^(user|api-key):(\d{1,15})$/.exec(id);
  if (!match) return null;
  const numeric = Number(match[2]);
  if (match[1] === 'user') return { kind: 'user', userId: numeric };
  const key = await store.db.query.apiKeys.findFirst({ where: { id: numeric } });
  if (!key || key.revokedAt) return null;
  return apiKeyPrincipal(key);
}

function apiKeyPrincipal(key: { id: number; billingAccountId: number; scopes: ApiKeyScope[] }): Principal {
  return { kind: 'api-key', apiKeyId: key.id, billingAccountId: key.billingAccountId, scopes: key.scopes };
}
