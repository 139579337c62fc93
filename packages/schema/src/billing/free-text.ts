// One rule for every free-text input a person types and others read (cardholder names, API key
// names, display names): Unicode NFC, trimmed, 1 to `maxLength` characters (code points), and no
// control characters (NUL, BEL, newlines, tabs...), no bidirectional overrides or isolates (which
// make "cod.exe" display as "exe.doc"), no line/paragraph separators and no lone surrogates.
// Anything else is refused with a ValidationError naming the field; nothing is stored.
import { ValidationError } from './errors.js';

// \p{Cc}: C0/C1 controls; U+061C, U+200E/F, U+202A-E, U+2066-9: bidi marks, embeddings, overrides,
// isolates; \p{Zl}\p{Zp}: U+2028/9; \p{Cs}: a lone surrogate half (JSON can carry one).
const FORBIDDEN = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\p{Zl}\p{Zp}\p{Cs}]/u;

export interface FreeTextRule {
  /** Input path for the error, e.g. `input.holderName`. */
  field: string;
  /** How the message names it, e.g. "The cardholder name". */
  label: string;
  maxLength: number;
}

/** The value as it will be stored (NFC, trimmed), or a ValidationError for `rule.field`. */
export function validFreeText(value: string, rule: FreeTextRule): string {
  const refuse = () =>
    new ValidationError(
      rule.field,
      `${rule.label} must be 1 to ${rule.maxLength} characters, without control or text-direction characters.`,
    );
  if (FORBIDDEN.test(value)) throw refuse();
  const text = value.normalize('NFC').trim();
  const length = [...text].length;
  if (length < 1 || length > rule.maxLength) throw refuse();
  return text;
}
