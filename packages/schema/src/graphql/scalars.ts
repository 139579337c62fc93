import { GraphQLError, Kind } from 'graphql';
import { isValidIsoDate } from '../billing/clock.js';
import { builder } from './builder.js';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

function parseDate(value: unknown): string {
  if (typeof value !== 'string' || !isValidIsoDate(value)) {
    throw new GraphQLError('Date must be a calendar date in the form YYYY-MM-DD.');
  }
  return value;
}

builder.scalarType('Date', {
  description: 'A calendar date, `YYYY-MM-DD` (ISO 8601). Due dates are in UTC.',
  serialize: (value) => value,
  parseValue: parseDate,
  parseLiteral: (ast) => parseDate(ast.kind === Kind.STRING ? ast.value : null),
});

function parseDateTime(value: unknown): string {
  if (typeof value !== 'string' || !ISO_INSTANT.test(value) || Number.isNaN(Date.parse(value))) {
    throw new GraphQLError('DateTime must be an ISO 8601 instant in UTC, e.g. 2026-11-29T10:00:00.000Z.');
  }
  return new Date(value).toISOString();
}

builder.scalarType('DateTime', {
  description: 'An instant, ISO 8601 in UTC with milliseconds, e.g. `2026-11-29T10:00:00.000Z`.',
  serialize: (value) => value,
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : null),
});

function parseMinorUnits(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new GraphQLError('MinorUnits must be an integer number of minor currency units (e.g. cents).');
  }
  return value;
}

builder.scalarType('MinorUnits', {
  description:
    "An integer amount in the currency's minor unit (cents for USD), up to 2^53 - 1. Unlike Int it is not limited to 32 bits.",
  serialize: (value) => value,
  parseValue: parseMinorUnits,
  parseLiteral: (ast) => parseMinorUnits(ast.kind === Kind.INT ? Number(ast.value) : null),
});
