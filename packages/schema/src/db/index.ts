export * from './tables.js';
export type * from './reads.js';
export { createSqliteReads } from './reads-sqlite.js';
export { relations, pgRelations } from './relations.js';
export {
  openStore,
  openSqliteStore,
  openPostgresStore,
  isPostgresUrl,
  ONE_LIVE_ATTEMPT_INDEX,
  PG_MIGRATIONS_FOLDER,
  type BillingStore,
  type Dialect,
  type StoreDb,
  type StoreOptions,
  type StoreTables,
  type UniqueIndexRef,
} from './store.js';
export {
  openDatabase,
  migrateDatabase,
  pendingMigrationCount,
  MIGRATIONS_FOLDER,
  type BillingDb,
  type DatabaseHandle,
  type OpenDatabaseOptions,
} from './connection.js';
export {
  seedDemoData,
  demoUsageFor,
  seedLargeInvoices,
  insertInvoices,
  isDatabaseEmpty,
  seededRandom,
  SEED_SERVICES,
  SEED_TAX_BASIS_POINTS,
  type DemoSeedResult,
  type DemoUser,
  type InvoicePlan,
  type LargeSeedOptions,
} from './seed.js';
export {
  createTestPostgresDatabase,
  postgresUnavailableReason,
  TEST_POSTGRES_URL,
  type TestPostgresDatabase,
} from './test-database.js';
export { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from './unavailable.js';
export { claimDueWebhookDeliveries, type DeliveryClaim } from './webhook-claims.js';
