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

  it('states the policy and what is left on every response, the 429 included (RateLimit header fields)', async () => {
    const { call, advance } = limited();
    const fields = async (token?: string) => {
      const r = await call(token);
      return [r.status, r.headers.get('ratelimit-policy'), r.headers.get('ratelimit')];
    };
    // 3 per minute: one token back every 20 s; the bucket is full again 20 s per token used.
    expect(await fields('user-1')).toEqual([200, '"principal";q=3;w=60', '"principal";r=2;t=20']);
    expect(await fields('user-1')).toEqual([200, '"principal";q=3;w=60', '"principal";r=1;t=40']);
    expect(await fields('user-1')).toEqual([200, '"principal";q=3;w=60', '"principal";r=0;t=60']);
    expect(await fields('user-1')).toEqual([429, '"principal";q=3;w=60', '"principal";r=0;t=60']);
    advance(30_000);
    expect(await fields('user-1')).toEqual([200, '"principal";q=3;w=60', '"principal";r=0;t=50']);
    // Anonymous callers and failed sign-ins: the address's policy, at its own rate.
    expect(await fields()).toEqual([200, '"address";q=2;w=60', '"address";r=1;t=30']);
    expect((await call('bad')).headers.get('ratelimit')).toBe('"address";r=0;t=60');
  });

  it('sends no RateLimit fields when the limit is off', async () => {
    const yoga = pluginYoga([
      useRateLimit({ limits: { rateLimitPerMinute: 0, anonymousRateLimitPerMinute: 0 }, authenticator }),
    ]);
    const r = await postTo(yoga, { query: '{ hello }' });
    expect(r.status).toBe(200);
    expect([r.headers.get('ratelimit-policy'), r.headers.get('ratelimit')]).toEqual([null, null]);
  });
});
