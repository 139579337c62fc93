// One invoice: its facts and amounts, the documents to download (the invoice PDF; the receipt once paid),
// the line items, and every payment attempt (failed ones included, with the card and the decline reason).
// The amount due is net of the credits applied at period close. "Pay now" (`payNow.offered`) opens the same
// pay panel as the list; when it is not offered the gateway's reason shows instead (above the card ceiling,
// an Enterprise Agreement, ...), and a wire-transfer invoice shows the bank details and the reference to quote. The invoice comes from the normalized cache and is asked
// for again on each visit: document links are short-lived, and payments may have been made elsewhere.
import { useState } from 'react';
import { useQuery } from 'urql';
import { InvoiceDetailDocument, type InvoiceDetailQuery, type InvoiceSummaryFragment } from '@billing/sdk';
import {
  cardName,
  DECLINE_LABEL,
  DOCUMENT_LABEL,
  formatDate,
  formatDateTime,
  formatMoney,
  PAYMENT_STATUS_LABEL,
  payNowNotOfferedMessage,
} from './format';
import { StatusBadge } from './InvoicesBlade';
import { focusOnMount, PayPanel } from './PayPanel';
import { GATEWAY_URL } from './session';

/** Document links are relative to the API's origin, which is not this page's. */
const documentHref = (url: string) => new URL(url, GATEWAY_URL).href;

