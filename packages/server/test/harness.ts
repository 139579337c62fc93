// Starts the real gateway (node:http on a random port, :memory: SQLite, sandbox processor) for tests.
import type { DestinationStream } from 'pino';
import { expect } from 'vitest';
import { fixedClock, isErrorCode, type Clock } from '@billing/schema/billing';
import { createTestPostgresDatabase, seedLargeInvoices } from '@billing/schema/db';
import { toGlobalId } from '@billing/schema/graphql';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { loadConfig, type GatewayConfig } from '../src/config.js';
import { startGateway, type RunningGateway } from '../src/gateway.js';

export const TODAY = '2026-11-29';

/**
 * Which database the suites run on: `sqlite` (the default) or `postgresql`, from the vitest project
 * (see vitest.config.ts). On PostgreSQL every gateway gets its own throwaway database.
 */
export const TEST_DIALECT = process.env.BILLING_TEST_DIALECT === 'postgresql' ? 'postgresql' : 'sqlite';
export const DEMO_USERS = {
  ada: 1,
  carlos: 2,
  rita: 3,
  ivan: 4,
  olga: 5,
} as const;
export type DemoUserName = keyof typeof DEMO_USERS;

/** Global IDs of seeded rows by numeric id (the demo seed is deterministic). */
export const invoiceId = (id: number) => toGlobalId('Invoice', id);
export const cardId = (id: number) => toGlobalId('PaymentMethod', id);
export const profileId = (id: number) => toGlobalId('BillingProfile', id);
export const accountId = (id: number) => toGlobalId('BillingAccount', id);

/** Adds `count` generated invoices (numbers L000000001...) to Contoso Marketing (profile 2, USD), for paging tests. */
export function addMarketingInvoices(gw: TestGateway, count: number): Promise<void> {
  return seedLargeInvoices(gw.gateway.resources.store, {
    billingAccountId: 1,
    billingProfileId: 2,
    currency: 'USD',
    invoices: count,
    today: TODAY,
  });
}

/**
 * The error-code contract, checked on every answer the tests read: each top-level error carries an
 * `extensions.code` of the schema's ErrorCode enum (ERROR_CODES). `body` is a parsed response (or a batch).
 */
export function expectCodesInContract(body: unknown, label = ''): void {
  for (const result of Array.isArray(body) ? body : [body]) {
    const errors = (result as { errors?: unknown } | null)?.errors;
    if (!Array.isArray(errors)) continue;
    for (const error of errors as { message?: string; extensions?: { code?: unknown } }[]) {
      const code = error.extensions?.code;
      expect(isErrorCode(code), `${label} error "${error.message}" has code ${String(code)}, not an ErrorCode`).toBe(
        true,
      );
    }
  }
}

export interface GraphQLResponse<TData = Record<string, unknown>> {
  status: number;
  data?: TData | null;
  errors?: { message: string; extensions?: Record<string, unknown>; path?: (string | number)[] }[];
  headers: Headers;
  text: string;
}

export type Caller = DemoUserName | { apiKey: string } | { token: string } | null;

export interface TestGateway {
  gateway: RunningGateway;
  url: string;
  clock: Clock & { set(iso: string): void; advance(ms: number): void };
  /** SQL statements run since the last `resetQueryLog()`. */
  queries: string[];
  resetQueryLog(): void;
  tokens: Record<DemoUserName, string>;
  gql<TData = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    as?: Caller,
  ): Promise<GraphQLResponse<TData>>;
  headersFor(as: Caller): Record<string, string>;
  close(): Promise<void>;
}

export async function startTestGateway(
  options: {
    env?: Record<string, string>;
    overrides?: Partial<GatewayConfig>;
    now?: string;
    /** Where log lines go (tests that read them set LOG_LEVEL too). */
    logDestination?: DestinationStream;
    /** Turns tracing on, every span to this exporter. */
    spanExporter?: SpanExporter;
  } = {},
): Promise<TestGateway> {
  const clock = fixedClock(options.now ?? `${TODAY}T12:00:00.000Z`);
  const database = TEST_DIALECT === 'postgresql' ? await createTestPostgresDatabase() : null;
  const config = loadConfig(
    {
      ...(database ? { DATABASE_URL: database.url } : {}),
      PORT: '0',
      DATABASE_PATH: ':memory:',
      SANDBOX_LEDGER_PATH: ':memory:',
      JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256',
      // Production mode requires one; the tests' own key.
      WEBHOOK_ENCRYPTION_KEY: '7e57'.repeat(16),
      SEED_DEMO_DATA: 'true',
      RECONCILE_INTERVAL_MS: '3600000',
      // A suite pays and adds cards far more often than a person could; the card-testing limits
      // would refuse it. Their own tests turn them on (hardening-rate-limit.test.ts).
      PAY_INVOICE_PER_MINUTE: '0',
      ADD_PAYMENT_METHOD_PER_MINUTE: '0',
      AUTOPAY_INTERVAL_MS: '3600000',
      // Webhook suites run passes themselves (runWebhookDeliveryPass), on the test's clock.
      WEBHOOK_WORKER_INTERVAL_MS: '0',
      // Every query compiled from its first run: the suites take the path production takes for the
      // queries clients repeat (there a document runs on the interpreter only its first two times).
      COMPILE_QUERIES_AFTER: '0',
      // One log line per request is for operators; tests that check logs set their own level.
      LOG_LEVEL: 'silent',
      ...options.env,
    },
    options.overrides,
  );
  const queries: string[] = [];
  const gateway = await startGateway(config, {
    clock,
    onQuery: (sql) => queries.push(sql),
    ...(options.logDestination ? { logDestination: options.logDestination } : {}),
    ...(options.spanExporter ? { spanExporter: options.spanExporter } : {}),
  });
  const tokens = Object.fromEntries(
    await Promise.all(
      Object.entries(DEMO_USERS).map(
        async ([name, id]) => [name, await gateway.authenticator.mintUserToken(id)] as const,
      ),
    ),
  ) as Record<DemoUserName, string>;

  const headersFor = (as: Caller): Record<string, string> => {
    if (as === null) return {};
    if (typeof as === 'string') return { authorization: `Bearer ${tokens[as]}` };
    if ('apiKey' in as) return { 'x-api-key': as.apiKey };
    return { authorization: `Bearer ${as.token}` };
  };

  return {
    gateway,
    url: gateway.graphqlUrl,
    clock,
    queries,
    resetQueryLog: () => {
      queries.length = 0;
    },
    tokens,
    headersFor,
    async gql(query, variables, as = 'ada') {
      const response = await fetch(gateway.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headersFor(as) },
        body: JSON.stringify({ query, variables }),
      });
      const text = await response.text();
      const body = JSON.parse(text) as Omit<GraphQLResponse, 'status' | 'headers' | 'text'>;
      expectCodesInContract(body, query.slice(0, 80));
      return { status: response.status, headers: response.headers, text, ...body } as never;
    },
    close: async () => {
      await gateway.close();
      await database?.drop();
    },
  };
}
