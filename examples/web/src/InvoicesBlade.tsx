// The portal's invoices blade: account and profile pickers, status filter, one page of invoices,
// "Pay now" on exactly the invoices whose `payNow` is offered (the card rules' reason instead, e.g. above
// the card ceiling), and live updates from `billingEvents`.
// Every row renders from urql's normalized cache (see cache.ts): a payment's answer or an event that
// carries an invoice updates its row, with no reload.
import { useEffect, useRef, useState } from 'react';
import { useQuery, useSubscription } from 'urql';
import {
  AccountInvoicesDocument,
  BillingEventsDocument,
  ProfileInvoicesDocument,
  type BillingEventsSubscription,
  type InvoiceStatus,
  type InvoiceSummaryFragment,
} from '@billing/sdk';
import { AGREEMENT_LABEL, CARD_RULE_REASONS, formatDate, formatMoney, ROLE_LABEL, STATUS_LABEL } from './format';
import { PayPanel } from './PayPanel';
import type { Viewer } from './session';

const PAGE_SIZE = 10;
const STATUSES: InvoiceStatus[] = ['DUE', 'PAST_DUE', 'PAID', 'VOID'];
/** After a dropped event stream: wait this long, then reopen it and refetch what it may have missed. */
const RECONNECT_DELAY_MS = 2_000;

type BillingEvent = BillingEventsSubscription['billingEvents'];

