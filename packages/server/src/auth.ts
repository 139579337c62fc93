// Who is calling: a user with a bearer JWT, a partner with an API key, or nobody.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Principal } from '@billing/schema/billing';
import { authenticateApiKey, principalId, type BillingServices } from '@billing/schema/billing';
import type { GatewayConfig } from './config.js';
import { requestInfo } from './request-info.js';

export const API_KEY_HEADER = 'x-api-key';

/** Credentials were presented but are not valid: the request is refused rather than run anonymously. */
export class AuthenticationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthenticationError';
  }
}

/** The embedded default's HS256 secret: from JWT_SECRET, else generated once and kept beside the database. */
export function loadOrCreateDevSecret(config: GatewayConfig): Uint8Array {
  if (config.auth.hs256Secret) return new TextEncoder().encode(config.auth.hs256Secret);
  const file = config.auth.secretFile;
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return new TextEncoder().encode(readFileSync(file, 'utf8').trim());
}

/** Who the credentials name, and until when they hold (epoch ms; null for API keys, valid until revoked). */
export interface Authenticated {
  principal: Principal;
  expiresAt: number | null;
}

export interface Authenticator {
  authenticate(headers: Headers): Promise<Principal | null>;
  /** The same check, with the credentials' expiry (a stream ends when its token does). */
  authenticateWithExpiry(headers: Headers): Promise<Authenticated | null>;
  /** Mints a user token (embedded default only). */
  mintUserToken(userId: number, ttlSeconds?: number): Promise<string>;
}

