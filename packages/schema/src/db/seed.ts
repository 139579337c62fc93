// Demo data that tells the portal's story, and a generator of large data for benchmarks.
// Both are deterministic: the same `today` gives the same rows, byte for byte.
import { sql } from 'drizzle-orm';
import { addDays } from '../billing/clock.js';
import type { BillingStore, StoreDb, StoreTables } from './store.js';
import type * as t from './tables.js';

export interface DemoUser {
  id: number;
  email: string;
  displayName: string;
  /** What this user shows off in the demo. */
  story: string;
}

export interface DemoSeedResult {
  users: DemoUser[];
  accounts: { id: number; displayName: string }[];
  invoiceCount: number;
}

/** Small, seeded PRNG (mulberry32): deterministic amounts without Math.random. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

/** Services that line items are drawn from (the benchmark's generator uses the same). */
export const SEED_SERVICES = [
  ['Virtual Machines', 'D4s v5 compute hours'],
  ['Storage', 'Premium SSD managed disks, GB-month'],
  ['Azure SQL Database', 'General Purpose vCore hours'],
  ['Bandwidth', 'Data transfer out, GB'],
  ['Azure Monitor', 'Log Analytics ingestion, GB'],
  ['Azure Kubernetes Service', 'Uptime SLA cluster hours'],
] as const;

export const SEED_TAX_BASIS_POINTS = 800; // 8% sales tax, applied in integer arithmetic.

export interface InvoicePlan {
  number: string;
  billingAccountId: number;
  billingProfileId: number;
  currency: string;
  invoiceDate: string;
  dueDate: string;
  lifecycle: t.InvoiceLifecycle;
  lineItemCount: number;
  /** Seed for amounts; each invoice's amounts depend only on this. */
  amountSeed: number;
}

function lineItemsFor(plan: Pick<InvoicePlan, 'amountSeed' | 'lineItemCount'>) {
  const random = seededRandom(plan.amountSeed);
  return Array.from({ length: plan.lineItemCount }, (_, i) => {
    const [serviceName, description] = SEED_SERVICES[(plan.amountSeed + i) % SEED_SERVICES.length]!;
    const quantity = 1 + Math.floor(random() * 720);
    const unitPriceMinor = 1 + Math.floor(random() * 250);
    return {
      position: i + 1,
      serviceName,
      description,
      quantity,
      unitPriceMinor,
      amountMinor: quantity * unitPriceMinor,
    };
  });
}

/**
 * A period's demo usage for a profile (what `billing-gateway close-period` bills): the same generator
 * as the seeded invoices, keyed by profile and period so a rerun bills the same lines.
 */
export function demoUsageFor(
  billingProfileId: number,
  periodEnd: string,
): {
  lineItems: { description: string; serviceName: string; quantity: number; unitPriceMinor: number }[];
  taxMinor: number;
} {
  const amountSeed = billingProfileId * 100_003 + Number(periodEnd.replaceAll('-', ''));
  const lines = lineItemsFor({ amountSeed, lineItemCount: 2 + (amountSeed % 3) });
  const subtotal = lines.reduce((sum, l) => sum + l.amountMinor, 0);
  return {
    lineItems: lines.map(({ description, serviceName, quantity, unitPriceMinor }) => ({
      description,
      serviceName,
      quantity,
      unitPriceMinor,
    })),
    taxMinor: Math.round((subtotal * SEED_TAX_BASIS_POINTS) / 10_000),
  };
}

