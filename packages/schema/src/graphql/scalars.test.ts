// The schema's scalars as the schema holds them: Date (graphql-scalars' LocalDate), MinorUnits
// (SafeInt) and the strict DateTime.
import { GraphQLScalarType, Kind } from 'graphql';
import { describe, expect, it } from 'vitest';
import { billingSchema } from './index.js';

function scalar(name: string): GraphQLScalarType {
  const type = billingSchema().getType(name);
  if (!(type instanceof GraphQLScalarType)) throw new Error(`${name} is not a scalar`);
  return type;
}

describe('scalars', () => {
  it('Date takes calendar dates only', () => {
    const date = scalar('Date');
    expect(date.parseValue('2028-02-29')).toBe('2028-02-29');
    for (const bad of ['2026-02-30', '2026-13-01', '31/12/2026', '2026-11-29T00:00:00Z', 20261129])
      expect(() => date.parseValue(bad), String(bad)).toThrow();
    expect(() => date.parseLiteral({ kind: Kind.INT, value: '1' })).toThrow();
  });

  it('MinorUnits takes safe integers beyond 32 bits, and nothing else', () => {
    const minorUnits = scalar('MinorUnits');
    expect(minorUnits.parseValue(2 ** 40)).toBe(2 ** 40);
    expect(minorUnits.serialize(Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
    for (const bad of [1.5, 2 ** 53, '100', null]) expect(() => minorUnits.parseValue(bad), String(bad)).toThrow();
    expect(minorUnits.parseLiteral({ kind: Kind.INT, value: '1099511627776' })).toBe(2 ** 40);
    expect(() => minorUnits.parseLiteral({ kind: Kind.FLOAT, value: '1.5' })).toThrow();
  });

  it('DateTime takes UTC instants only and answers in toISOString form', () => {
    const dateTime = scalar('DateTime');
    expect(dateTime.parseValue('2026-11-29T10:00:00Z')).toBe('2026-11-29T10:00:00.000Z');
    for (const bad of ['2026-11-29T10:00:00+01:00', '2026-11-29', 'yesterday'])
      expect(() => dateTime.parseValue(bad), bad).toThrow();
  });
});
