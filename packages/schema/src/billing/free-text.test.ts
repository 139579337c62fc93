import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import { validFreeText } from './free-text.js';

const rule = { field: 'input.name', label: 'The name', maxLength: 10 };

describe('validFreeText', () => {
  it('stores NFC, trimmed', () => {
    expect(validFreeText('  Zoe\u0308  ', rule)).toBe('Zoë');
    expect(validFreeText('Zoë', rule)).toBe('Zoë');
    expect(validFreeText('李小龍 👩‍💻', rule)).toBe('李小龍 👩‍💻'); // ZWJ inside an emoji is fine
  });

  it.each([
    ['NUL', 'a\u0000b'],
    ['BEL', 'a\u0007'],
    ['newline', 'a\nb'],
    ['tab', 'a\tb'],
    ['DEL', 'a\u007f'],
    ['C1 control', 'a\u0085b'],
    ['right-to-left override', '\u202Eexe.doc'],
    ['left-to-right isolate', 'a\u2066b'],
    ['right-to-left mark', 'a\u200Fb'],
    ['line separator', 'a\u2028b'],
    ['lone surrogate', 'a\ud800b'],
    ['empty', ''],
    ['only spaces', '   '],
    ['too long', 'abcdefghijk'],
  ])('refuses %s with a ValidationError naming the field', (_name, value) => {
    let error: unknown;
    try {
      validFreeText(value, rule);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('input.name');
  });

  it('counts characters, not UTF-16 units', () => {
    expect(validFreeText('😀'.repeat(10), rule)).toBe('😀'.repeat(10));
  });
});
