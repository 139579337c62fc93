// Raw HTTP for the hardening tests: requests the typed harness would never send (broken JSON, odd
// content types, GETs, batches), and the checks every refusal must pass.
import { Writable } from 'node:stream';
import type { BillingStore } from '@billing/schema/db';
import { expect } from 'vitest';
import { expectCodesInContract } from './harness.js';

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body when it is JSON, else null. */
  body:
    | { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] }
    | unknown[]
    | null;
}

export async function send(url: string, init: RequestInit = {}): Promise<RawResponse> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: RawResponse['body'] = null;
  try {
    body = JSON.parse(text) as RawResponse['body'];
  } catch {
    // Not JSON (an HTML page, an empty 4xx body): `text` has it.
  }
  expectCodesInContract(body, `${init.method ?? 'GET'} ${url}`);
  return { status: response.status, headers: response.headers, text, body };
}

export const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };

/** POST a body as is (a string) or as JSON. */
export function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  return send(url, {
    method: 'POST',
    headers: { ...JSON_HEADERS, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export function errorsOf(response: RawResponse): { message: string; extensions?: Record<string, unknown> }[] {
  const body = response.body;
  return body && !Array.isArray(body) && Array.isArray(body.errors) ? body.errors : [];
}

/** Refused: a 4xx, or GraphQL errors and no data. Never a 5xx, never data. */
export function expectRefused(response: RawResponse, status?: number): void {
  const text = response.text.slice(0, 600);
  expect(response.status, text).toBeLessThan(500);
  if (status !== undefined) expect(response.status, text).toBe(status);
  const body = response.body;
  const data = body && !Array.isArray(body) ? body.data : undefined;
  expect(data ?? null, text).toBeNull();
  if (response.status < 400) expect(errorsOf(response).length, text).toBeGreaterThan(0);
}

/** Nothing an operator should not show a caller: stacks, exception objects, internal messages. */
export function expectNoInternals(response: RawResponse): void {
  expect(response.text).not.toMatch(/\bat .+\.(ts|js|mjs):\d+/); // stack frames
  expect(response.text).not.toMatch(/"(exception|stacktrace|stack|originalError)"/i);
  expect(response.text).not.toMatch(/sqlite|drizzle|node_modules|\/work\//i);
}

/** Every row of every table, for "the database did not change" checks. */
/** Every row of every table, on either dialect: to prove a refused request wrote nothing. */
export async function dumpDatabase(store: BillingStore): Promise<Record<string, unknown[]>> {
  const dump: Record<string, unknown[]> = {};
  for (const name of [...store.tableNames].sort())
    dump[name] = await store.rawQuery(`SELECT * FROM "${name}" ORDER BY 1`);
  return dump;
}

/** `{ __typename }` repeated, aliased or not: the usual amplification probes. */
export const repeated = (count: number, item: (i: number) => string) =>
  Array.from({ length: count }, (_, i) => item(i)).join(' ');

/** Collects the gateway's JSON log lines (pass it as the log destination). */
export class LogCapture extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    for (const line of chunk.toString().split('\n').filter(Boolean))
      this.lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  }
  /** Lines at error level or above (pino: 50 error, 60 fatal). */
  errors(): Record<string, unknown>[] {
    return this.lines.filter((line) => typeof line.level === 'number' && line.level >= 50);
  }
  requests(): Record<string, unknown>[] {
    return this.lines.filter((line) => line.component === 'http');
  }
}
