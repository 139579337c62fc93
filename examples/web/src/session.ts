// The gateway address and the signed-in user's token. The token lives in sessionStorage: it is a
// demo token (12 hours) and goes away with the tab.
import { createBillingClient, type BillingClient, type CheckMyAccessQuery } from '@billing/sdk';
import { billingCache } from './cache';

export const GATEWAY_URL: string = import.meta.env.VITE_GATEWAY_URL || 'http://127.0.0.1:4000/graphql';

export type Viewer = NonNullable<CheckMyAccessQuery['viewer']>;
export type Account = Viewer['billingAccounts'][number];
export type Profile = Account['billingProfiles'][number];

const TOKEN_KEY = 'billing-example.token';

export const tokenStore = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** One client (and one cache) per signed-in token: signing out drops both. */
export function clientFor(token: string): BillingClient {
  return createBillingClient({ url: GATEWAY_URL, token, cache: billingCache() });
}

/** Demo users served by the dev server (see dev-server/demo-sign-in.ts); null when it has none. */
export interface DemoUser {
  email: string;
  displayName: string;
}

export async function fetchDemoUsers(): Promise<{ users: DemoUser[] } | { unavailable: string }> {
  try {
    const response = await fetch('/dev/demo-users', { headers: { accept: 'application/json' } });
    const body = (await response.json().catch(() => null)) as { users?: DemoUser[]; error?: string } | null;
    if (response.ok && body?.users) return { users: body.users };
    return { unavailable: body?.error ?? 'This server does not hand out demo tokens.' };
  } catch {
    return { unavailable: 'This server does not hand out demo tokens.' };
  }
}

export async function fetchDemoToken(email: string): Promise<string> {
  const response = await fetch(`/dev/token?email=${encodeURIComponent(email)}`, {
    headers: { accept: 'application/json' },
  });
  const body = (await response.json().catch(() => null)) as { token?: string; error?: string } | null;
  if (!response.ok || !body?.token) throw new Error(body?.error ?? `Could not get a token (HTTP ${response.status}).`);
  return body.token;
}