function invoiceRow(plan: InvoicePlan, lines: { amountMinor: number }[]) {
  const subtotalMinor = lines.reduce((sum, l) => sum + l.amountMinor, 0);
  const taxMinor = Math.round((subtotalMinor * SEED_TAX_BASIS_POINTS) / 10_000);
  const totalMinor = subtotalMinor + taxMinor;
  const paid = plan.lifecycle === 'PAID';
  const periodEnd = addDays(plan.invoiceDate, -1);
  return {
    number: plan.number,
    billingAccountId: plan.billingAccountId,
    billingProfileId: plan.billingProfileId,
    periodStart: addDays(periodEnd, -29),
    periodEnd,
    invoiceDate: plan.invoiceDate,
    dueDate: plan.dueDate,
    currency: plan.currency,
    subtotalMinor,
    taxMinor,
    totalMinor,
    amountDueMinor: paid || plan.lifecycle === 'VOID' ? 0 : totalMinor,
    lifecycle: plan.lifecycle,
    paidAt: paid ? `${addDays(plan.dueDate, -3)}T10:00:00.000Z` : null,
    createdAt: `${plan.invoiceDate}T00:00:00.000Z`,
    updatedAt: `${plan.invoiceDate}T00:00:00.000Z`,
  };
}

async function writeInvoices(tx: StoreDb, tb: StoreTables, plans: InvoicePlan[]): Promise<void> {
  for (const plan of plans) {
    const lines = lineItemsFor(plan);
    const [inserted] = await tx.insert(tb.invoices).values(invoiceRow(plan, lines)).returning({ id: tb.invoices.id });
    if (lines.length) {
      await tx
        .insert(tb.invoiceLineItems)
        .values(lines.map((l) => ({ ...l, invoiceId: inserted!.id, billingAccountId: plan.billingAccountId })));
    }
  }
}

/** Inserts invoices with their line items, in one transaction per call. */
export function insertInvoices(store: BillingStore, plans: InvoicePlan[]): Promise<void> {
  return store.transaction((tx) => writeInvoices(tx, store.t, plans));
}

export async function isDatabaseEmpty(store: BillingStore): Promise<boolean> {
  const [row] = await store.db.select({ id: store.t.users.id }).from(store.t.users).limit(1);
  return row === undefined;
}

/**
 * The demo tenants. Contoso (a Microsoft Customer Agreement) has an owner, a contributor, a reader and a
 * profile-level invoice manager; Fabrikam (an Enterprise Agreement) is the other tenant that must never
 * leak into Contoso's answers; Ada also has a personal MOSP account, so "check my access" shows two.
 */
