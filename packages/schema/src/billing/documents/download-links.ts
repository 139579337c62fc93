// Signed, short-lived download links for invoice documents. The token is an HMAC-SHA256 over
// (kind, invoice, principal, expiry): it opens one document for the principal it was issued to,
// and only while that principal may still read the invoice (the download checks access again).
// So a link names nothing another tenant could use: changing any field breaks the signature, and
// a link issued to someone else is refused exactly like a missing invoice.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';
import { DOCUMENT_KINDS, type DocumentKind } from './document-data.js';

export const DEFAULT_DOCUMENT_LINK_TTL_MS = 5 * 60 * 1000;
const VERSION = 'd1';

export interface DocumentLinkClaims {
  kind: DocumentKind;
  invoiceId: number;
  /** `principalId()` of whom the link was issued to, e.g. `user:3`. */
  principal: string;
  /** Epoch seconds. */
  expiresAt: number;
}

/** A link key of its own, derived from the server secret, so a token can never pass for a JWT or vice versa. */
export function documentLinkKey(serverSecret: string | Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', serverSecret, 'billing-gateway', 'document-download-links v1', 32));
}

function sign(key: Buffer, body: string): string {
  return createHmac('sha256', key).update(`${VERSION}.${body}`).digest('base64url');
}

export function signDocumentLink(
  key: Buffer,
  claims: Omit<DocumentLinkClaims, 'expiresAt'>,
  clock: Clock,
  ttlMs = DEFAULT_DOCUMENT_LINK_TTL_MS,
): { token: string; expiresAt: Date } {
  const expiresAt = Math.floor((clock.now().getTime() + ttlMs) / 1000);
  // A fixed field order: the signed bytes are exactly what is parsed back.
  const body = Buffer.from(JSON.stringify([claims.kind, claims.invoiceId, claims.principal, expiresAt])).toString(
    'base64url',
  );
  return { token: `${VERSION}.${body}.${sign(key, body)}`, expiresAt: new Date(expiresAt * 1000) };
}

export type DocumentLinkRefusal = 'MALFORMED' | 'BAD_SIGNATURE' | 'EXPIRED';

export type DocumentLinkCheck = { ok: true; claims: DocumentLinkClaims } | { ok: false; refusal: DocumentLinkRefusal };

function parseBody(body: string): DocumentLinkClaims | null {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length !== 4) return null;
  const [kind, invoiceId, principal, expiresAt] = value as unknown[];
  if (!(DOCUMENT_KINDS as readonly unknown[]).includes(kind)) return null;
  if (!Number.isSafeInteger(invoiceId) || (invoiceId as number) <= 0) return null;
  if (typeof principal !== 'string' || !Number.isSafeInteger(expiresAt)) return null;
  return { kind: kind as DocumentKind, invoiceId: invoiceId as number, principal, expiresAt: expiresAt as number };
}

/** Checks the signature first (nothing unsigned is even parsed), then the expiry. */
export function verifyDocumentLink(key: Buffer, token: string, clock: Clock): DocumentLinkCheck {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION || !parts[1] || !parts[2]) return { ok: false, refusal: 'MALFORMED' };
  const [, body, signature] = parts as [string, string, string];
  const expected = Buffer.from(sign(key, body));
  const presented = Buffer.from(signature);
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
    return { ok: false, refusal: 'BAD_SIGNATURE' };
  }
  const claims = parseBody(body);
  if (!claims) return { ok: false, refusal: 'MALFORMED' };
  if (claims.expiresAt * 1000 <= clock.now().getTime()) return { ok: false, refusal: 'EXPIRED' };
  return { ok: true, claims };
}
