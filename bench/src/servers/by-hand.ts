// The per-request work done by hand, shared by the raw baseline and the Mercurius peer: verify the HS256
// bearer token (iss, aud, exp), check the user exists, load the user's role assignments and apply the
// gateway's visibility rule; plus the gateway's formatting of ids, amounts and invoice status.
import type Database from 'better-sqlite3';
import { createHmac, timingSafeEqual } from 'node:crypto';

export type Role = 'OWNER' | 'CONTRIBUTOR' | 'READER' | 'INVOICE_MANAGER';
export interface Grant {
  accountId: number;
  profileId: number | null;
  role: Role;
}

export interface HandAuth {
  /** The user id of a valid bearer token whose user exists, else null. */
  verifyBearer(authorization: string | undefined): number | null;
  grantsOf(userId: number): Grant[];
}

export function handAuth(db: Database.Database, env: NodeJS.ProcessEnv = process.env): HandAuth {
  const secret = env.JWT_SECRET;
  if (!secret) throw new Error('JWT_SECRET is required');
  const issuer = env.JWT_ISSUER ?? 'billing-gateway-dev';
  const audience = env.JWT_AUDIENCE ?? 'billing-gateway';
  const key = Buffer.from(secret, 'utf8');
  const user = db.prepare('SELECT id FROM users WHERE id = ?');
  const roles = db.prepare(
    'SELECT billing_account_id AS accountId, billing_profile_id AS profileId, role FROM billing_role_assignments WHERE user_id = ?',
  );
  return {
    verifyBearer(authorization) {
      const match = authorization && /^Bearer\s+([\w-]+)\.([\w-]+)\.([\w-]+)$/i.exec(authorization.trim());
      if (!match) return null;
      const [, header, payload, signature] = match as unknown as [string, string, string, string];
      const expected = createHmac('sha256', key).update(`${header}.${payload}`).digest();
      const given = Buffer.from(signature, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      const head = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: string };
      if (head.alg !== 'HS256') return null;
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
        sub?: string;
        iss?: string;
        aud?: string | string[];
        exp?: number;
      };
      const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (claims.iss !== issuer || !audiences.includes(audience)) return null;
      if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) return null;
      if (!/^\d{1,15}$/.test(claims.sub ?? '')) return null;
      const userId = Number(claims.sub);
      return user.get(userId) ? userId : null;
    },
    grantsOf: (userId) => roles.all(userId) as Grant[],
  };
}

// Every role may read; only owners pay (account owner, or profile owner within the profile).
export const canRead = (grants: Grant[], accountId: number, profileId: number) =>
  grants.some((g) => g.accountId === accountId && (g.profileId === null || g.profileId === profileId));
export const canPay = (grants: Grant[], accountId: number, profileId: number) =>
  grants.some(
    (g) => g.accountId === accountId && (g.profileId === null || g.profileId === profileId) && g.role === 'OWNER',
  );

/**
 * What a principal may see of one account's invoices: null when nothing (an account without a grant
 * behaves like one that does not exist), else the whole account or a list of its profiles.
 */
export function invoiceScope(
  grants: Grant[],
  accountId: number | null,
): { wholeAccount: true } | { wholeAccount: false; profileIds: number[] } | null {
  const mine = grants.filter((g) => g.accountId === accountId);
  if (accountId === null || mine.length === 0) return null;
  return mine.some((g) => g.profileId === null)
    ? { wholeAccount: true }
    : { wholeAccount: false, profileIds: mine.map((g) => g.profileId!) };
}

/** An invoice of a list page, as the page's SQL selects it (minor units, lifecycle not yet a status). */
export interface InvoiceListRow {
  id: number;
  number: string;
  lifecycle: string;
  dueDate: string;
  amountDue: number;
  currency: string;
}

export const globalId = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64');
export function fromGlobalId(value: string, type: string): number | null {
  const decoded = Buffer.from(decodeURIComponent(value), 'base64').toString('utf8');
  const match = /^([A-Za-z]+):([1-9]\d{0,15})$/.exec(decoded);
  return match && match[1] === type ? Number(match[2]) : null;
}
const ZERO_DECIMALS = new Set(['JPY', 'KRW', 'CLP', 'VND']);
const THREE_DECIMALS = new Set(['BHD', 'KWD', 'JOD', 'OMR', 'TND']);
export function amount(minor: number, currency: string): string {
  const digits = ZERO_DECIMALS.has(currency) ? 0 : THREE_DECIMALS.has(currency) ? 3 : 2;
  const abs = String(Math.abs(minor)).padStart(digits + 1, '0');
  const sign = minor < 0 ? '-' : '';
  return digits === 0 ? `${sign}${abs}` : `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
}
export function invoiceStatus(lifecycle: string, dueDate: string, today: string): string {
  if (lifecycle === 'PAID' || lifecycle === 'VOID') return lifecycle;
  return dueDate < today ? 'PAST_DUE' : 'DUE';
}
export const todayUtc = () => new Date().toISOString().slice(0, 10);