export function seedDemoData(store: BillingStore, options: { today: string }): Promise<DemoSeedResult> {
  const tb = store.t;
  const today = options.today;
  const created = `${addDays(today, -400)}T09:00:00.000Z`;

  return store.transaction(async (tx) => {
    const userRows = [
      {
        email: 'ada@contoso.example',
        displayName: 'Ada Lovelace',
        story: 'Contoso billing account admin (owner): can pay',
      },
      {
        email: 'carlos@contoso.example',
        displayName: 'Carlos Contributor',
        story: 'Contoso contributor: manages cards, cannot pay',
      },
      { email: 'rita@contoso.example', displayName: 'Rita Reader', story: 'Contoso reader: can look, cannot pay' },
      {
        email: 'ivan@contoso.example',
        displayName: 'Ivan Invoice-Manager',
        story: 'invoice manager of one Contoso profile',
      },
      { email: 'olga@fabrikam.example', displayName: 'Olga Owner', story: 'Fabrikam owner: the other tenant' },
      {
        email: 'tom@tailspin.example',
        displayName: 'Tom Owner',
        story:
          'Tailspin owner: autopay with a declining card, wire transfer, credits, an invoice above the card ceiling',
      },
    ];
    const users: DemoUser[] = [];
    for (const u of userRows) {
      const [row] = await tx
        .insert(tb.users)
        .values({ email: u.email, displayName: u.displayName, createdAt: created })
        .returning({ id: tb.users.id });
      users.push({ id: row!.id, ...u });
    }
    const [ada, carlos, rita, ivan, olga, tom] = users as [DemoUser, DemoUser, DemoUser, DemoUser, DemoUser, DemoUser];

    const account = async (displayName: string, agreementType: t.AgreementType, ownerUserId: number) => {
      const [row] = await tx
        .insert(tb.billingAccounts)
        .values({ displayName, agreementType, ownerUserId, createdAt: created })
        .returning({ id: tb.billingAccounts.id, displayName: tb.billingAccounts.displayName });
      return row!;
    };
    const contoso = await account('Contoso Ltd', 'MICROSOFT_CUSTOMER_AGREEMENT', ada.id);
    const fabrikam = await account('Fabrikam Inc', 'ENTERPRISE_AGREEMENT', olga.id);
    const adaPersonal = await account('Ada Lovelace (personal)', 'MICROSOFT_ONLINE_SERVICES_PROGRAM', ada.id);

    const profile = async (billingAccountId: number, displayName: string, currency: string) => {
      const [row] = await tx
        .insert(tb.billingProfiles)
        .values({ billingAccountId, displayName, currency, invoiceEmail: 'billing@example.com', createdAt: created })
        .returning({ id: tb.billingProfiles.id });
      return row!.id;
    };
    const engineering = await profile(contoso.id, 'Contoso Engineering', 'USD');
    const marketing = await profile(contoso.id, 'Contoso Marketing', 'USD');
    const europe = await profile(contoso.id, 'Contoso Europe', 'EUR');
    const fabrikamMain = await profile(fabrikam.id, 'Fabrikam Main', 'USD');
    const adaProfile = await profile(adaPersonal.id, 'Ada Lovelace', 'USD');

    const roles: (typeof tb.billingRoleAssignments.$inferInsert)[] = [
      { userId: ada.id, billingAccountId: contoso.id, role: 'OWNER' },
      { userId: carlos.id, billingAccountId: contoso.id, role: 'CONTRIBUTOR' },
      { userId: rita.id, billingAccountId: contoso.id, role: 'READER' },
      { userId: ivan.id, billingAccountId: contoso.id, billingProfileId: engineering, role: 'INVOICE_MANAGER' },
      { userId: olga.id, billingAccountId: fabrikam.id, role: 'OWNER' },
      { userId: ada.id, billingAccountId: adaPersonal.id, role: 'OWNER' },
    ];
    await tx.insert(tb.billingRoleAssignments).values(roles.map((r) => ({ ...r, createdAt: created })));

    // Sandbox tokens name the test card's behaviour (like a processor's test tokens); see billing/sandbox-processor.
    const nextYear = Number(today.slice(0, 4)) + 2;
    const card = async (
      billingAccountId: number,
      billingProfileId: number,
      brand: string,
      last4: string,
      expMonth: number,
      expYear: number,
      holderName: string,
      token: string,
    ) => {
      const [row] = await tx
        .insert(tb.paymentMethods)
        .values({
          billingAccountId,
          billingProfileId,
          brand,
          last4,
          expMonth,
          expYear,
          holderName,
          processorToken: token,
          createdAt: created,
        })
        .returning({ id: tb.paymentMethods.id });
      return row!.id;
    };
    const engVisa = await card(
      contoso.id,
      engineering,
      'VISA',
      '4242',
      12,
      nextYear,
      'Ada Lovelace',
      'tok_sandbox_success_seed01',
    );
    await card(
      contoso.id,
      engineering,
      'MASTERCARD',
      '4444',
      6,
      nextYear,
      'Ada Lovelace',
      'tok_sandbox_success_seed02',
    );
    await card(contoso.id, engineering, 'VISA', '0002', 3, nextYear, 'Ada Lovelace', 'tok_sandbox_declined_seed03');
    await card(contoso.id, engineering, 'VISA', '1111', 1, 2024, 'Ada Lovelace', 'tok_sandbox_success_seed04'); // expired
    const mktAmex = await card(
      contoso.id,
      marketing,
      'AMEX',
      '8431',
      9,
      nextYear,
      'Carlos Contributor',
      'tok_sandbox_success_seed05',
    );
    const euVisa = await card(
      contoso.id,
      europe,
      'VISA',
      '1881',
      11,
      nextYear,
      'Ada Lovelace',
      'tok_sandbox_success_seed06',
    );
    const fabVisa = await card(
      fabrikam.id,
      fabrikamMain,
      'VISA',
      '4242',
      7,
      nextYear,
      'Olga Owner',
      'tok_sandbox_success_seed07',
    );
    const adaVisa = await card(
      adaPersonal.id,
      adaProfile,
      'VISA',
      '5556',
      5,
      nextYear,
      'Ada Lovelace',
      'tok_sandbox_success_seed08',
    );
    const setDefault = (profileId: number, methodId: number) =>
      tx
        .update(tb.billingProfiles)
        .set({ defaultPaymentMethodId: methodId })
        .where(sql`${tb.billingProfiles.id} = ${profileId}`);
    await setDefault(engineering, engVisa);
    await setDefault(marketing, mktAmex);
    await setDefault(europe, euVisa);
    await setDefault(fabrikamMain, fabVisa);
    await setDefault(adaProfile, adaVisa);

    // Each profile: this month's invoice due in the future, older unpaid ones past due, a history
    // of paid ones, and (on some) a void one. Days are relative to `today` so the demo stays current.
    let sequence = 0;
    const plans: InvoicePlan[] = [];
    const history = (
      billingAccountId: number,
      billingProfileId: number,
      currency: string,
      shape: { due: number; pastDue: number; paid: number; void: number },
    ) => {
      const lifecycles: t.InvoiceLifecycle[] = [
        ...Array<t.InvoiceLifecycle>(shape.due).fill('OPEN'),
        ...Array<t.InvoiceLifecycle>(shape.pastDue).fill('OPEN'),
        ...Array<t.InvoiceLifecycle>(shape.void).fill('VOID'),
        ...Array<t.InvoiceLifecycle>(shape.paid).fill('PAID'),
      ];
      lifecycles.forEach((lifecycle, monthsAgo) => {
        sequence += 1;
        // The first `due` invoices fall due in the future; every older one already has.
        const invoiceDate = addDays(today, -10 - 30 * monthsAgo);
        plans.push({
          number: `G${String(100_000_000 + sequence * 7919).padStart(9, '0')}`,
          billingAccountId,
          billingProfileId,
          currency,
          invoiceDate,
          dueDate: addDays(invoiceDate, 30),
          lifecycle,
          lineItemCount: 2 + (sequence % 4),
          amountSeed: sequence,
        });
      });
    };
    history(contoso.id, engineering, 'USD', { due: 1, pastDue: 2, paid: 6, void: 1 });
    history(contoso.id, marketing, 'USD', { due: 1, pastDue: 1, paid: 4, void: 0 });
    history(contoso.id, europe, 'EUR', { due: 1, pastDue: 0, paid: 3, void: 1 });
    history(fabrikam.id, fabrikamMain, 'USD', { due: 1, pastDue: 1, paid: 3, void: 0 });
    history(adaPersonal.id, adaProfile, 'USD', { due: 1, pastDue: 0, paid: 2, void: 0 });
    // The rest of the pay-your-bill story, on its own tenant (appended, so every id above is unchanged):
    // autopay with a card that declines, a profile paying by wire transfer, credits, and an invoice above
    // the USD 50,000 card ceiling.
    const tailspin = await account('Tailspin Toys', 'MICROSOFT_CUSTOMER_AGREEMENT', tom.id);
    await tx
      .insert(tb.billingRoleAssignments)
      .values({ userId: tom.id, billingAccountId: tailspin.id, role: 'OWNER', createdAt: created });
    const tailspinAutopay = await profile(tailspin.id, 'Tailspin Autopay', 'USD');
    const tailspinWire = await profile(tailspin.id, 'Tailspin Wire Transfer', 'USD');
    const decliningCard = await card(
      tailspin.id,
      tailspinAutopay,
      'VISA',
      '0002',
      4,
      nextYear,
      'Tom Owner',
      'tok_sandbox_declined_seed09',
    );
    await setDefault(tailspinAutopay, decliningCard);
    await tx
      .update(tb.billingProfiles)
      .set({ autopay: true })
      .where(sql`${tb.billingProfiles.id} = ${tailspinAutopay}`);
    await tx
      .update(tb.billingProfiles)
      .set({ defaultPaymentType: 'WIRE_TRANSFER' })
      .where(sql`${tb.billingProfiles.id} = ${tailspinWire}`);
    await tx.insert(tb.credits).values([
      {
        billingAccountId: tailspin.id,
        description: 'Azure sponsorship credit',
        currency: 'USD',
        amountMinor: 15_000,
        remainingMinor: 15_000,
        expiresOn: addDays(today, 180),
        createdAt: created,
      },
      {
        billingAccountId: tailspin.id,
        description: 'Expired promotional credit',
        currency: 'USD',
        amountMinor: 5_000,
        remainingMinor: 5_000,
        expiresOn: addDays(today, -30),
        createdAt: created,
      },
    ]);
    history(tailspin.id, tailspinAutopay, 'USD', { due: 0, pastDue: 0, paid: 2, void: 0 });
    history(tailspin.id, tailspinWire, 'USD', { due: 1, pastDue: 0, paid: 1, void: 0 });
    await writeInvoices(tx, tb, plans);
    // USD 62,500.00: Pay now refuses the card (above the ceiling) and the invoice shows wire instructions.
    const [above] = await tx
      .insert(tb.invoices)
      .values({
        number: 'G900062500',
        billingAccountId: tailspin.id,
        billingProfileId: tailspinAutopay,
        periodStart: addDays(today, -40),
        periodEnd: addDays(today, -11),
        invoiceDate: addDays(today, -10),
        dueDate: addDays(today, 20),
        currency: 'USD',
        subtotalMinor: 5_787_037,
        taxMinor: 462_963,
        totalMinor: 6_250_000,
        amountDueMinor: 6_250_000,
        lifecycle: 'OPEN',
        createdAt: `${addDays(today, -10)}T00:00:00.000Z`,
        updatedAt: `${addDays(today, -10)}T00:00:00.000Z`,
      })
      .returning({ id: tb.invoices.id });
    await tx.insert(tb.invoiceLineItems).values({
      billingAccountId: tailspin.id,
      invoiceId: above!.id,
      position: 1,
      description: 'Reserved capacity, 3-year term (prepaid)',
      serviceName: 'Azure Reservations',
      quantity: 1,
      unitPriceMinor: 5_787_037,
      amountMinor: 5_787_037,
    });

    return { users, accounts: [contoso, fabrikam, adaPersonal, tailspin], invoiceCount: plans.length + 1 };
  });
}

