import type { Principal } from '@billing/schema/billing';
import { describe, expect, it } from 'vitest';
import { pluginYoga, postTo } from '../../test/plugin-yoga.js';
import { AuthenticationError, type Authenticator } from '../auth.js';
import { useRateLimit } from './rate-limit.js';

/** Bearer tokens "user-<id>" are that user, "bad" is a failed sign-in, none is anonymous. */
const authenticator: Authenticator = {
  async authenticate(headers): Promise<Principal | null> {
    const token = headers.get('authorization')?.replace(/^Bearer /, '');
    if (!token) return null;
    if (token === 'bad') throw new AuthenticationError('invalid token');
    return { kind: 'user', userId: Number(token.replace('user-', '')) };
  },
  async authenticateWithExpiry(headers) {
    const principal = await this.authenticate(headers);
    return principal ? { principal, expiresAt: null } : null;
  },
  mintUserToken: async () => 'unused',
};

function limited() {
  let now = 0;
  const yoga = pluginYoga([
    useRateLimit({
      limits: { rateLimitPerMinute: 3, anonymousRateLimitPerMinute: 2 },
      authenticator,
      now: () => now,
    }),
  ]);
  const call = (token?: string) =>
    postTo(yoga, { query: '{ hello }' }, token ? { authorization: `Bearer ${token}` } : {});
  return { call, advance: (ms: number) => (now += ms) };
}

describe('useRateLimit', () => {
  it('allows a principal its rate, then answers 429 RATE_LIMITED with Retry-After', async () => {
    const { call, advance } = limited();
    for (let i = 0; i < 3; i++) expect((await call('user-1')).status).toBe(200);
    const refused = await call('user-1');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('20');
    expect(refused.json.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 20 });
    // Another principal has its own bucket; time refills this one.
    expect((await call('user-2')).status).toBe(200);
    advance(20_000);
    expect((await call('user-1')).status).toBe(200);
  });

  it('counts anonymous calls and failed sign-ins against the client address, at the anonymous rate', async () => {
    const { call } = limited();
    expect((await call()).status).toBe(200);
    // The plugin lets the failed sign-in through to the context, which answers 401 itself.
    expect((await call('bad')).status).not.toBe(429);
    expect((await call()).status).toBe(429);
    expect((await call('bad')).status).toBe(429);
    expect((await call('user-1')).status).toBe(200);
  });
});
