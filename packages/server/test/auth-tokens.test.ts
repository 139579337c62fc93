// Bearer tokens over real HTTP: `exp` and a string `sub` are required, and a lifetime longer than the
// configured cap (default 12 h) is refused, however the token was signed.
import { SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './harness.js';

const SECRET = 'test-secret-that-is-long-enough-for-hs256'; // the harness's JWT_SECRET
const HOUR = 3600;

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ env: { ANONYMOUS_RATE_LIMIT_PER_MINUTE: '0' } });
});
afterAll(() => gw?.close());

const now = () => Math.floor(Date.now() / 1000);

/** A token signed with the gateway's own secret, issuer and audience: only the claims under test vary. */
function sign(claims: JWTPayload): Promise<string> {
  return new SignJWT({ iss: 'billing-gateway-dev', aud: 'billing-gateway', ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(SECRET));
}

async function whoAmI(token: string) {
  return gw.gql('{ viewer { kind user { email } } }', {}, { token });
}

describe('bearer tokens', () => {
  it('a well-formed token (string sub, exp one hour after iat) is served', async () => {
    const r = await whoAmI(await sign({ sub: '1', iat: now(), exp: now() + HOUR }));
    expect(r.status).toBe(200);
    expect(r.data).toEqual({ viewer: { kind: 'USER', user: { email: 'ada@contoso.example' } } });
  });

  it.each([
    ['no exp', { sub: '1', iat: now() }],
    ['no sub', { iat: now(), exp: now() + HOUR }],
    ['a numeric sub', { sub: 1, iat: now(), exp: now() + HOUR }],
    ['exp 100 years ahead', { sub: '1', iat: now(), exp: now() + 100 * 365 * 24 * HOUR }],
    ['a 13 h lifetime', { sub: '1', iat: now(), exp: now() + 13 * HOUR }],
    ['no iat and exp 13 h ahead', { sub: '1', exp: now() + 13 * HOUR }],
    [
      'iat in the future hiding a long exp',
      { sub: '1', iat: now() + 30 * 24 * HOUR, exp: now() + 30 * 24 * HOUR + 60 },
    ],
  ] as const)('%s: 401 UNAUTHENTICATED', async (_name, claims) => {
    const r = await whoAmI(await sign(claims as JWTPayload));
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe('Bearer');
    expect(r.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(r.data ?? null).toBeNull();
  });

  // The gateway remembers which exact tokens passed the signature check (auth.ts), never the
  // time-bound claims: each request checks them again.
  it('a token served once is refused on its first request after it expired', async () => {
    const token = await sign({ sub: '1', iat: now(), exp: now() + 1 });
    expect((await whoAmI(token)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, (now() + 2) * 1000 - Date.now()));
    const r = await whoAmI(token);
    expect(r.status).toBe(401);
    expect(r.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('a token whose signature was changed is refused, though the genuine one was served', async () => {
    const token = await sign({ sub: '1', iat: now(), exp: now() + HOUR });
    expect((await whoAmI(token)).status).toBe(200);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BA' : 'AA'}`;
    expect((await whoAmI(`${header}.${payload}.${flipped}`)).status).toBe(401);
    const otherUser = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: '2' }),
    ).toString('base64url');
    expect((await whoAmI(`${header}.${otherUser}.${signature}`)).status).toBe(401);
  });

  it('the cap is configurable, and locally minted tokens cannot exceed it', async () => {
    const short = await startTestGateway({ env: { JWT_MAX_LIFETIME_SECONDS: '600' } });
    try {
      const token = await short.gateway.authenticator.mintUserToken(1);
      const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as JWTPayload;
      expect(claims.exp! - claims.iat!).toBe(600);
      expect((await short.gql('{ viewer { kind } }', {}, { token })).status).toBe(200);
      const tooLong = await sign({ sub: '1', iat: now(), exp: now() + 601 });
      expect((await short.gql('{ viewer { kind } }', {}, { token: tooLong })).status).toBe(401);
      await expect(short.gateway.authenticator.mintUserToken(1, 601)).rejects.toThrow(/at most 600 s/);
    } finally {
      await short.close();
    }
  });

  it('by default locally minted tokens live 12 hours', async () => {
    const claims = JSON.parse(Buffer.from(gw.tokens.ada.split('.')[1]!, 'base64url').toString()) as JWTPayload;
    expect(claims.exp! - claims.iat!).toBe(12 * HOUR);
    expect(typeof claims.sub).toBe('string');
  });
});
