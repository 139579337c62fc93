// OpenTelemetry spans for the database, through the OpenTelemetry API only: the server decides
// whether a tracer provider exists (off by default), and without one every span here is a no-op.
// Two levels: a span per batch read (one DataLoader batch: the resolvers of one field across a
// page of rows, "a resolver group"), and inside it a span per SQL statement. Statements carry
// their parameterized text, never their parameters: those hold tokens, hashes and amounts.
import { SpanKind, SpanStatusCode, context, trace, type Span } from '@opentelemetry/api';
import type Database from 'better-sqlite3';
import type { BillingReads } from './reads.js';

const tracer = () => trace.getTracer('@billing/schema');

function inSpan<T>(
  name: string,
  attributes: Record<string, string | number>,
  kind: SpanKind,
  run: (span: Span) => T,
): T {
  return tracer().startActiveSpan(name, { kind, attributes }, context.active(), (span) => {
    const fail = (error: unknown) => {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      throw error;
    };
    let result: T;
    try {
      result = run(span);
    } catch (error) {
      return fail(error);
    }
    if (result instanceof Promise) {
      return result.then((value) => {
        span.end();
        return value;
      }, fail) as T;
    }
    span.end();
    return result;
  });
}

/** `SELECT`, `INSERT`, ...: the statement's first keyword, which names the span as the conventions ask. */
function operationOf(sql: string): string {
  return /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? 'SQL';
}

const EXECUTING = new Set(['run', 'get', 'all', 'iterate']);

/**
 * The connection, with a span around every statement it runs (drizzle's and the read path's
 * alike, since both prepare through it). Statements toggled with `raw()`/`pluck()` stay traced.
 */
export function traceSqliteStatements(sqlite: Database.Database): void {
  const prepare = sqlite.prepare.bind(sqlite);
  sqlite.prepare = ((source: string) => {
    const statement = prepare(source);
    const attributes = {
      'db.system.name': 'sqlite',
      'db.operation.name': operationOf(source),
      'db.query.text': source,
    };
    const traced: Database.Statement = new Proxy(statement, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        if (EXECUTING.has(String(property))) {
          return (...args: unknown[]) =>
            inSpan(attributes['db.operation.name'], attributes, SpanKind.CLIENT, () => value.apply(target, args));
        }
        return (...args: unknown[]) => {
          const result: unknown = value.apply(target, args);
          return result === target ? traced : result;
        };
      },
    });
    return traced;
  }) as typeof sqlite.prepare;
}

/** The read path with one span per batch (`reads.<method>`, its key count as `billing.batch.size`). */
export function traceReads(reads: BillingReads): BillingReads {
  return new Proxy(reads, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const name = `reads.${String(property)}`;
      return (...args: unknown[]) => {
        const keys: Record<string, number> = Array.isArray(args[0]) ? { 'billing.batch.size': args[0].length } : {};
        return inSpan(name, keys, SpanKind.INTERNAL, () => value.apply(target, args));
      };
    },
  });
}
