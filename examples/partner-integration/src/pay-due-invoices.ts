// Pays every due and past-due invoice of the billing account behind a partner API key, each with its
// billing profile's default card, and prints what happened.
//
//   BILLING_API_KEY=bgk_... BILLING_GATEWAY_URL=http://127.0.0.1:4000/graphql pnpm start
//
// The key needs the scopes INVOICES_READ, PAYMENT_METHODS_READ and PAYMENTS_WRITE. Exit status: 0 when
// every invoice was paid (or there was nothing to pay), 1 when any payment failed, 2 on a setup error.
//
// Safe to rerun, and to run twice at once: each payment's idempotency key is derived from the invoice
// and the card (`partner-pay-<invoice id>-<card id>`), so a retry or an overlapping run gets the first
// answer back instead of charging again. A declined card's answer is replayed for the same card too
// (for 24 hours): after fixing the cause, choose another default card, or wait.
import { pathToFileURL } from 'node:url';
import {
  BillingClientError,
  createBillingClient,
  type BillingClient,
  type InvoiceSummaryFragment,
  type PaymentMethodFieldsFragment,
} from '@billing/sdk';

export interface PaymentRow {
  invoice: string;
  profile: string;
  amount: string;
  outcome: string;
  ok: boolean;
}

export interface RunOptions {
  /** Environment: BILLING_API_KEY and BILLING_GATEWAY_URL. Default: `process.env`. */
  env?: Record<string, string | undefined>;
  /** Where the report goes. Default: standard output. */
  write?: (text: string) => void;
  /** A fetch implementation for the SDK (tests). */
  fetch?: typeof fetch;
}

export interface RunResult {
  exitCode: number;
  rows: PaymentRow[];
}

const DEFAULT_GATEWAY_URL = 'http://127.0.0.1:4000/graphql';
const IN_USE_RETRIES = 5;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One key per invoice and card: a rerun (or an overlapping run) with the same card never charges twice. */
export function idempotencyKeyFor(invoiceId: string, paymentMethodId: string): string {
  return `partner-pay-${invoiceId}-${paymentMethodId}`;
}

/** Every due and past-due invoice the key can see, oldest due date first. */
async function dueInvoices(client: BillingClient): Promise<InvoiceSummaryFragment[]> {
  const viewer = await client.checkMyAccess();
  if (!viewer) throw new Error('The gateway treated this request as anonymous: is BILLING_API_KEY set?');
  const invoices: InvoiceSummaryFragment[] = [];
  for (const account of viewer.billingAccounts) {
    const pages = client.allInvoices(
      { accountId: account.id },
      { filter: { statuses: ['DUE', 'PAST_DUE'] }, orderBy: { field: 'DUE_DATE', direction: 'ASC' } },
    );
    for await (const invoice of pages) invoices.push(invoice);
  }
  return invoices;
}

async function payOne(
  client: BillingClient,
  invoice: InvoiceSummaryFragment,
  card: PaymentMethodFieldsFragment,
): Promise<{ outcome: string; ok: boolean }> {
  const idempotencyKey = idempotencyKeyFor(invoice.id, card.id);
  for (let attempt = 1; ; attempt++) {
    const result = await client.payInvoice({ invoiceId: invoice.id, paymentMethodId: card.id, idempotencyKey });
    switch (result.__typename) {
      case 'PayInvoiceSuccess':
        return { outcome: `paid with ${card.brand.toLowerCase()} ${card.last4}`, ok: true };
      case 'IdempotencyKeyInUseError':
        // Another run is paying this invoice with this card right now: its answer will be ours.
        if (attempt < IN_USE_RETRIES) {
          await sleep(200 * attempt);
          continue;
        }
        return { outcome: `still in progress elsewhere: ${result.message}`, ok: false };
      case 'CardDeclinedError':
        return {
          outcome: `declined (${result.declineCode}) with ${card.brand.toLowerCase()} ${card.last4}: ${result.message}`,
          ok: false,
        };
      default:
        return { outcome: `${result.__typename}: ${result.message}`, ok: false };
    }
  }
}

