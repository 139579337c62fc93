// Endpoint signing secrets at rest: AES-256-GCM under the server's key (WEBHOOK_ENCRYPTION_KEY), so a
// copy of the database alone signs nothing. Stored as `v1.<iv>.<tag>.<ciphertext>` (base64url); the
// endpoint's id is bound in as additional data, so a ciphertext moved to another row does not decrypt.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/** A 32-byte AES key from its configured form: 64 hex digits or base64 of 32 bytes. */
export function webhookEncryptionKey(configured: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(configured) ? Buffer.from(configured, 'hex') : Buffer.from(configured, 'base64');
  if (key.length !== 32) throw new Error('WEBHOOK_ENCRYPTION_KEY must be 32 bytes: 64 hex digits or base64');
  return key;
}

/** For development and tests only: a fixed key derived from a label (config refuses it in production). */
export function developmentWebhookKey(label = 'billing-gateway-development-webhook-key'): Buffer {
  return createHash('sha256').update(label).digest();
}

export function encryptSecret(key: Buffer, endpointId: number, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`webhook-endpoint:${endpointId}`));
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), ciphertext]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

export function decryptSecret(key: Buffer, endpointId: number, stored: string): string {
  const [version, iv, tag, ciphertext] = stored.split('.');
  if (version !== VERSION || !iv || !tag || ciphertext === undefined) throw new Error('unreadable webhook secret');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(`webhook-endpoint:${endpointId}`));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
}

/** A new signing secret in the Standard Webhooks form: `whsec_` + base64 of 32 random bytes. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
