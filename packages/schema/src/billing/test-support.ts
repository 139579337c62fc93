// Shared setup for the billing tests: a real SQLite database (seeded with the demo tenants), the
// real sandbox processor and a fixed clock. Not exported from the package.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateDatabase, openDatabase, type DatabaseHandle } from '../db/connection.js';
import { seedDemoData } from '../db/seed.js';
import { type BillingStore, openPostgresStore, openSqliteStore } from '../db/store.js';
import { createTestPostgresDatabase } from '../db/test-database.js';
import { AccessView } from './access.js';
import { fixedClock } from './clock.js';
import { createEventBus, type BillingEvent, type BillingEventBus } from './events.js';
import { DEFAULT_DOCUMENT_LINK_TTL_MS, documentLinkKey } from './documents/download-links.js';
import { DEMO_DOCUMENT_ISSUER, DEMO_WIRE_TRANSFER_ACCOUNT } from './documents/invoice-documents.js';
import { DEFAULT_PAYMENT_RULES } from './payment-rules.js';
import { DEFAULT_AUTOPAY_SETTINGS } from './autopay.js';
import { DEFAULT_WEBHOOK_SETTINGS } from './webhooks/settings.js';
import { createSandboxProcessor, type SandboxProcessor } from './sandbox-processor.js';
import type { BillingServices, PaymentFaults } from './services.js';

export const TODAY = '2026-11-29';
export const NOW = '2026-11-29T12:00:00Z';
/** Seeded users: Ada owns Contoso (account 1), Carlos contributes, Rita reads, Ivan manages profile 1's invoices, Olga owns Fabrikam. */
export const USERS = { ada: 1, carlos: 2, rita: 3, ivan: 4, olga: 5 } as const;
export type UserName = keyof typeof USERS;

/** Seeded ids used across tests (see db/seed.ts). */
export const SEEDED = {
  profiles: { engineering: 1, marketing: 2, europe: 3, fabrikam: 4 },
  invoices: {
    engineeringDue: 1,
    engineeringPastDue: 2,
    engineeringPastDue2: 3,
    engineeringVoid: 4,
    engineeringPaid: 5,
    marketingPastDue: 12,
    fabrikamPastDue: 23,
  },
  cards: {
    engVisa: 1,
    engMastercard: 2,
    engDeclined: 3,
    engExpired: 4,
    marketingAmex: 5,
    europeVisa: 6,
    fabrikamVisa: 7,
  },
} as const;

export const SETTINGS: BillingServices['settings'] = {
  processorTimeoutMs: 50,
  idempotencyTtlMs: 24 * 60 * 60 * 1000,
  reconcileAfterMs: 60_000,
  paymentRules: DEFAULT_PAYMENT_RULES,
  autopay: DEFAULT_AUTOPAY_SETTINGS,
  documents: {
    linkKey: documentLinkKey('billing-test-support-document-links'),
    linkTtlMs: DEFAULT_DOCUMENT_LINK_TTL_MS,
    issuer: DEMO_DOCUMENT_ISSUER,
    wireTransferAccount: DEMO_WIRE_TRANSFER_ACCOUNT,
  },
  webhooks: { ...DEFAULT_WEBHOOK_SETTINGS, timeoutMs: 2_000, leaseMs: 10_000 },
};

/** One gateway instance's services over `store`, for suites that run several on one database. */
export function instanceOn(
  store: BillingStore,
  shared: { clock: BillingServices['clock']; processor: BillingServices['processor'] },
): BillingServices {
  return { store, ...shared, events: createEventBus(), settings: SETTINGS };
}

/** A seeded PostgreSQL test database and the stores open on it, one per simulated instance. */
export interface SeededPostgres {
  stores: BillingStore[];
  /** Closes every store, then drops the database. */
  close(): Promise<void>;
}

/**
 * A fresh PostgreSQL test database, migrated and seeded with the demo tenants, with `instances`
 * stores (each its own pool, as separate gateway instances would have) open on it.
 */
export async function seededPostgres(instances: number, options: { poolSize?: number } = {}): Promise<SeededPostgres> {
  const database = await createTestPostgresDatabase();
  const stores = Array.from({ length: instances }, () =>
    openPostgresStore({ url: database.url, ...(options.poolSize ? { poolSize: options.poolSize } : {}) }),
  );
  const close = async () => {
    for (const store of stores) await store.close();
    await database.drop();
  };
  try {
    await stores[0]!.migrate();
    await seedDemoData(stores[0]!, { today: TODAY });
  } catch (error) {
    await close();
    throw error;
  }
  return { stores, close };
}

export interface BillingFixture {
  /** The SQLite writer connection, for tests that set rows up directly. */
  handle: DatabaseHandle;
  store: BillingStore;
  services: BillingServices;
  processor: SandboxProcessor;
  clock: ReturnType<typeof fixedClock>;
  /** Every event published, in order. */
  published: BillingEvent[];
  as(user: UserName): Promise<AccessView>;
  count(table: string): number;
  close(): void;
}

export interface FixtureOptions {
  /** SQLite file for the gateway database; default `:memory:`. */
  databasePath?: string;
  /** SQLite file for the sandbox ledger; default `:memory:`. */
  ledgerPath?: string;
  latencyMs?: number;
  settings?: Partial<BillingServices['settings']>;
  faults?: PaymentFaults;
  /** Seed the demo tenants (default true; false to reopen an existing database). */
  seed?: boolean;
  now?: string;
}

export async function createBillingFixture(options: FixtureOptions = {}): Promise<BillingFixture> {
  const clock = fixedClock(options.now ?? NOW);
  const handle = openDatabase({ path: options.databasePath ?? ':memory:' });
  migrateDatabase(handle);
  const store = openSqliteStore(handle);
  if (options.seed ?? true) await seedDemoData(store, { today: TODAY });
  const processor = createSandboxProcessor({
    ledgerPath: options.ledgerPath ?? ':memory:',
    latencyMs: options.latencyMs ?? 0,
    clock,
  });
  const bus = createEventBus();
  const published: BillingEvent[] = [];
  const events: BillingEventBus = {
    publish(event) {
      published.push(event);
      bus.publish(event);
    },
    subscribe: (signal) => bus.subscribe(signal),
    get subscriberCount() {
      return bus.subscriberCount;
    },
  };
  const services: BillingServices = {
    store,
    clock,
    processor,
    events,
    settings: { ...SETTINGS, ...options.settings },
    ...(options.faults ? { faults: options.faults } : {}),
  };
  return {
    handle,
    store,
    services,
    processor,
    clock,
    published,
    as: (user) => AccessView.load(store, { kind: 'user', userId: USERS[user] }),
    count: (table) => (handle.sqlite.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n,
    close() {
      processor.close();
      void store.close();
    },
  };
}

/** A temporary directory for database files, removed by the returned cleanup. */
export function tempDir(): { dir: string; path(name: string): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'billing-test-'));
  return { dir, path: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every row of every table, as text: to prove a refused request wrote nothing. */
export function snapshot(handle: DatabaseHandle): string {
  const tables = handle.sqlite
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as { name: string }[];
  return JSON.stringify(tables.map(({ name }) => handle.sqlite.prepare(`SELECT * FROM "${name}"`).all()));
}

/** The rejection of a promise that must reject. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof Error))
    throw new Error(`expected a rejection, got ${error === null ? 'a result' : String(error)}`);
  return error;
}