/** Pays what is due; returns the rows of the report. Throws BillingClientError if the gateway is unreachable or refuses the key. */
export async function payDueInvoices(client: BillingClient): Promise<PaymentRow[]> {
  const invoices = await dueInvoices(client);
  const defaults = new Map<string, Promise<PaymentMethodFieldsFragment | null | 'unreadable'>>();
  const defaultCard = (profileId: string) => {
    if (!defaults.has(profileId)) {
      defaults.set(
        profileId,
        client.paymentMethods(profileId).then((profile) => {
          if (!profile?.paymentMethods) return 'unreadable' as const;
          return profile.defaultPaymentMethod;
        }),
      );
    }
    return defaults.get(profileId)!;
  };

  const rows: PaymentRow[] = [];
  for (const invoice of invoices) {
    const row = {
      invoice: invoice.number,
      profile: invoice.billingProfile.displayName,
      amount: `${invoice.amountDue.amount} ${invoice.amountDue.currency}`,
    };
    const card = await defaultCard(invoice.billingProfile.id);
    if (card === 'unreadable') {
      rows.push({ ...row, outcome: "cannot read the profile's cards (the key needs PAYMENT_METHODS_READ)", ok: false });
    } else if (!card) {
      rows.push({ ...row, outcome: 'no default card on this billing profile', ok: false });
    } else if (card.isExpired) {
      rows.push({
        ...row,
        outcome: `the default card (${card.brand.toLowerCase()} ${card.last4}) has expired`,
        ok: false,
      });
    } else {
      const result = await payOne(client, invoice, card).catch((error: unknown) => {
        // A lost connection after the SDK's own retries: unknown outcome, but a rerun uses the same key.
        if (!(error instanceof BillingClientError)) throw error;
        return { outcome: `no answer (${error.message}); rerun to settle it, nothing is charged twice`, ok: false };
      });
      rows.push({ ...row, ...result });
    }
  }
  return rows;
}

/** The report: one line per invoice, then a summary line. */
export function formatReport(rows: PaymentRow[]): string {
  if (rows.length === 0) return 'No due or past-due invoices: nothing to pay.\n';
  const header = { invoice: 'Invoice', profile: 'Profile', amount: 'Amount', outcome: 'Outcome' };
  const width = (key: keyof typeof header) => Math.max(header[key].length, ...rows.map((r) => r[key].length));
  const [wi, wp, wa] = [width('invoice'), width('profile'), width('amount')];
  const line = (r: typeof header) =>
    `${r.invoice.padEnd(wi)}  ${r.profile.padEnd(wp)}  ${r.amount.padStart(wa)}  ${r.outcome}`.trimEnd();
  const paid = rows.filter((r) => r.ok).length;
  const failed = rows.length - paid;
  return [
    line(header),
    line({ invoice: '-'.repeat(wi), profile: '-'.repeat(wp), amount: '-'.repeat(wa), outcome: '-'.repeat(7) }),
    ...rows.map(line),
    '',
    `${paid} paid, ${failed} failed`,
    '',
  ].join('\n');
}

/** The script: reads the environment, pays, prints the report, and returns the exit status. */
export async function main(options: RunOptions = {}): Promise<RunResult> {
  const env = options.env ?? process.env;
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const apiKey = env.BILLING_API_KEY;
  if (!apiKey) {
    write(
      'BILLING_API_KEY is not set: create a key (scopes INVOICES_READ, PAYMENT_METHODS_READ, PAYMENTS_WRITE) as the billing account admin.\n',
    );
    return { exitCode: 2, rows: [] };
  }
  const client = createBillingClient({
    url: env.BILLING_GATEWAY_URL || DEFAULT_GATEWAY_URL,
    apiKey,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  try {
    const rows = await payDueInvoices(client);
    write(formatReport(rows));
    return { exitCode: rows.every((r) => r.ok) ? 0 : 1, rows };
  } catch (error) {
    if (!(error instanceof BillingClientError)) throw error;
    write(
      `The gateway refused or could not be reached (${error.kind}${error.status ? ` ${error.status}` : ''}): ${error.message}\n`,
    );
    return { exitCode: 2, rows: [] };
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (result) => {
      process.exitCode = result.exitCode;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
