// The dev server's token source, without a browser: it mints tokens the gateway accepts only when it
// reads the gateway's own database and secret, and it is off where demo tokens make no sense.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BillingClientError, createBillingClient } from '@billing/sdk';
import { startTestGateway, type TestGateway } from '@billing/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSignInDisabledReason } from '../dev-server/demo-sign-in.ts';
import { listDemoUsers, mintDemoToken } from '../dev-server/gateway-tokens.ts';

let gw: TestGateway;
let tmp: string;
let env: Record<string, string>;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'billing-demo-sign-in-'));
  env = { DATABASE_PATH: join(tmp, 'billing.db'), JWT_SECRET: 'demo-sign-in-test-secret-long-enough-for-hs256' };
  gw = await startTestGateway({ env: { ...env, SANDBOX_LEDGER_PATH: join(tmp, 'ledger.db') } });
});

afterAll(async () => {
  await gw?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('demo sign-in token source', () => {
  it('lists the demo users and mints tokens the gateway accepts', async () => {
    expect((await listDemoUsers(env)).map((u) => u.email)).toEqual([
      'ada@contoso.example',
      'carlos@contoso.example',
      'rita@contoso.example',
      'ivan@contoso.example',
      'olga@fabrikam.example',
      'tom@tailspin.example',
    ]);
    const { token, displayName } = await mintDemoToken(env, 'rita@contoso.example');
    expect(displayName).toBe('Rita Reader');
    const viewer = await createBillingClient({ url: gw.url, token }).checkMyAccess();
    expect(viewer?.user?.email).toBe('rita@contoso.example');
  });

  it("a token signed with another secret than the gateway's is refused", async () => {
    const { token } = await mintDemoToken(
      { ...env, JWT_SECRET: 'some-other-secret-that-is-long-enough-too' },
      'ada@contoso.example',
    );
    const error = await createBillingClient({ url: gw.url, token, retry: { attempts: 1 } })
      .checkMyAccess()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BillingClientError);
    expect((error as BillingClientError).status).toBe(401);
  });

  it('answers 404 for an unknown user and 503 when it cannot reach the gateway data', async () => {
    await expect(mintDemoToken(env, 'nobody@example.com')).rejects.toMatchObject({ status: 404 });
    await expect(listDemoUsers({ ...env, DATABASE_PATH: ':memory:' })).rejects.toMatchObject({
      status: 503,
      message: expect.stringContaining('in-memory'),
    });
    await expect(listDemoUsers({ ...env, DATABASE_PATH: join(tmp, 'missing.db') })).rejects.toMatchObject({
      status: 503,
      message: expect.stringContaining('Start the gateway first'),
    });
  });

  it('is off in production mode and when tokens come from an identity provider', () => {
    expect(demoSignInDisabledReason({})).toBeNull();
    expect(demoSignInDisabledReason({ NODE_ENV: 'production' })).toBeNull(); // what `vite preview` sets by itself
    expect(demoSignInDisabledReason({ BILLING_MODE: 'production' })).toMatch(/production/);
    expect(demoSignInDisabledReason({ JWKS_URL: 'https://login.example.com/keys' })).toMatch(/JWKS_URL/);
  });
});
