// The benchmark database: the demo tenants plus generated invoices, built FAST with raw prepared
// inserts (one transaction per 50,000 invoices) and cached under bench/.data, keyed by size and by a
// hash of the migrations and the demo seed, so reruns reuse it. Every run works on a fresh copy
// (payInvoice consumes open invoices), never on the cache itself.
//
// Layout (ids are discovered by query, not assumed):
//   - Contoso (Ada owns it): the demo invoices plus `pageInvoices` more on "Contoso Engineering",
//     with line items and a SUCCEEDED payment for every paid one: the invoices page and detail.
//   - Ada's personal account: `payableInvoices` OPEN invoices due in the future, one per payInvoice.
//   - "Scale Corp" (its own owner): `scaleInvoices` invoices on one profile, the 1M-row tenant.
//     Its own tenant, so the throughput scenarios measure a customer of normal size on a database
//     that holds a million invoices, and the scale scenarios measure one huge customer.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { addDays, isoDate } from '@billing/schema/billing';
import {
  MIGRATIONS_FOLDER,
  openDatabase,
  openSqliteStore,
  SEED_SERVICES,
  SEED_TAX_BASIS_POINTS,
  seedDemoData,
  seededRandom,
} from '@billing/schema/db';
import { REPO_DIR, type BenchOptions } from './options.js';

/** Bump when the generated rows change shape, so old caches are not reused. */
const GENERATOR_VERSION = 'bench-data-v1';
const BATCH = 50_000;

// Same services and tax as the demo seed, so the rows look alike.
const SERVICES = SEED_SERVICES;
const TAX_BASIS_POINTS = SEED_TAX_BASIS_POINTS;

export interface Fixtures {
  today: string;
  ada: number;
  contosoAccountId: number;
  pageProfileId: number;
  /** A paid Contoso invoice with three line items and a payment: the detail scenario. */
  detailInvoiceId: number;
  payProfileId: number;
  payCardId: number;
  /** OPEN invoices of Ada's personal account, in id order; each is paid at most once per run. */
  payableInvoiceIds: number[];
  scaleOwner: number;
  scaleAccountId: number;
  scaleProfileId: number;
  scaleInvoices: number;
  contosoInvoices: number;
  totalInvoices: number;
}

export interface BenchData {
  cachePath: string;
  /** The working copy every server of this run reads and writes. */
  path: string;
  ledgerPath: string;
  runDir: string;
  /** True when this run generated the cache (false: reused). */
  generated: boolean;
  generateSeconds: number | null;
  copySeconds: number;
  fileMB: number;
  rows: { invoices: number; lineItems: number; payments: number };
  fixtures: Fixtures;
}

function cacheKey(options: BenchOptions): string {
  const hash = createHash('sha256').update(GENERATOR_VERSION);
  for (const entry of readdirSync(MIGRATIONS_FOLDER, { recursive: true }).map(String).sort()) {
    const file = join(MIGRATIONS_FOLDER, entry);
    if (statSync(file).isFile()) hash.update(entry).update(readFileSync(file));
  }
  hash.update(readFileSync(join(REPO_DIR, 'packages/schema/src/db/seed.ts')));
  return `billing-${options.scaleInvoices}s-${options.pageInvoices}p-${options.payableInvoices}q-${hash.digest('hex').slice(0, 10)}`;
}

interface InvoiceSpec {
  prefix: string;
  accountId: number;
  profileId: number;
  cardId: number;
  ownerUserId: number;
  currency: string;
  count: number;
  /** history: dates spread over ten years, ~87% paid (like seedLargeInvoices); payable: all OPEN and due. */
  kind: 'history' | 'payable';
}