export function InvoicesBlade({ viewer, onOpenInvoice }: { viewer: Viewer; onOpenInvoice: (id: string) => void }) {
  const [accountId, setAccountId] = useState(viewer.billingAccounts[0]?.id ?? '');
  const [profileId, setProfileId] = useState('');
  const [status, setStatus] = useState<InvoiceStatus | ''>('');
  // The API pages forward (first/after); "Previous" goes back through the cursors already visited.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [paying, setPaying] = useState<InvoiceSummaryFragment | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const headingRef = useRef<HTMLHeadingElement>(null);

  const account = viewer.billingAccounts.find((a) => a.id === accountId);
  const profile = account?.billingProfiles.find((p) => p.id === profileId);
  // Paying is the billing account admin's (or a profile owner's, on that profile): say so up front.
  const canPayHere = profile
    ? profile.viewerPermissions.canPayInvoices
    : !!account &&
      (account.viewerPermissions.canPayInvoices ||
        account.billingProfiles.some((p) => p.viewerPermissions.canPayInvoices));
  const role = profile?.viewerRole ?? account?.viewerRole ?? null;
  const pageVariables = {
    first: PAGE_SIZE,
    after: cursors[cursors.length - 1] ?? null,
    filter: status ? { statuses: [status] } : {},
  };

  // One of the two lists runs: the account's (all its profiles) or one profile's.
  const [accountInvoices, refetchAccountInvoices] = useQuery({
    query: AccountInvoicesDocument,
    variables: { accountId, ...pageVariables },
    pause: !accountId || !!profileId,
  });
  const [profileInvoices, refetchProfileInvoices] = useQuery({
    query: ProfileInvoicesDocument,
    variables: { profileId, ...pageVariables },
    pause: !profileId,
  });
  const invoices = profileId ? profileInvoices : accountInvoices;
  const page = profileId
    ? profileInvoices.data?.billingProfile?.invoices
    : accountInvoices.data?.billingAccount?.invoices;
  const loading = invoices.fetching;

  // Live updates: invoice changes made anywhere (another tab, another user, a partner's API key) reach this
  // page over server-sent events; the cache puts each event's invoice in its row.
  const [events, reopenEvents] = useSubscription({
    query: BillingEventsDocument,
    variables: { accountId },
    pause: !accountId,
  });
  const latestEvent = events.data?.billingEvents ?? null;
  const [announcedEvent, setAnnouncedEvent] = useState<BillingEvent | null>(null);
  if (latestEvent !== announcedEvent) {
    setAnnouncedEvent(latestEvent);
    if (latestEvent?.type === 'INVOICE_UPDATED' && latestEvent.invoice.status === 'PAID')
      setAnnouncement(`Invoice ${latestEvent.invoice.number} is now paid.`);
  }

  const streamDropped = !!events.error;
  useEffect(() => {
    if (!streamDropped) return;
    const timer = setTimeout(() => {
      reopenEvents();
      const refetch = profileId ? refetchProfileInvoices : refetchAccountInvoices;
      refetch({ requestPolicy: 'network-only' });
    }, RECONNECT_DELAY_MS);
    return () => clearTimeout(timer);
  }, [streamDropped, reopenEvents, profileId, refetchAccountInvoices, refetchProfileInvoices]);

  const resetPaging = () => setCursors([null]);

  const onPaid = (invoice: InvoiceSummaryFragment) => {
    setAnnouncement(`Invoice ${invoice.number} is now paid.`);
    setPaying(null);
    headingRef.current?.focus();
  };

  const closePanel = () => {
    setPaying(null);
    headingRef.current?.focus();
  };

  if (viewer.billingAccounts.length === 0) {
    return (
      <section className="card">
        <h1>Invoices</h1>
        <p>You have no role on any billing account.</p>
      </section>
    );
  }

  const pageNumber = cursors.length;
  return (
    <div className={paying ? 'blade with-panel' : 'blade'}>
      <section className="card" aria-labelledby="invoices-title">
        <h1 id="invoices-title" tabIndex={-1} ref={headingRef}>
          Invoices
        </h1>

        <div className="scope">
          <div className="field">
            <label htmlFor="account">Billing account</label>
            <select
              id="account"
              value={accountId}
              onChange={(e) => {
                setAccountId(e.target.value);
                setProfileId('');
                resetPaging();
              }}
            >
              {viewer.billingAccounts.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.displayName}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="profile">Billing profile</label>
            <select
              id="profile"
              value={profileId}
              onChange={(e) => {
                setProfileId(e.target.value);
                resetPaging();
              }}
            >
              <option value="">All billing profiles</option>
              {account?.billingProfiles.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.displayName} ({p.currency})
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="status">Status</label>
            <select
              id="status"
              value={status}
              onChange={(e) => {
                setStatus(e.target.value as InvoiceStatus | '');
                resetPaging();
              }}
            >
              <option value="">All statuses</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABEL[s]}
                </option>
              ))}
            </select>
          </div>
        </div>

        {account && (
          <dl className="facts">
            <div>
              <dt>Agreement</dt>
              <dd>{AGREEMENT_LABEL[account.agreementType]}</dd>
            </div>
            <div>
              <dt>Your role</dt>
              <dd>{role ? ROLE_LABEL[role] : 'Roles on some billing profiles'}</dd>
            </div>
          </dl>
        )}

        {account && !canPayHere && (
          <p role="note" className="message info">
            Only the billing account admin can pay invoices. You can see them, but not pay them.
          </p>
        )}

        <p role="status" aria-live="polite" className="announcement">
          {announcement}
        </p>

        {invoices.error && (
          <p role="alert" className="message error">
            Could not load invoices: {invoices.error.message}
          </p>
        )}

        {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable for keyboard users (WCAG 2.1.1) */}
        <section className="table-wrap" aria-label="Invoice list" tabIndex={0}>
          <table className="stack" aria-busy={loading}>
            <caption>
              {page ? `${page.totalCount} invoice${page.totalCount === 1 ? '' : 's'}` : 'Invoices'}
              {loading && <span className="muted"> · loading…</span>}
            </caption>
            <thead>
              <tr>
                <th scope="col">Invoice</th>
                <th scope="col">Billing profile</th>
                <th scope="col">Invoice date</th>
                <th scope="col">Due date</th>
                <th scope="col" className="num">
                  Total
                </th>
                <th scope="col" className="num">
                  Amount due
                </th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {page?.nodes.map((invoice) => (
                <tr key={invoice.id}>
                  <th scope="row" data-label="Invoice">
                    <button
                      type="button"
                      className="link"
                      onClick={() => onOpenInvoice(invoice.id)}
                      aria-label={`Invoice ${invoice.number}: details`}
                    >
                      {invoice.number}
                    </button>
                  </th>
                  <td data-label="Billing profile">{invoice.billingProfile.displayName}</td>
                  <td data-label="Invoice date">{formatDate(invoice.invoiceDate)}</td>
                  <td data-label="Due date">{formatDate(invoice.dueDate)}</td>
                  <td data-label="Total" className="num">
                    {formatMoney(invoice.total)}
                  </td>
                  <td data-label="Amount due" className="num">
                    {formatMoney(invoice.amountDue)}
                  </td>
                  <td data-label="Status">
                    <StatusBadge invoice={invoice} />
                  </td>
                  <td className="row-actions">
                    {invoice.payNow.offered ? (
                      <button
                        type="button"
                        className="link"
                        onClick={() => setPaying(invoice)}
                        aria-label={`Pay now: invoice ${invoice.number}`}
                      >
                        Pay now
                      </button>
                    ) : (
                      // Only the card rules are said per row: "admin only" is one note above the table.
                      invoice.payNow.reason &&
                      CARD_RULE_REASONS.has(invoice.payNow.reason) && (
                        <span className="muted pay-now-unavailable">{invoice.payNow.message}</span>
                      )
                    )}
                  </td>
                </tr>
              ))}
              {page && page.nodes.length === 0 && (
                <tr>
                  <td colSpan={8} className="muted">
                    No invoices match.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </section>

        <nav className="pager" aria-label="Invoice pages">
          <button
            type="button"
            className="secondary"
            disabled={cursors.length <= 1 || loading}
            onClick={() => setCursors((c) => c.slice(0, -1))}
          >
            Previous
          </button>
          <span>Page {pageNumber}</span>
          <button
            type="button"
            className="secondary"
            disabled={!page?.pageInfo.hasNextPage || loading}
            onClick={() => page?.pageInfo.endCursor && setCursors((c) => [...c, page.pageInfo.endCursor])}
          >
            Next
          </button>
        </nav>
      </section>

      {paying && (
        <PayPanel
          key={paying.id}
          invoice={paying}
          holderName={viewer.user?.displayName ?? ''}
          onPaid={onPaid}
          onPaymentFailed={() => setAnnouncement('')}
          onClose={closePanel}
        />
      )}
    </div>
  );
}

export function StatusBadge({ invoice }: { invoice: InvoiceSummaryFragment }) {
  if (invoice.paymentInProgress) return <span className="badge badge-processing">Payment in progress</span>;
  return (
    <span className={`badge badge-${invoice.status.toLowerCase().replace('_', '-')}`}>
      {STATUS_LABEL[invoice.status]}
    </span>
  );
}