export function InvoiceDetail(props: { invoiceId: string; holderName: string; onBack: () => void }) {
  const [result] = useQuery({
    query: InvoiceDetailDocument,
    variables: { id: props.invoiceId },
    requestPolicy: 'cache-and-network',
  });
  const [paying, setPaying] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const invoice = result.data?.invoice;

  const back = (
    <button type="button" className="link back" onClick={props.onBack}>
      ← All invoices
    </button>
  );
  if (!invoice) {
    return (
      <section className="card">
        {back}
        {result.error ? (
          <p role="alert" className="message error">
            Could not load the invoice: {result.error.message}
          </p>
        ) : result.fetching ? (
          <p role="status">Loading the invoice…</p>
        ) : (
          <p role="alert" className="message error">
            This invoice does not exist, or you cannot see it.
          </p>
        )}
      </section>
    );
  }

  const hasCredit = invoice.creditApplied.minorUnits > 0;
  const notOffered = payNowNotOfferedMessage(invoice);

  const onPaid = (paid: InvoiceSummaryFragment) => {
    setPaying(false);
    setAnnouncement(`Invoice ${paid.number} is now paid.`);
  };

  return (
    <div className={paying ? 'blade with-panel' : 'blade'}>
      <section className="card invoice-detail" aria-labelledby="invoice-title">
        {back}
        <div className="detail-header">
          <h1 id="invoice-title" tabIndex={-1} ref={focusOnMount}>
            Invoice {invoice.number}
          </h1>
          <StatusBadge invoice={invoice} />
        </div>
        <p role="status" aria-live="polite" className="announcement">
          {announcement}
        </p>

        <dl className="facts">
          <div>
            <dt>Billing profile</dt>
            <dd>{invoice.billingProfile.displayName}</dd>
          </div>
          <div>
            <dt>Billing period</dt>
            <dd>
              {formatDate(invoice.billingPeriod.start)} – {formatDate(invoice.billingPeriod.end)}
            </dd>
          </div>
          <div>
            <dt>Invoice date</dt>
            <dd>{formatDate(invoice.invoiceDate)}</dd>
          </div>
          <div>
            <dt>Due date</dt>
            <dd>{formatDate(invoice.dueDate)}</dd>
          </div>
          {invoice.paidAt && (
            <div>
              <dt>Paid</dt>
              <dd>{formatDateTime(invoice.paidAt)}</dd>
            </div>
          )}
          {invoice.nextAutomaticChargeAt && (
            <div>
              <dt>Next automatic charge</dt>
              <dd>{formatDateTime(invoice.nextAutomaticChargeAt)}</dd>
            </div>
          )}
        </dl>

        <dl className="facts amounts">
          <div>
            <dt>Subtotal</dt>
            <dd>{formatMoney(invoice.subtotal)}</dd>
          </div>
          <div>
            <dt>Tax</dt>
            <dd>{formatMoney(invoice.tax)}</dd>
          </div>
          <div>
            <dt>Total</dt>
            <dd>{formatMoney(invoice.total)}</dd>
          </div>
          {hasCredit && (
            <div>
              <dt>Credits applied</dt>
              <dd>−{formatMoney(invoice.creditApplied)}</dd>
            </div>
          )}
          <div>
            <dt>{hasCredit ? 'Amount due (net of credits)' : 'Amount due'}</dt>
            <dd>
              <strong>{formatMoney(invoice.amountDue)}</strong>
            </dd>
          </div>
        </dl>

        {invoice.payNow.offered && !paying && (
          <p>
            <button type="button" onClick={() => setPaying(true)}>
              Pay now
            </button>
          </p>
        )}
        {notOffered && (
          <p role="note" className="message info pay-now-unavailable">
            {notOffered}
          </p>
        )}
        {/* Once nothing is due there is nothing to transfer; the PDF keeps the bank details. */}
        {invoice.paymentInstructions && invoice.amountDue.minorUnits > 0 && (
          <WireTransferInstructions instructions={invoice.paymentInstructions} />
        )}

        <h2>Documents</h2>
        <ul className="documents">
          {invoice.documents.map((document) => (
            <li key={document.kind}>
              <a href={documentHref(document.url)} target="_blank" rel="noopener">
                {DOCUMENT_LABEL[document.kind]}
              </a>
            </li>
          ))}
        </ul>

        <h2 id="line-items-title">Line items</h2>
        <table className="stack" aria-labelledby="line-items-title">
          <thead>
            <tr>
              <th scope="col">Description</th>
              <th scope="col">Service</th>
              <th scope="col" className="num">
                Quantity
              </th>
              <th scope="col" className="num">
                Unit price
              </th>
              <th scope="col" className="num">
                Amount
              </th>
            </tr>
          </thead>
          <tbody>
            {invoice.lineItems.map((item) => (
              <tr key={item.position}>
                <th scope="row" data-label="Description">
                  {item.description}
                </th>
                <td data-label="Service">{item.serviceName}</td>
                <td data-label="Quantity" className="num">
                  {item.quantity}
                </td>
                <td data-label="Unit price" className="num">
                  {formatMoney(item.unitPrice)}
                </td>
                <td data-label="Amount" className="num">
                  {formatMoney(item.amount)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>

        <h2 id="payments-title">Payments</h2>
        {invoice.payments.length === 0 ? (
          <p className="muted">No payments yet.</p>
        ) : (
          <table className="stack" aria-labelledby="payments-title">
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Card</th>
                <th scope="col" className="num">
                  Amount
                </th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {invoice.payments.map((payment) => (
                <tr key={payment.id}>
                  <th scope="row" data-label="Date">
                    {formatDateTime(payment.createdAt)}
                  </th>
                  <td data-label="Card">{payment.paymentMethod ? cardName(payment.paymentMethod) : '—'}</td>
                  <td data-label="Amount" className="num">
                    {formatMoney(payment.amount)}
                  </td>
                  <td data-label="Result">
                    <span className={`badge badge-payment-${payment.status.toLowerCase()}`}>
                      {PAYMENT_STATUS_LABEL[payment.status]}
                    </span>
                    {payment.failureCode && <span className="muted"> ({DECLINE_LABEL[payment.failureCode]})</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      {paying && (
        <PayPanel
          invoice={invoice}
          holderName={props.holderName}
          onPaid={onPaid}
          onPaymentFailed={() => setAnnouncement('')}
          onClose={() => setPaying(false)}
        />
      )}
    </div>
  );
}

type Instructions = NonNullable<NonNullable<InvoiceDetailQuery['invoice']>['paymentInstructions']>;

/** How to pay by bank transfer; the reference is what matches the transfer to this invoice. */
function WireTransferInstructions({ instructions }: { instructions: Instructions }) {
  return (
    <section className="wire-instructions" aria-labelledby="wire-title">
      <h2 id="wire-title">Pay by wire transfer</h2>
      <p>
        Quote the reference <strong className="reference">“{instructions.reference}”</strong> with your transfer, so
        that it is matched to this invoice.
      </p>
      <dl className="facts">
        <div>
          <dt>Bank</dt>
          <dd>{instructions.bankName}</dd>
        </div>
        <div>
          <dt>Account holder</dt>
          <dd>{instructions.accountHolder}</dd>
        </div>
        <div>
          <dt>Account number</dt>
          <dd className="code">{instructions.accountNumber}</dd>
        </div>
        <div>
          <dt>Bank code (SWIFT/BIC)</dt>
          <dd className="code">{instructions.bankCode}</dd>
        </div>
        <div>
          <dt>Reference</dt>
          <dd className="code">{instructions.reference}</dd>
        </div>
      </dl>
    </section>
  );
}
