// GraphQL over HTTP compliance: graphql-http's server audits against the running gateway, in the
// development profile (introspection on: one MUST audit queries `__type`).
//
// The gateway's CSRF protection refuses GET requests that carry none of the CSRF headers, which the
// audits' plain GETs do not send: three MAY audits (GET with URL-encoded parameters) fail for that
// reason alone, and pass once the header is added, as any real client of this gateway adds it.
import { serverAudits, type AuditResult } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_HEADERS } from '../src/plugins/csrf.js';
import { startTestGateway, type TestGateway } from './harness.js';

let gw: TestGateway;
beforeAll(async () => {
  // The audits are ~60 anonymous requests per run, twice: the anonymous rate limit (60/min) is
  // tested in hardening-rate-limit.test.ts, not here.
  gw = await startTestGateway({ env: { LOG_LEVEL: 'silent', ANONYMOUS_RATE_LIMIT_PER_MINUTE: '0' } });
});
afterAll(() => gw.close());

async function audit(fetchFn: typeof fetch = fetch): Promise<AuditResult[]> {
  const results: AuditResult[] = [];
  // One at a time: a failure is easier to read.
  for (const { fn } of serverAudits({ url: () => gw.url, fetchFn })) results.push(await fn());
  return results;
}

/** The audits that query `__type`: production disables introspection, so they fail by design (README). */
const PRODUCTION_FAILURES = [
  'MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting application/graphql-response+json',
  'MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting application/json',
  'MUST allow map {variables} parameter when accepting application/json',
  'SHOULD allow map {variables} parameter when accepting application/graphql-response+json',
].sort();

const failing = (results: AuditResult[]) => results.filter((r) => r.status !== 'ok').map((r) => r.name);

/** What a browser client of this gateway does for GETs: name one of the CSRF headers. */
const withCsrfHeaderOnGet: typeof fetch = (input, init) => {
  const method = (init?.method ?? 'GET').toUpperCase();
  if (method !== 'GET') return fetch(input, init);
  const headers = new Headers(init?.headers);
  headers.set(CSRF_HEADERS[0]!, '1');
  return fetch(input, { ...init, headers });
};

describe('graphql-http server audits', () => {
  it('passes every MUST and SHOULD audit; only the CSRF-blocked GET audits (MAY) fail', async () => {
    const results = await audit();
    expect(results.length).toBeGreaterThanOrEqual(60);
    expect(failing(results).filter((name) => name.startsWith('MUST'))).toEqual([]);
    expect(failing(results).filter((name) => name.startsWith('SHOULD'))).toEqual([]);
    expect(failing(results).sort()).toEqual(
      [
        'MAY accept application/x-www-form-urlencoded formatted GET requests',
        'MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting application/graphql-response+json',
        'MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting application/json',
      ].sort(),
    );
    for (const result of results) {
      if (result.status === 'ok') continue;
      expect(result.response.status).toBe(403);
      expect(await result.response.text()).toContain('CSRF');
    }
  });

  it('passes all audits when GETs carry a CSRF header', async () => {
    const results = await audit(withCsrfHeaderOnGet);
    expect(failing(results)).toEqual([]);
  });
});

describe.each(['development', 'production'])('malformed JSON (%s)', (mode) => {
  let profile: TestGateway;
  beforeAll(async () => {
    profile = await startTestGateway({
      env: { BILLING_MODE: mode, LOG_LEVEL: 'silent', ANONYMOUS_RATE_LIMIT_PER_MINUTE: '0' },
    });
  });
  afterAll(() => profile.close());

  it.each(['application/json', 'application/graphql-response+json', '*/*', null])(
    'is 400 BAD_REQUEST with accept %s',
    async (accept) => {
      const response = await fetch(profile.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(accept ? { accept } : {}) },
        body: '{"query":',
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { errors: { extensions: { code: string } }[]; data?: unknown };
      expect(body.errors[0]?.extensions.code).toBe('BAD_REQUEST');
      expect(body.data).toBeUndefined();
    },
  );

  it('malformed JSON in GET variables is 400 too', async () => {
    const url = `${profile.url}?query=${encodeURIComponent('{ __typename }')}&variables=${encodeURIComponent('{"a":')}`;
    const response = await fetch(url, { headers: { accept: 'application/json', 'x-graphql-csrf': '1' } });
    expect(response.status).toBe(400);
  });
});

describe('graphql-http server audits against the production profile', () => {
  let production: TestGateway;
  beforeAll(async () => {
    production = await startTestGateway({
      env: { BILLING_MODE: 'production', LOG_LEVEL: 'silent', ANONYMOUS_RATE_LIMIT_PER_MINUTE: '0' },
    });
  });
  afterAll(() => production.close());

  it('fails only the audits that need introspection, which production turns off', async () => {
    const results: AuditResult[] = [];
    for (const { fn } of serverAudits({ url: () => production.url, fetchFn: withCsrfHeaderOnGet }))
      results.push(await fn());
    const failed = results.filter((r) => r.status !== 'ok');
    expect(failed.map((r) => r.name).sort()).toEqual(PRODUCTION_FAILURES);
    for (const result of failed) expect(await result.response.text()).toMatch(/introspection/i);
  });
});
