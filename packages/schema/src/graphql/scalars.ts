// The schema's scalars. Date and MinorUnits are graphql-scalars' LocalDate and SafeInt under the
// names partners already use (renaming them would break every operation that declares a variable
// of either type); DateTime stays hand-written on purpose, see below.
import { GraphQLError, Kind } from 'graphql';
import { GraphQLLocalDate, GraphQLSafeInt } from 'graphql-scalars';
import { builder } from './builder.js';

/** LocalDate's own refusal names neither the format nor the type partners see ("Date"). */
function asDate<T>(parse: () => T): T {
  try {
    return parse();
  } catch {
    throw new GraphQLError('Date must be a calendar date in the form YYYY-MM-DD.');
  }
}

// Every date in every row of a list is serialized, and LocalDate validates each one anew; a page
// holds few distinct dates. Those that passed are remembered (a bounded set), so the answer is
// LocalDate's own for every value, at a lookup's cost for the repeats.
const servedDates = new Set<unknown>();
const MAX_SERVED_DATES = 50_000;

function serializeDate(value: unknown): string {
  if (servedDates.has(value)) return value as string;
  const serialized = GraphQLLocalDate.serialize(value);
  if (serialized === value) {
    if (servedDates.size >= MAX_SERVED_DATES) servedDates.clear();
    servedDates.add(value);
  }
  return serialized;
}

builder.addScalarType('Date', GraphQLLocalDate, {
  description: 'A calendar date, `YYYY-MM-DD` (ISO 8601). Due dates are in UTC.',
  serialize: serializeDate,
  parseValue: (value) => asDate(() => GraphQLLocalDate.parseValue(value)),
  parseLiteral: (ast) => asDate(() => GraphQLLocalDate.parseLiteral(ast)),
});

builder.addScalarType('MinorUnits', GraphQLSafeInt, {
  description:
    "An integer amount in the currency's minor unit (cents for USD), up to 2^53 - 1. Unlike Int it is not limited to 32 bits.",
});

// Strict on purpose: graphql-scalars' DateTime accepts any UTC offset and parses into a JS Date,
// while the domain keeps instants as `toISOString()` text (stored, compared and put in cursors as
// strings). Accepting only UTC `Z` instants, and answering in exactly that form, keeps one spelling
// of every instant from the database to the client.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

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
