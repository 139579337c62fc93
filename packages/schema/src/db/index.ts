export * from './tables.js';
export { relations } from './relations.js';
export type * from './reads.js';
export { createSqliteReads } from './reads-sqlite.js';
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
