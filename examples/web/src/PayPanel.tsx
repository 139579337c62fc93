// "Select a payment method": an existing card of the invoice's billing profile (the default
// preselected, expired ones disabled) or a new card, then "Pay now".
//
// A new card is saved on the profile only if its payment succeeds, or if the user ticks "Save this card".
// The flow adds the card (the processor tokenizes it: the gateway never holds a card number), pays with
// it, and removes it again when the payment fails. Why this way: a payment attempt, failed ones included,
// is recorded against a payment method, as processors do (a PaymentMethod object is created before the
// charge, and attached to the customer only if asked); removal takes it off the profile, while the failed
// attempt stays in the invoice's history with the card it was tried with. `addPaymentMethod` keeps its
// documented behaviour. When the answer is lost (network), the outcome is unknown and the card stays, so
// "Pay now" again reuses it with the same idempotency key.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useClient, useMutation, useQuery } from 'urql';
import {
  AddPaymentMethodDocument,
  BillingClientError,
  InvoiceDetailDocument,
  PayInvoiceDocument,
  PaymentMethodsDocument,
  RemovePaymentMethodDocument,
  type InvoiceSummaryFragment,
  type PaymentMethodFieldsFragment,
} from '@billing/sdk';
import {
  CardFields,
  type CardFieldErrors,
  checkCard,
  CLEARED_CARD_SECRETS,
  fieldErrorOf,
  type NewCard,
} from './CardFields';
import { describeCard, formatMoney } from './format';

type Choice = { kind: 'existing'; id: string } | { kind: 'new' };

/** The preselected card: the default if usable, else the first usable one, else a new card. */
function preferredChoice(cards: readonly PaymentMethodFieldsFragment[]): Choice {
  const usable = cards.filter((m) => !m.isExpired);
  const preferred = usable.find((m) => m.isDefault) ?? usable[0];
  return preferred ? { kind: 'existing', id: preferred.id } : { kind: 'new' };
}

/** Moves focus to a title when it appears (a stable ref callback runs once, on mount). */
export const focusOnMount = (element: HTMLElement | null) => element?.focus();