async function generate(
  path: string,
  options: BenchOptions,
  today: string,
  log: (line: string) => void,
): Promise<void> {
  // Schema and demo tenants through the project's own code.
  const store = openSqliteStore(openDatabase({ path }));
  await store.migrate();
  await seedDemoData(store, { today });
  await store.close();

  const db = new Database(path);
  // Bulk-load settings: the file is a temporary one renamed into place only when complete.
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('foreign_keys = OFF');
  db.pragma('cache_size = -524288');
  db.pragma('temp_store = MEMORY');
  db.pragma('locking_mode = EXCLUSIVE');

  const id = (sql: string, ...params: unknown[]) => (db.prepare(sql).get(...params) as { id: number }).id;
  const ada = id(`SELECT id FROM users WHERE email = 'ada@contoso.example'`);
  const contoso = id(`SELECT id FROM billing_accounts WHERE display_name = 'Contoso Ltd'`);
  const engineering = id(`SELECT id FROM billing_profiles WHERE display_name = 'Contoso Engineering'`);
  const engCard = id(`SELECT default_payment_method_id AS id FROM billing_profiles WHERE id = ?`, engineering);
  const personal = id(`SELECT id FROM billing_accounts WHERE display_name = 'Ada Lovelace (personal)'`);
  const personalProfile = id(`SELECT id FROM billing_profiles WHERE billing_account_id = ?`, personal);
  const personalCard = id(`SELECT default_payment_method_id AS id FROM billing_profiles WHERE id = ?`, personalProfile);

  const created = `${addDays(today, -400)}T09:00:00.000Z`;
  const scaleOwner = Number(
    db
      .prepare(
        `INSERT INTO users (email, display_name, created_at) VALUES ('scale-owner@bench.example', 'Scale Owner', ?)`,
      )
      .run(created).lastInsertRowid,
  );
  const scaleAccount = Number(
    db
      .prepare(
        `INSERT INTO billing_accounts (display_name, agreement_type, owner_user_id, created_at) VALUES ('Scale Corp', 'MICROSOFT_CUSTOMER_AGREEMENT', ?, ?)`,
      )
      .run(scaleOwner, created).lastInsertRowid,
  );
  const scaleProfile = Number(
    db
      .prepare(
        `INSERT INTO billing_profiles (billing_account_id, display_name, currency, invoice_email, created_at) VALUES (?, 'Scale Main', 'USD', 'billing@scale.example', ?)`,
      )
      .run(scaleAccount, created).lastInsertRowid,
  );
  const scaleCard = Number(
    db
      .prepare(
        `INSERT INTO payment_methods (billing_account_id, billing_profile_id, brand, last4, exp_month, exp_year, holder_name, processor_token, created_at)
         VALUES (?, ?, 'VISA', '4242', 12, ?, 'Scale Owner', 'tok_sandbox_success_bench01', ?)`,
      )
      .run(scaleAccount, scaleProfile, Number(today.slice(0, 4)) + 2, created).lastInsertRowid,
  );
  db.prepare(`UPDATE billing_profiles SET default_payment_method_id = ? WHERE id = ?`).run(scaleCard, scaleProfile);
  db.prepare(
    `INSERT INTO billing_role_assignments (user_id, billing_account_id, role, created_at) VALUES (?, ?, 'OWNER', ?)`,
  ).run(scaleOwner, scaleAccount, created);

  const insertInvoice = db.prepare(
    `INSERT INTO invoices (id, number, billing_account_id, billing_profile_id, period_start, period_end, invoice_date, due_date, currency,
       subtotal_minor, tax_minor, total_minor, amount_due_minor, lifecycle, paid_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertLine = db.prepare(
    `INSERT INTO invoice_line_items (invoice_id, billing_account_id, position, description, service_name, quantity, unit_price_minor, amount_minor)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertPayment = db.prepare(
    `INSERT INTO payments (billing_account_id, invoice_id, payment_method_id, amount_minor, currency, status, processor_reference,
       processor_idempotency_key, initiated_by, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 'SUCCEEDED', ?, ?, ?, ?, ?)`,
  );
  // addDays builds a Date; ten years of offsets, computed once.
  const days = new Map<number, string>();
  const day = (offset: number) => {
    let d = days.get(offset);
    if (d === undefined) {
      d = addDays(today, offset);
      days.set(offset, d);
    }
    return d;
  };

  let nextId = id(`SELECT coalesce(max(id), 0) + 1 AS id FROM invoices`);
  const write = (spec: InvoiceSpec) => {
    const started = Date.now();
    for (let start = 0; start < spec.count; start += BATCH) {
      const end = Math.min(spec.count, start + BATCH);
      db.transaction(() => {
        for (let i = start; i < end; i++) {
          const invoiceId = nextId++;
          const history = spec.kind === 'history';
          const dateOffset = history ? -(i % 3650) : -(5 + (i % 20));
          const invoiceDate = day(dateOffset);
          const dueDate = day(dateOffset + 30);
          const periodEnd = day(dateOffset - 1);
          const periodStart = day(dateOffset - 30);
          const lifecycle = !history ? 'OPEN' : i % 10 === 0 ? 'OPEN' : i % 37 === 0 ? 'VOID' : 'PAID';
          const lineCount = 1 + (i % 3);
          const seed = i + 1;
          const random = seededRandom(seed);
          let subtotal = 0;
          for (let p = 0; p < lineCount; p++) {
            const [serviceName, description] = SERVICES[(seed + p) % SERVICES.length]!;
            const quantity = 1 + Math.floor(random() * 720);
            const unitPrice = 1 + Math.floor(random() * 250);
            subtotal += quantity * unitPrice;
            insertLine.run(
              invoiceId,
              spec.accountId,
              p + 1,
              description,
              serviceName,
              quantity,
              unitPrice,
              quantity * unitPrice,
            );
          }
          const tax = Math.round((subtotal * TAX_BASIS_POINTS) / 10_000);
          const total = subtotal + tax;
          const paid = lifecycle === 'PAID';
          const paidAt = paid ? `${day(dateOffset + 27)}T10:00:00.000Z` : null;
          const stamp = `${invoiceDate}T00:00:00.000Z`;
          insertInvoice.run(
            invoiceId,
            `${spec.prefix}${String(i + 1).padStart(9, '0')}`,
            spec.accountId,
            spec.profileId,
            periodStart,
            periodEnd,
            invoiceDate,
            dueDate,
            spec.currency,
            subtotal,
            tax,
            total,
            paid || lifecycle === 'VOID' ? 0 : total,
            lifecycle,
            paidAt,
            stamp,
            stamp,
          );
          if (paid) {
            insertPayment.run(
              spec.accountId,
              invoiceId,
              spec.cardId,
              total,
              spec.currency,
              `ch_bench_${invoiceId}`,
              `seed_${invoiceId}`,
              `user:${spec.ownerUserId}`,
              paidAt,
              paidAt,
            );
          }
        }
      })();
      if (spec.count >= 200_000 || end === spec.count) {
        log(
          `  ${spec.prefix}: ${end.toLocaleString('en-US')}/${spec.count.toLocaleString('en-US')} invoices (${((Date.now() - started) / 1000).toFixed(1)} s)`,
        );
      }
    }
  };
  write({
    prefix: 'P',
    accountId: contoso,
    profileId: engineering,
    cardId: engCard,
    ownerUserId: ada,
    currency: 'USD',
    count: options.pageInvoices,
    kind: 'history',
  });
  write({
    prefix: 'Q',
    accountId: personal,
    profileId: personalProfile,
    cardId: personalCard,
    ownerUserId: ada,
    currency: 'USD',
    count: options.payableInvoices,
    kind: 'payable',
  });
  write({
    prefix: 'S',
    accountId: scaleAccount,
    profileId: scaleProfile,
    cardId: scaleCard,
    ownerUserId: scaleOwner,
    currency: 'USD',
    count: options.scaleInvoices,
    kind: 'history',
  });

  if (options.scaleInvoices <= 100_000) {
    // The same code writes the big file; checking the small one keeps the generator honest.
    const violations = db.prepare('PRAGMA foreign_key_check').all();
    if (violations.length > 0)
      throw new Error(`generated data violates foreign keys: ${JSON.stringify(violations.slice(0, 3))}`);
  }
  db.pragma('journal_mode = DELETE');
  db.close();
}

function readFixtures(path: string, today: string): { fixtures: Fixtures; rows: BenchData['rows'] } {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const one = (sql: string, ...params: unknown[]) => {
      const row = db.prepare(sql).get(...params) as { v: number } | undefined;
      if (!row) throw new Error(`benchmark database lacks: ${sql}`);
      return row.v;
    };
    const ada = one(`SELECT id AS v FROM users WHERE email = 'ada@contoso.example'`);
    const contosoAccountId = one(`SELECT id AS v FROM billing_accounts WHERE display_name = 'Contoso Ltd'`);
    const pageProfileId = one(`SELECT id AS v FROM billing_profiles WHERE display_name = 'Contoso Engineering'`);
    const personal = one(`SELECT id AS v FROM billing_accounts WHERE display_name = 'Ada Lovelace (personal)'`);
    const payProfileId = one(`SELECT id AS v FROM billing_profiles WHERE billing_account_id = ?`, personal);
    const payCardId = one(`SELECT default_payment_method_id AS v FROM billing_profiles WHERE id = ?`, payProfileId);
    const scaleOwner = one(`SELECT id AS v FROM users WHERE email = 'scale-owner@bench.example'`);
    const scaleAccountId = one(`SELECT id AS v FROM billing_accounts WHERE display_name = 'Scale Corp'`);
    const scaleProfileId = one(`SELECT id AS v FROM billing_profiles WHERE billing_account_id = ?`, scaleAccountId);
    const detailInvoiceId = one(
      `SELECT i.id AS v FROM invoices i WHERE i.billing_profile_id = ? AND i.lifecycle = 'PAID' AND i.number LIKE 'P%'
         AND (SELECT count(*) FROM invoice_line_items l WHERE l.invoice_id = i.id) = 3
         AND EXISTS (SELECT 1 FROM payments p WHERE p.invoice_id = i.id) ORDER BY i.id LIMIT 1`,
      pageProfileId,
    );
    const payableInvoiceIds = (
      db
        .prepare(
          `SELECT id FROM invoices WHERE billing_profile_id = ? AND lifecycle = 'OPEN' AND amount_due_minor > 0 ORDER BY id`,
        )
        .all(payProfileId) as { id: number }[]
    ).map((r) => r.id);
    const fixtures: Fixtures = {
      today,
      ada,
      contosoAccountId,
      pageProfileId,
      detailInvoiceId,
      payProfileId,
      payCardId,
      payableInvoiceIds,
      scaleOwner,
      scaleAccountId,
      scaleProfileId,
      scaleInvoices: one(`SELECT count(*) AS v FROM invoices WHERE billing_account_id = ?`, scaleAccountId),
      contosoInvoices: one(`SELECT count(*) AS v FROM invoices WHERE billing_account_id = ?`, contosoAccountId),
      totalInvoices: one(`SELECT count(*) AS v FROM invoices`),
    };
    const rows = {
      invoices: fixtures.totalInvoices,
      lineItems: one(`SELECT count(*) AS v FROM invoice_line_items`),
      payments: one(`SELECT count(*) AS v FROM payments`),
    };
    return { fixtures, rows };
  } finally {
    db.close();
  }
}

