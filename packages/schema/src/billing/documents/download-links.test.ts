import { describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import { documentLinkKey, signDocumentLink, verifyDocumentLink } from './download-links.js';

const key = documentLinkKey('test-secret-that-is-long-enough-for-hs256');
const claims = { kind: 'INVOICE' as const, invoiceId: 7, principal: 'user:1' };

/** Re-encodes the token's body with one field changed, keeping the old signature. */
function tamper(token: string, change: (fields: unknown[]) => void): string {
  const [version, body, signature] = token.split('.');
  const fields = JSON.parse(Buffer.from(body!, 'base64url').toString()) as unknown[];
  change(fields);
  return `${version}.${Buffer.from(JSON.stringify(fields)).toString('base64url')}.${signature}`;
}

describe('document download links', () => {
  it('verify to the claims they were signed with, until they expire', () => {
    const clock = fixedClock('2026-11-29T12:00:00.000Z');
    const { token, expiresAt } = signDocumentLink(key, claims, clock, 60_000);
    expect(expiresAt.toISOString()).toBe('2026-11-29T12:01:00.000Z');
    expect(verifyDocumentLink(key, token, clock)).toEqual({
      ok: true,
      claims: { ...claims, expiresAt: expiresAt.getTime() / 1000 },
    });
    clock.advance(59_999);
    expect(verifyDocumentLink(key, token, clock).ok).toBe(true);
    clock.advance(1);
    expect(verifyDocumentLink(key, token, clock)).toEqual({ ok: false, refusal: 'EXPIRED' });
  });

  it('refuse any changed field, another key, and garbage', () => {
    const clock = fixedClock('2026-11-29T12:00:00.000Z');
    const { token } = signDocumentLink(key, claims, clock);
    const bad = (t: string) => verifyDocumentLink(key, t, clock);
    expect(bad(tamper(token, (f) => (f[0] = 'RECEIPT')))).toEqual({ ok: false, refusal: 'BAD_SIGNATURE' });
    expect(bad(tamper(token, (f) => (f[1] = 8)))).toEqual({ ok: false, refusal: 'BAD_SIGNATURE' });
    expect(bad(tamper(token, (f) => (f[2] = 'user:5')))).toEqual({ ok: false, refusal: 'BAD_SIGNATURE' });
    expect(bad(tamper(token, (f) => (f[3] = (f[3] as number) + 3600)))).toEqual({
      ok: false,
      refusal: 'BAD_SIGNATURE',
    });
    expect(verifyDocumentLink(documentLinkKey('another-secret-of-enough-length-here'), token, clock)).toEqual({
      ok: false,
      refusal: 'BAD_SIGNATURE',
    });
    for (const garbage of ['', 'd1..', 'x.y.z', `${token}.extra`, token.replace(/^d1/, 'd2'), token.slice(0, -2)]) {
      expect(bad(garbage).ok).toBe(false);
    }
  });

  it('carry no secret and no card data: only kind, invoice, principal and expiry', () => {
    const { token } = signDocumentLink(key, claims, fixedClock('2026-11-29T12:00:00.000Z'));
    const body = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(body).toEqual(['INVOICE', 7, 'user:1', expect.any(Number)]);
  });
});
