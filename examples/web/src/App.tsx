import { useCallback, useEffect, useState } from 'react';
import { BillingClientError, type BillingClient } from '@billing/sdk';
import { InvoicesBlade } from './InvoicesBlade';
import { clientFor, tokenStore, type Viewer } from './session';
import { SignIn } from './SignIn';

type Session = { client: BillingClient; viewer: Viewer };

export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [restoring, setRestoring] = useState(() => tokenStore.get() !== null);
  const [error, setError] = useState<string | null>(null);

  /** Checks a token with "check my access" and keeps it if the gateway knows the user. */
  const signIn = useCallback(async (token: string) => {
    setError(null);
    const client = clientFor(token);
    try {
      const viewer = await client.checkMyAccess();
      if (!viewer) throw new Error('The gateway did not recognise this token.');
      tokenStore.set(token);
      setSession({ client, viewer });
    } catch (e) {
      tokenStore.clear();
      setSession(null);
      setError(
        e instanceof BillingClientError && e.status === 401
          ? 'This token is invalid or expired. Sign in again.'
          : (e as Error).message,
      );
    }
  }, []);

  useEffect(() => {
    const token = tokenStore.get();
    if (token) void signIn(token).finally(() => setRestoring(false));
  }, [signIn]);

  const signOut = () => {
    tokenStore.clear();
    setSession(null);
  };

  return (
    <>
      <header className="topbar">
        <span className="product">Cost Management + Billing</span>
        {session?.viewer.user && (
          <span className="who">
            Signed in as <strong>{session.viewer.user.displayName}</strong> ({session.viewer.user.email})
            <button type="button" className="secondary" onClick={signOut}>
              Sign out
            </button>
          </span>
        )}
      </header>
      <main id="main">
        {session ? (
          <InvoicesBlade client={session.client} viewer={session.viewer} />
        ) : restoring ? (
          <p role="status">Signing in…</p>
        ) : (
          <SignIn onToken={signIn} error={error} />
        )}
      </main>
    </>
  );
}