export interface LargeSeedOptions {
  billingAccountId: number;
  billingProfileId: number;
  currency: string;
  invoices: number;
  today: string;
  /** Numbers start after this, so several runs can add to one profile. */
  numberPrefix?: string;
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Adds many invoices to one profile, in batches, for pagination tests and benchmarks. */
export async function seedLargeInvoices(store: BillingStore, options: LargeSeedOptions): Promise<void> {
  const batchSize = options.batchSize ?? 5_000;
  const prefix = options.numberPrefix ?? 'L';
  for (let start = 0; start < options.invoices; start += batchSize) {
    const end = Math.min(options.invoices, start + batchSize);
    const plans: InvoicePlan[] = [];
    for (let i = start; i < end; i++) {
      const invoiceDate = addDays(options.today, -(i % 3650));
      const lifecycle: t.InvoiceLifecycle = i % 10 === 0 ? 'OPEN' : i % 37 === 0 ? 'VOID' : 'PAID';
      plans.push({
        number: `${prefix}${String(i + 1).padStart(9, '0')}`,
        billingAccountId: options.billingAccountId,
        billingProfileId: options.billingProfileId,
        currency: options.currency,
        invoiceDate,
        dueDate: addDays(invoiceDate, 30),
        lifecycle,
        lineItemCount: 1 + (i % 3),
        amountSeed: i + 1,
      });
    }
    await insertInvoices(store, plans);
    options.onProgress?.(end, options.invoices);
  }
}
