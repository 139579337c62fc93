// "Payment methods": a billing profile's saved cards for everyone who may read them, and for owners and
// contributors (viewerPermissions.canManagePaymentMethods) add, edit (expiry, holder name), make default
// and remove. Refusals (the default card, the only card of an autopay profile, a prepaid card, a past
// expiry, ...) show the gateway's message. The profile's autopay state shows to all of them; only the billing
// account admin (viewerPermissions.canPayInvoices, as setAutopay requires) gets the switch, since autopay
// authorizes charges with nobody present.
// Lists come from the normalized cache: a mutation's updater (cache.ts) drops the profile's card list, and
// the query asks again by itself.
import { type FormEvent, useId, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import {
  AddPaymentMethodDocument,
  BillingClientError,
  PaymentMethodsDocument,
  RemovePaymentMethodDocument,
  SetAutopayDocument,
  SetDefaultPaymentMethodDocument,
  UpdatePaymentMethodDocument,
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
import { cardName, describeCard } from './format';
import type { Viewer } from './session';

export function PaymentMethodsPage({ viewer, holderName }: { viewer: Viewer; holderName: string }) {
  const profiles = viewer.billingAccounts.flatMap((account) =>
    account.billingProfiles
      .filter((p) => p.viewerPermissions.canReadPaymentMethods)
      .map((profile) => ({ account, profile })),
  );
  const [profileId, setProfileId] = useState(profiles[0]?.profile.id ?? '');
  const [announcement, setAnnouncement] = useState('');
  const [result] = useQuery({ query: PaymentMethodsDocument, variables: { profileId }, pause: !profileId });
  const profile = result.data?.billingProfile;
  const cards = profile?.paymentMethods;
  const canManage = profile?.viewerPermissions.canManagePaymentMethods ?? false;

  if (profiles.length === 0) {
    return (
      <section className="card">
        <h1>Payment methods</h1>
        <p>You cannot see the payment methods of any billing profile.</p>
      </section>
    );
  }

  return (
    <section className="card" aria-labelledby="payment-methods-title">
      <h1 id="payment-methods-title">Payment methods</h1>
      <div className="scope">
        <div className="field">
          <label htmlFor="cards-profile">Billing profile</label>
          <select
            id="cards-profile"
            value={profileId}
            onChange={(e) => {
              setProfileId(e.target.value);
              setAnnouncement('');
            }}
          >
            {viewer.billingAccounts.map((account) => (
              <optgroup key={account.id} label={account.displayName}>
                {profiles
                  .filter((p) => p.account.id === account.id)
                  .map(({ profile: p }) => (
                    <option key={p.id} value={p.id}>
                      {p.displayName} ({p.currency})
                    </option>
                  ))}
              </optgroup>
            ))}
          </select>
        </div>
      </div>

      {profile && !canManage && (
        <p role="note" className="message info">
          Only owners and contributors can add, change or remove cards. You can see them, but not change them.
        </p>
      )}
      <p role="status" aria-live="polite" className="announcement">
        {announcement}
      </p>
      {result.error && (
        <p role="alert" className="message error">
          Could not load the cards: {result.error.message}
        </p>
      )}
      {result.fetching && !cards && <p className="muted">Loading cards…</p>}

      {profile && (
        <AutopaySetting
          // A profile's own error state; not the bare id, which the add-card form beside it already uses as its key.
          key={`autopay-${profile.id}`}
          profileId={profile.id}
          autopay={profile.autopay}
          paysByWire={profile.defaultPaymentType === 'WIRE_TRANSFER'}
          canChange={profile.viewerPermissions.canPayInvoices}
          onDone={setAnnouncement}
        />
      )}

      {cards && (
        <ul className="saved-cards" aria-label="Saved cards">
          {cards.length === 0 && <li className="muted">No cards on this profile.</li>}
          {cards.map((card) => (
            <SavedCard key={card.id} card={card} canManage={canManage} onDone={setAnnouncement} />
          ))}
        </ul>
      )}

      {canManage && profile && (
        <AddCardForm key={profile.id} profileId={profile.id} holderName={holderName} onAdded={setAnnouncement} />
      )}
    </section>
  );
}

function AutopaySetting(props: {
  profileId: string;
  autopay: boolean;
  paysByWire: boolean;
  canChange: boolean;
  onDone: (announcement: string) => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const [{ fetching }, setAutopay] = useMutation(SetAutopayDocument);
  const state = `Autopay is ${props.autopay ? 'on' : 'off'}`;

  // The answer carries the profile's id and new `autopay`: the cache stores it, and the checkbox follows.
  const toggle = async (enabled: boolean) => {
    setError(null);
    const r = BillingClientError.dataOf(
      await setAutopay({ input: { billingProfileId: props.profileId, enabled } }),
      'SetAutopay',
    ).setAutopay;
    if (r.__typename === 'SetAutopaySuccess')
      props.onDone(`Autopay turned ${r.billingProfile.autopay ? 'on' : 'off'}.`);
    else setError(r.message);
  };

  return (
    <section className="autopay" aria-labelledby="autopay-title">
      <h2 id="autopay-title">Autopay</h2>
      {props.canChange ? (
        <div className="save-card">
          <input
            type="checkbox"
            id="autopay-enabled"
            checked={props.autopay}
            disabled={fetching}
            onChange={(e) => void toggle(e.target.checked)}
          />
          <label htmlFor="autopay-enabled">Charge each new invoice to the default card automatically</label>
        </div>
      ) : (
        <p>
          {state}. <span className="muted">Only the billing account admin can change it.</span>
        </p>
      )}
      {props.paysByWire && (
        <p className="muted">This profile pays by wire transfer: its invoices are not charged automatically.</p>
      )}
      {error && (
        <p role="alert" className="message error">
          {error}
        </p>
      )}
    </section>
  );
}

function SavedCard(props: {
  card: PaymentMethodFieldsFragment;
  canManage: boolean;
  onDone: (announcement: string) => void;
}) {
  const { card } = props;
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [{ fetching: settingDefault }, setDefault] = useMutation(SetDefaultPaymentMethodDocument);
  const [{ fetching: removing }, remove] = useMutation(RemovePaymentMethodDocument);
  const busy = settingDefault || removing;
  const name = describeCard(card);
  const titleId = useId();

  const makeDefault = async () => {
    setError(null);
    const r = BillingClientError.dataOf(
      await setDefault({ input: { paymentMethodId: card.id } }),
      'SetDefaultPaymentMethod',
    ).setDefaultPaymentMethod;
    if (r.__typename === 'SetDefaultPaymentMethodSuccess') props.onDone(`${name} is now the default.`);
    else setError(r.message);
  };

  const removeCard = async () => {
    setError(null);
    const r = BillingClientError.dataOf(
      await remove({ input: { paymentMethodId: card.id } }),
      'RemovePaymentMethod',
    ).removePaymentMethod;
    // The list drops the card by itself (cache.ts); a refusal says why, e.g. the default card.
    if (r.__typename === 'RemovePaymentMethodSuccess') props.onDone(`${cardName(card)} removed.`);
    else setError(r.message);
  };

  return (
    <li className="saved-card" aria-labelledby={titleId}>
      <div className="saved-card-summary">
        <div>
          <strong id={titleId}>{name}</strong>
          {card.isDefault && <span className="tag">Default</span>}
          {card.isExpired && <span className="tag tag-expired">Expired</span>}
          {card.notForRecurring && <span className="tag tag-not-recurring">Not for recurring charges</span>}
          <div className="muted">{card.holderName}</div>
        </div>
        {props.canManage && !editing && (
          <div className="actions">
            <button type="button" className="secondary" onClick={() => setEditing(true)} disabled={busy}>
              Edit<span className="visually-hidden"> {name}</span>
            </button>
            {!card.isDefault && (
              <button type="button" className="secondary" onClick={() => void makeDefault()} disabled={busy}>
                Make default<span className="visually-hidden"> {name}</span>
              </button>
            )}
            <button type="button" className="secondary" onClick={() => void removeCard()} disabled={busy}>
              Remove<span className="visually-hidden"> {name}</span>
            </button>
          </div>
        )}
      </div>
      {error && (
        <p role="alert" className="message error">
          {error}
        </p>
      )}
      {editing && (
        <EditCardForm
          card={card}
          onCancel={() => setEditing(false)}
          onSaved={(message) => {
            setEditing(false);
            setError(null);
            props.onDone(message);
          }}
        />
      )}
    </li>
  );
}

function EditCardForm(props: {
  card: PaymentMethodFieldsFragment;
  onCancel: () => void;
  onSaved: (announcement: string) => void;
}) {
  const { card } = props;
  const idPrefix = `edit-${useId().replace(/:/g, '')}`;
  const [values, setValues] = useState<NewCard>({
    ...CLEARED_CARD_SECRETS,
    // As the label asks for it, MM/YY.
    expiry: `${String(card.expMonth).padStart(2, '0')}/${String(card.expYear).slice(-2)}`,
    holder: card.holderName,
  });
  const [fieldErrors, setFieldErrors] = useState<CardFieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [{ fetching }, update] = useMutation(UpdatePaymentMethodDocument);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const { errors, values: checked } = checkCard(values, ['expiry', 'holder']);
    setFieldErrors(errors);
    if (!checked) return;
    const input = {
      paymentMethodId: card.id,
      expMonth: checked.expMonth,
      expYear: checked.expYear,
      holderName: checked.holderName,
    };
    const r = BillingClientError.dataOf(await update({ input }), 'UpdatePaymentMethod').updatePaymentMethod;
    if (r.__typename === 'UpdatePaymentMethodSuccess') {
      props.onSaved(`${describeCard(r.paymentMethod)}: saved.`);
      return;
    }
    const onField = r.__typename === 'ValidationError' ? fieldErrorOf(r) : null;
    if (onField) setFieldErrors(onField);
    else setError(r.message);
  };

  return (
    <form className="card-form" onSubmit={(e) => void save(e)} noValidate aria-label={`Edit ${cardName(card)}`}>
      <fieldset disabled={fetching}>
        <CardFields
          idPrefix={idPrefix}
          card={values}
          onChange={setValues}
          errors={fieldErrors}
          fields={['expiry', 'holder']}
        />
      </fieldset>
      {error && (
        <p role="alert" className="message error">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="submit" disabled={fetching}>
          {fetching ? 'Saving…' : 'Save'}
        </button>
        <button type="button" className="secondary" onClick={props.onCancel} disabled={fetching}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function AddCardForm(props: { profileId: string; holderName: string; onAdded: (announcement: string) => void }) {
  const [card, setCard] = useState<NewCard>({ ...CLEARED_CARD_SECRETS, holder: props.holderName });
  const [makeDefault, setMakeDefault] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<CardFieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [{ fetching }, add] = useMutation(AddPaymentMethodDocument);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const { errors, values } = checkCard(card);
    setFieldErrors(errors);
    if (!values) return;
    const input = { billingProfileId: props.profileId, ...values, makeDefault };
    const r = BillingClientError.dataOf(await add({ input }), 'AddPaymentMethod').addPaymentMethod;
    if (r.__typename === 'AddPaymentMethodSuccess') {
      setCard((c) => ({ ...c, ...CLEARED_CARD_SECRETS }));
      setMakeDefault(false);
      props.onAdded(`${describeCard(r.paymentMethod)}: added.`);
      return;
    }
    const onField = r.__typename === 'ValidationError' ? fieldErrorOf(r) : null;
    if (onField) setFieldErrors(onField);
    else setError(r.message);
  };

  return (
    <form className="card-form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="add-card-title">
      <h2 id="add-card-title">Add a card</h2>
      <fieldset disabled={fetching}>
        <CardFields idPrefix="add-card" card={card} onChange={setCard} errors={fieldErrors} />
        <div className="save-card">
          <input
            type="checkbox"
            id="add-card-default"
            checked={makeDefault}
            onChange={(e) => setMakeDefault(e.target.checked)}
          />
          <label htmlFor="add-card-default">Make this the default payment method</label>
        </div>
      </fieldset>
      {error && (
        <p role="alert" className="message error">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="submit" disabled={fetching}>
          {fetching ? 'Adding…' : 'Add card'}
        </button>
      </div>
    </form>
  );
}