export function createAuthenticator(config: GatewayConfig, services: BillingServices): Authenticator {
  const jwks: JWTVerifyGetKey | null = config.auth.jwksUrl ? createRemoteJWKSet(new URL(config.auth.jwksUrl)) : null;
  const secret = jwks ? null : loadOrCreateDevSecret(config);
  const maxLifetime = config.auth.maxTokenLifetimeSeconds;
  // A token without `exp` would be valid forever, and one without `sub` names nobody.
  const verifyOptions = {
    issuer: config.auth.issuer,
    audience: config.auth.audience,
    requiredClaims: ['exp', 'sub'],
  };

  // With the embedded HS256 secret, the outcome of the signature check of one exact token is fixed
  // for the life of the process: it is remembered, so a client sending its token on every request
  // does not pay an HMAC through WebCrypto each time. Only the signature is remembered: the
  // time-bound claims (exp, nbf) are checked again on every request below, and the user is looked
  // up on every request, so an expired token or a deleted user is refused on its next request as
  // before. Not with JWKS, whose keys rotate: there every token is verified in full.
  const verifiedTokens = new Map<string, JWTPayload>();
  const MAX_VERIFIED_TOKENS = 10_000;

  async function verifySignature(token: string): Promise<JWTPayload> {
    if (jwks) {
      return (await jwtVerify(token, jwks, { ...verifyOptions, algorithms: ['RS256', 'ES256', 'PS256'] })).payload;
    }
    const remembered = verifiedTokens.get(token);
    const now = Math.floor(Date.now() / 1000);
    if (remembered) {
      // What jose's claim check does with no clock tolerance: exp must be in the future, nbf not.
      if (
        typeof remembered.exp === 'number' &&
        remembered.exp > now &&
        !(typeof remembered.nbf === 'number' && remembered.nbf > now)
      )
        return remembered;
      verifiedTokens.delete(token);
      throw new AuthenticationError('The bearer token is invalid or expired.');
    }
    const { payload } = await jwtVerify(token, secret!, { ...verifyOptions, algorithms: ['HS256'] });
    if (verifiedTokens.size >= MAX_VERIFIED_TOKENS) verifiedTokens.clear();
    verifiedTokens.set(token, payload);
    return payload;
  }

  async function verify(token: string): Promise<JWTPayload & { exp: number; sub: string }> {
    let payload: JWTPayload;
    try {
      payload = await verifySignature(token);
    } catch {
      throw new AuthenticationError('The bearer token is invalid or expired.');
    }
    // RFC 7519 makes `sub` a string; jose checks its presence, not its type.
    if (typeof payload.sub !== 'string') throw new AuthenticationError('The bearer token\'s "sub" must be a string.');
    // jose has no option capping `exp` itself: a lifetime is measured from `iat`, or from now when
    // `iat` is absent or in the future, so a token cannot be minted to last a century.
    const now = Math.floor(Date.now() / 1000);
    const issuedAt = typeof payload.iat === 'number' ? Math.min(payload.iat, now) : now;
    if (payload.exp! - issuedAt > maxLifetime) {
      throw new AuthenticationError(`The bearer token lives longer than the ${maxLifetime} s this gateway accepts.`);
    }
    return payload as JWTPayload & { exp: number; sub: string };
  }

  async function userFromClaims(payload: JWTPayload & { sub: string }): Promise<Principal> {
    const sub = payload.sub;
    const email = typeof payload.email === 'string' ? payload.email : null;
    const user = /^\d{1,15}$/.test(sub)
      ? (await services.store.reads.usersByIds([Number(sub)]))[0]
      : email
        ? await services.store.db.query.users.findFirst({ where: { email }, columns: { id: true } })
        : undefined;
    if (!user) throw new AuthenticationError('The bearer token names no known user.');
    return { kind: 'user', userId: user.id };
  }

  async function authenticateWithExpiry(headers: Headers): Promise<Authenticated | null> {
    const apiKey = headers.get(API_KEY_HEADER);
    const authorization = headers.get('authorization');
    if (apiKey !== null && authorization !== null) {
      throw new AuthenticationError('Send either an API key or a bearer token, not both.');
    }
    if (apiKey !== null) {
      const principal = await authenticateApiKey(services.store, apiKey.trim(), services.clock);
      if (!principal) throw new AuthenticationError('The API key is invalid or revoked.');
      return { principal, expiresAt: null };
    }
    if (authorization !== null) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
      if (!match) throw new AuthenticationError('Authorization must be "Bearer <token>".');
      const payload = await verify(match[1]!);
      return { principal: await userFromClaims(payload), expiresAt: payload.exp * 1000 };
    }
    return null;
  }

  return {
    authenticateWithExpiry,
    async authenticate(headers) {
      return (await authenticateWithExpiry(headers))?.principal ?? null;
    },
    async mintUserToken(userId, ttlSeconds = maxLifetime) {
      if (ttlSeconds > maxLifetime)
        throw new Error(`a token may live at most ${maxLifetime} s (JWT_MAX_LIFETIME_SECONDS)`);
      if (!secret)
        throw new Error(
          'tokens can only be minted in the embedded (HS256) mode; production tokens come from your identity provider',
        );
      // One instant for both claims: read twice, a second can pass between them and stretch the lifetime.
      const issuedAt = Math.floor(Date.now() / 1000);
      return new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(String(userId))
        .setIssuer(config.auth.issuer)
        .setAudience(config.auth.audience)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + ttlSeconds)
        .sign(secret);
    },
  };
}

const principals = new WeakMap<Request, Promise<Principal | null>>();

/**
 * Authenticates a request once: the rate limiter needs the principal before the document is parsed,
 * the GraphQL context needs it after, and an API key lookup or JWT check should not run twice.
 * Rejects with AuthenticationError for invalid credentials.
 */
export function authenticateRequest(authenticator: Authenticator, request: Request): Promise<Principal | null> {
  let principal = principals.get(request);
  if (!principal) {
    principal = authenticator.authenticateWithExpiry(request.headers).then((found) => {
      const info = requestInfo(request);
      info.principal = found ? principalId(found.principal) : null;
      info.credentialsExpireAt = found?.expiresAt ?? null;
      return found?.principal ?? null;
    });
    principals.set(request, principal);
  }
  return principal;
}
