import { useEffect, useState, type FormEvent } from 'react';
import { fetchDemoToken, fetchDemoUsers, GATEWAY_URL, type DemoUser } from './session';

const HINTS: Record<string, string> = {
  'ada@contoso.example': 'Contoso owner: can pay invoices',
  'carlos@contoso.example': 'Contoso contributor: manages cards, cannot pay',
  'rita@contoso.example': 'Contoso reader: sees invoices, cannot pay',
  'ivan@contoso.example': 'Invoice manager of Contoso Engineering only',
  'olga@fabrikam.example': 'Fabrikam owner: the other tenant',
};

export function SignIn({ onToken, error }: { onToken: (token: string) => Promise<void>; error: string | null }) {
  const [demo, setDemo] = useState<{ users: DemoUser[] } | { unavailable: string } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [pasted, setPasted] = useState('');

  useEffect(() => {
    void fetchDemoUsers().then(setDemo);
  }, []);

  const signInAs = async (user: DemoUser) => {
    setBusy(user.email);
    setFailure(null);
    try {
      await onToken(await fetchDemoToken(user.email));
    } catch (e) {
      setFailure((e as Error).message);
    } finally {
      setBusy(null);
    }
  };

  const submitToken = async (event: FormEvent) => {
    event.preventDefault();
    if (!pasted.trim()) return;
    setBusy('token');
    await onToken(pasted.trim().replace(/^Bearer\s+/i, ''));
    setBusy(null);
  };

  const message = failure ?? error;
  return (
    <section className="card sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in</h1>
      <p className="muted">
        Gateway: <code>{GATEWAY_URL}</code>
      </p>
      {message && (
        <p role="alert" className="message error">
          {message}
        </p>
      )}
      {demo === null && <p role="status">Looking for demo users…</p>}
      {demo && 'users' in demo && (
        <>
          <h2>Choose a demo user</h2>
          <ul className="user-list">
            {demo.users.map((user) => (
              <li key={user.email}>
                <button
                  type="button"
                  onClick={() => void signInAs(user)}
                  disabled={busy !== null}
                  aria-describedby={`hint-${user.email}`}
                >
                  {user.displayName}
                </button>
                <span id={`hint-${user.email}`} className="muted">
                  {user.email}
                  {HINTS[user.email] ? ` · ${HINTS[user.email]}` : ''}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
      {demo && 'unavailable' in demo && (
        <p className="muted">
          No demo sign-in here ({demo.unavailable}). Paste a bearer token instead:{' '}
          <code>npx -y pnpm@10.34.9 run token ada@contoso.example</code>.
        </p>
      )}
      <details open={demo !== null && 'unavailable' in demo}>
        <summary>Use a bearer token</summary>
        <form onSubmit={(e) => void submitToken(e)} className="token-form">
          <label htmlFor="token">Bearer token</label>
          <input
            id="token"
            name="token"
            autoComplete="off"
            spellCheck={false}
            value={pasted}
            onChange={(e) => setPasted(e.target.value)}
          />
          <button type="submit" disabled={busy !== null || !pasted.trim()}>
            Sign in
          </button>
        </form>
      </details>
    </section>
  );
}
