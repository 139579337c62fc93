// The card form fields, shared by "Add a new card" in the pay panel and on the payment methods page, and by
// "Edit" (expiry and holder only): labels, the checks made before sending, and where each server-side
// ValidationError shows up. The number and CVC stay in component state only, and are cleared after use.
import { parseExpiry } from './format';

export type NewCard = { number: string; expiry: string; cvc: string; holder: string };
export type CardField = keyof NewCard;
export type CardFieldErrors = Partial<Record<CardField, string>>;

/** What to clear once a card was sent: everything but the holder name. */
export const CLEARED_CARD_SECRETS = { number: '', expiry: '', cvc: '' } as const;

/** Where each server-side ValidationError field shows up in the form. */
export const FIELD_OF_INPUT: Record<string, CardField> = {
  'input.cardNumber': 'number',
  'input.expMonth': 'expiry',
  'input.expYear': 'expiry',
  'input.cvc': 'cvc',
  'input.holderName': 'holder',
};

/** The errors to show for a server's ValidationError, or null when its field is not in this form. */
export function fieldErrorOf(error: { field: string; message: string }): CardFieldErrors | null {
  const field = FIELD_OF_INPUT[error.field];
  return field ? { [field]: error.message } : null;
}

const ALL_FIELDS: readonly CardField[] = ['number', 'expiry', 'cvc', 'holder'];

/**
 * The browser's checks of the given fields (the gateway checks again): the errors, or the values as the
 * API takes them.
 */
export function checkCard(card: NewCard, fields: readonly CardField[] = ALL_FIELDS) {
  const errors: CardFieldErrors = {};
  const cardNumber = card.number.replace(/[\s-]/g, '');
  if (fields.includes('number') && !/^\d{12,19}$/.test(cardNumber))
    errors.number = 'Enter the card number (12 to 19 digits).';
  const expiry = parseExpiry(card.expiry);
  if (fields.includes('expiry') && !expiry) errors.expiry = 'Enter the expiry date as MM/YY.';
  const cvc = card.cvc.trim();
  if (fields.includes('cvc') && !/^\d{3,4}$/.test(cvc)) errors.cvc = 'Enter the 3 or 4 digit security code.';
  const holderName = card.holder.trim();
  if (fields.includes('holder') && !holderName) errors.holder = 'Enter the name on the card.';
  if (Object.keys(errors).length > 0 || !expiry) return { errors, values: null };
  return { errors, values: { cardNumber, ...expiry, cvc, holderName } };
}

const LABELS: Record<CardField, string> = {
  number: 'Card number',
  expiry: 'Expiry date (MM/YY)',
  cvc: 'Security code (CVC)',
  holder: 'Cardholder name',
};

const INPUT_PROPS: Record<CardField, Record<string, string>> = {
  number: { inputMode: 'numeric', autoComplete: 'cc-number', placeholder: '4242 4242 4242 4242' },
  expiry: { autoComplete: 'cc-exp', placeholder: 'MM/YY' },
  cvc: { inputMode: 'numeric', autoComplete: 'cc-csc' },
  holder: { autoComplete: 'cc-name' },
};

export function CardFields(props: {
  /** Element ids start with it, so two forms on one page do not share ids. */
  idPrefix: string;
  card: NewCard;
  onChange: (card: NewCard) => void;
  errors: CardFieldErrors;
  fields?: readonly CardField[];
}) {
  const { idPrefix, card, errors } = props;
  const fields = props.fields ?? ALL_FIELDS;
  const field = (name: CardField) => {
    const id = `${idPrefix}-${name}`;
    return (
      <div className="field" key={name}>
        <label htmlFor={id}>{LABELS[name]}</label>
        <input
          {...INPUT_PROPS[name]}
          id={id}
          name={name}
          value={card[name]}
          onChange={(e) => props.onChange({ ...card, [name]: e.target.value })}
          aria-invalid={errors[name] ? true : undefined}
          aria-describedby={errors[name] ? `${id}-error` : undefined}
          required
        />
        {errors[name] && (
          <span id={`${id}-error`} className="field-error">
            {errors[name]}
          </span>
        )}
      </div>
    );
  };
  return (
    <>
      {fields.includes('number') && field('number')}
      <div className="row">
        {fields.includes('expiry') && field('expiry')}
        {fields.includes('cvc') && field('cvc')}
      </div>
      {fields.includes('holder') && field('holder')}
    </>
  );
}
