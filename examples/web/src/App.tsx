import { useEffect, useState, type ReactNode } from 'react';
import { Provider, useQuery } from 'urql';
import { BillingClientError, CheckMyAccessDocument, type BillingClient } from '@billing/sdk';
import { InvoiceDetail } from './InvoiceDetail';
import { InvoicesBlade } from './InvoicesBlade';
import { PaymentMethodsPage } from './PaymentMethodsPage';
import { clientFor, tokenStore, type Viewer } from './session';
import { SignIn } from './SignIn';

export function App() {
  // The client of the signed-in token (from this tab's storage on load); its urql client serves every hook below.
  const [client, setClient] = useState<BillingClient | null>(() => {
    const token = tokenStore.get();
    return token ? clientFor(token) : null;
  });

  const signIn = async (token: string) => {
    tokenStore.set(token);
    setClient(clientFor(token));
  };
  const signOut = () => {
    tokenStore.clear();
    setClient(null);
  };

  if (!client) {
    return (
      <Page>
        <SignIn onToken={signIn} error={null} />
      </Page>
    );
  }
  return (
    <Provider value={client.urql}>
      <SignedIn onToken={signIn} onSignOut={signOut} />
    </Provider>
  );
}

/** "Check my access" with the token: the invoices blade if the gateway knows the user, else sign in again. */
function SignedIn({ onToken, onSignOut }: { onToken: (token: string) => Promise<void>; onSignOut: () => void }) {
  const [{ data, error, fetching }] = useQuery({ query: CheckMyAccessDocument });
  const viewer = data?.viewer ?? null;
  const refusal = fetching
    ? null
    : error
      ? BillingClientError.from(error, 'CheckMyAccess').status === 401
        ? 'This token is invalid or expired. Sign in again.'
        : error.message
      : viewer
        ? null
        : 'The gateway did not recognise this token.';

  // A refused token is of no further use: forget it, so that a reload asks for a new one.
  useEffect(() => {
    if (refusal) tokenStore.clear();
  }, [refusal]);

  if (viewer && !refusal) {
    return (
      <Page viewer={viewer} onSignOut={onSignOut}>
        <Portal viewer={viewer} />
      </Page>
    );
  }
  return <Page>{refusal ? <SignIn onToken={onToken} error={refusal} /> : <p role="status">Signing in…</p>}</Page>;
}

type View = { name: 'invoices' | 'payment-methods' } | { name: 'invoice'; invoiceId: string };

/** The two pages, and an invoice's detail over the list (which stays mounted: its filters, page and live updates). */
function Portal({ viewer }: { viewer: Viewer }) {
  const [view, setView] = useState<View>({ name: 'invoices' });
  const holderName = viewer.user?.displayName ?? '';
  const tab = (name: 'invoices' | 'payment-methods', label: string) => {
    const current = view.name === name || (name === 'invoices' && view.name === 'invoice');
    return (
      <button
        type="button"
        className={current ? 'tab current' : 'tab'}
        aria-current={current ? 'page' : undefined}
        onClick={() => setView({ name })}
      >
        {label}
      </button>
    );
  };
  return (
    <>
      <nav className="tabs" aria-label="Billing">
        {tab('invoices', 'Invoices')}
        {tab('payment-methods', 'Payment methods')}
      </nav>
      {view.name === 'invoice' && (
        <InvoiceDetail
          key={view.invoiceId}
          invoiceId={view.invoiceId}
          holderName={holderName}
          onBack={() => setView({ name: 'invoices' })}
        />
      )}
      {view.name !== 'payment-methods' && (
        <div hidden={view.name !== 'invoices'}>
          <InvoicesBlade viewer={viewer} onOpenInvoice={(invoiceId) => setView({ name: 'invoice', invoiceId })} />
        </div>
      )}
      {view.name === 'payment-methods' && <PaymentMethodsPage viewer={viewer} holderName={holderName} />}
    </>
  );
}

function Page({ viewer, onSignOut, children }: { viewer?: Viewer; onSignOut?: () => void; children: ReactNode }) {
  return (
    <>
      <header className="topbar">
        <span className="product">Cost Management + Billing</span>
        {viewer?.user && (
          <span className="who">
            Signed in as <strong>{viewer.user.displayName}</strong> ({viewer.user.email})
            <button type="button" className="secondary" onClick={onSignOut}>
              Sign out
            </button>
          </span>
        )}
      </header>
      <main id="main">{children}</main>
    </>
  );
}