export function PayPanel(props: {
  invoice: InvoiceSummaryFragment;
  holderName: string;
  onPaid: (invoice: InvoiceSummaryFragment) => void;
  /** A payment attempt ended without a payment (declined, refused, ...). */
  onPaymentFailed: () => void;
  onClose: () => void;
}) {
  const { invoice, onClose } = props;
  const client = useClient();
  const [cardsResult, refetchCards] = useQuery({
    query: PaymentMethodsDocument,
    variables: { profileId: invoice.billingProfile.id },
    requestPolicy: 'network-only',
  });
  const [, addPaymentMethod] = useMutation(AddPaymentMethodDocument);
  const [, removePaymentMethod] = useMutation(RemovePaymentMethodDocument);
  const [, payInvoice] = useMutation(PayInvoiceDocument);
  const [chosen, setChoice] = useState<Choice | null>(null);
  const [card, setCard] = useState<NewCard>({ ...CLEARED_CARD_SECRETS, holder: props.holderName });
  const [saveCard, setSaveCard] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<CardFieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // One idempotency key per payment intent (this invoice with this card). Clicking "Pay now" again
  // after a lost connection reuses it, so the gateway can never charge twice; any answer ends the intent.
  const intent = useRef<{ paymentMethodId: string; key: string } | null>(null);

  const profile = cardsResult.data?.billingProfile;
  const cards = cardsResult.data ? (profile?.paymentMethods ?? []) : null;
  const cardsError = cardsResult.error
    ? cardsResult.error.message
    : cardsResult.data && !profile?.paymentMethods
      ? "You cannot see this billing profile's payment methods."
      : null;
  const choice = chosen ?? (cards ? preferredChoice(cards) : null);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && !busy && onClose();
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [busy, onClose]);

  /** Adds the new card to the invoice's profile; returns its id, or null with the errors shown. */
  const addCard = async (): Promise<string | null> => {
    const { errors, values } = checkCard(card);
    setFieldErrors(errors);
    if (!values) return null;

    const input = { billingProfileId: invoice.billingProfile.id, ...values };
    const added = BillingClientError.dataOf(await addPaymentMethod({ input }), 'AddPaymentMethod').addPaymentMethod;
    if (added.__typename === 'AddPaymentMethodSuccess') return added.paymentMethod.id;
    const onField = added.__typename === 'ValidationError' ? fieldErrorOf(added) : null;
    if (onField) setFieldErrors(onField);
    else setError(added.message);
    return null;
  };

  /** The new card is saved now: show it in the list, chosen, so that a retry pays with it instead of adding it again. */
  const keepAsSavedCard = (paymentMethodId: string) => {
    setCard((c) => ({ ...c, ...CLEARED_CARD_SECRETS }));
    setChoice({ kind: 'existing', id: paymentMethodId });
    refetchCards({ requestPolicy: 'network-only' });
  };

  const pay = async (event: FormEvent) => {
    event.preventDefault();
    if (!choice || busy) return;
    setBusy(true);
    setError(null);
    // A card added in this attempt, and whether the user asked to keep it whatever the outcome.
    let added: { id: string; save: boolean } | null = null;
    try {
      let paymentMethodId: string;
      if (choice.kind === 'existing') paymentMethodId = choice.id;
      else {
        const id = await addCard();
        if (!id) return;
        added = { id, save: saveCard };
        paymentMethodId = id;
      }
      if (intent.current?.paymentMethodId !== paymentMethodId)
        intent.current = { paymentMethodId, key: crypto.randomUUID() };
      const input = { invoiceId: invoice.id, paymentMethodId, idempotencyKey: intent.current.key };
      const result = BillingClientError.dataOf(await payInvoice({ input }), 'PayInvoice').payInvoice;
      if (result.__typename === 'PayInvoiceSuccess') {
        intent.current = null;
        props.onPaid(result.invoice);
        return;
      }
      props.onPaymentFailed();
      if (result.__typename === 'IdempotencyKeyInUseError') {
        // The first attempt is still running: its outcome decides about the card, so keep both.
        if (added) keepAsSavedCard(added.id);
        setError(result.message);
        return;
      }
      intent.current = null;
      if (added && !added.save) {
        BillingClientError.dataOf(
          await removePaymentMethod({ input: { paymentMethodId: added.id } }),
          'RemovePaymentMethod',
        );
        setCard((c) => ({ ...c, ...CLEARED_CARD_SECRETS }));
      } else if (added) {
        keepAsSavedCard(added.id);
      }
      switch (result.__typename) {
        case 'CardDeclinedError':
          setError(`${result.message} Choose another payment method or add a new card.`);
          return;
        case 'InvoiceNotPayableError':
          setError(result.message);
          // Fetch the invoice as it is now: the cache updates its row.
          await client.query(InvoiceDetailDocument, { id: invoice.id }, { requestPolicy: 'network-only' }).toPromise();
          return;
        default:
          // NotAuthorizedError, PaymentMethodUnusableError (e.g. expired), ValidationError, ...: each
          // carries a message written to be shown.
          setError(result.message);
      }
    } catch (e) {
      // No answer: whether the card was charged is unknown, so a card added just now stays (see the top).
      if (added) keepAsSavedCard(added.id);
      setError(
        e instanceof BillingClientError && e.kind === 'network'
          ? 'The gateway could not be reached. Nothing was charged twice: try "Pay now" again.'
          : (e as Error).message,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <aside className="panel card" role="dialog" aria-modal="false" aria-labelledby="pay-title">
      <div className="panel-header">
        <h2 id="pay-title" tabIndex={-1} ref={focusOnMount}>
          Select a payment method
        </h2>
        <button type="button" className="icon" onClick={props.onClose} disabled={busy} aria-label="Close">
          ×
        </button>
      </div>
      <p>
        Invoice <strong>{invoice.number}</strong> · {invoice.billingProfile.displayName}
        <br />
        Amount due: <strong>{formatMoney(invoice.amountDue)}</strong>
      </p>

      <form onSubmit={(e) => void pay(e)} noValidate>
        <fieldset disabled={busy}>
          <legend>Payment method</legend>
          {cards === null && !cardsError && <p role="status">Loading cards…</p>}
          {cardsError && <p className="message error">{cardsError}</p>}
          <ul className="choices">
            {cards?.map((m) => (
              <li key={m.id}>
                <input
                  type="radio"
                  id={`pm-${m.id}`}
                  name="payment-method"
                  value={m.id}
                  disabled={m.isExpired}
                  checked={choice?.kind === 'existing' && choice.id === m.id}
                  onChange={() => setChoice({ kind: 'existing', id: m.id })}
                  aria-describedby={m.isExpired ? `pm-${m.id}-note` : undefined}
                />
                <label htmlFor={`pm-${m.id}`}>
                  {describeCard(m)}
                  {m.isDefault && <span className="tag">Default</span>}
                </label>
                {m.isExpired && (
                  <span id={`pm-${m.id}-note`} className="tag tag-expired">
                    Expired: cannot be used
                  </span>
                )}
              </li>
            ))}
            {cards !== null && (
              <li>
                <input
                  type="radio"
                  id="pm-new"
                  name="payment-method"
                  value="new"
                  checked={choice?.kind === 'new'}
                  onChange={() => setChoice({ kind: 'new' })}
                />
                <label htmlFor="pm-new">Add a new card</label>
              </li>
            )}
          </ul>

          {choice?.kind === 'new' && (
            <div className="new-card">
              <CardFields idPrefix="card" card={card} onChange={setCard} errors={fieldErrors} />
              <div className="save-card">
                <input
                  type="checkbox"
                  id="card-save"
                  checked={saveCard}
                  onChange={(e) => setSaveCard(e.target.checked)}
                  aria-describedby="card-save-note"
                />
                <label htmlFor="card-save">Save this card for future payments</label>
                <span id="card-save-note" className="muted">
                  Otherwise it is saved only if this payment succeeds.
                </span>
              </div>
            </div>
          )}
        </fieldset>

        {error && (
          <p role="alert" className="message error">
            {error}
          </p>
        )}

        <div className="actions">
          <button type="submit" disabled={busy || !choice}>
            {busy ? 'Paying…' : 'Pay now'}
          </button>
          <button type="button" className="secondary" onClick={props.onClose} disabled={busy}>
            Cancel
          </button>
        </div>
      </form>
    </aside>
  );
}