function removeDatabaseFiles(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
}

export async function prepareData(options: BenchOptions, log: (line: string) => void): Promise<BenchData> {
  mkdirSync(options.dataDir, { recursive: true });
  const key = cacheKey(options);
  const cachePath = join(options.dataDir, `${key}.db`);
  const today = isoDate(new Date());

  let generated = false;
  let generateSeconds: number | null = null;
  if (options.rebuildData) removeDatabaseFiles(cachePath);
  if (!existsSync(cachePath)) {
    // Older caches of the same sizes (schema or seed changed) are dead weight: drop them.
    const sizePrefix = key.slice(0, key.lastIndexOf('-') + 1);
    for (const name of readdirSync(options.dataDir)) {
      if (name.startsWith(sizePrefix) && name.endsWith('.db')) removeDatabaseFiles(join(options.dataDir, name));
    }
    const tmp = `${cachePath}.tmp-${process.pid}`;
    removeDatabaseFiles(tmp);
    log(`generating ${key}.db (${options.scaleInvoices.toLocaleString('en-US')} scale invoices) ...`);
    const started = performance.now();
    try {
      await generate(tmp, options, today, log);
      renameSync(tmp, cachePath);
    } finally {
      removeDatabaseFiles(tmp);
    }
    generated = true;
    generateSeconds = (performance.now() - started) / 1000;
    log(`  generated in ${generateSeconds.toFixed(1)} s`);
  }

  const runDir = join(options.dataDir, 'run');
  mkdirSync(runDir, { recursive: true });
  const path = join(runDir, 'billing.db');
  const ledgerPath = join(runDir, 'sandbox-ledger.db');
  removeDatabaseFiles(path);
  removeDatabaseFiles(ledgerPath);
  const copyStarted = performance.now();
  copyFileSync(cachePath, path);
  const copySeconds = (performance.now() - copyStarted) / 1000;
  const { fixtures, rows } = readFixtures(path, today);
  return {
    cachePath,
    path,
    ledgerPath,
    runDir,
    generated,
    generateSeconds,
    copySeconds,
    fileMB: statSync(path).size / 1024 / 1024,
    rows,
    fixtures,
  };
}
