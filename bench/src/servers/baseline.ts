// The raw baseline: what a careful person would hand-write for the two read screens without GraphQL.
// node:http + better-sqlite3, prepared SQL, the same SQLite file, the same JSON as the gateway.
// It still does the work the gateway must do per request, done by hand: verify the HS256 bearer token
// (iss, aud, exp), check the user exists, load the user's role assignments and apply the same
// visibility rule (account-level roles; profile-level roles by profile). No framework, no ORM.
//
//   GET /accounts/<BillingAccount global id>/invoices?first=N   -> { data: { billingAccount: { invoices } } }
//       &flat=1: without profile, payments and line items (the peers' "flat 50 invoices")
//   GET /invoices/<Invoice global id>                            -> { data: { invoice } }
import Database from 'better-sqlite3';
import { createServer, type ServerResponse } from 'node:http';
import {
  amount,
  canPay,
  canRead,
  fromGlobalId,
  globalId,
  handAuth,
  invoiceScope,
  invoiceStatus as status,
  todayUtc,
  type InvoiceListRow,
} from './by-hand.js';
import { closeOnSignals, listenAndAnnounce, sendJson } from './common.js';

const env = process.env;
if (!env.DATABASE_PATH) throw new Error('baseline needs DATABASE_PATH');

const db = new Database(env.DATABASE_PATH, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
const auth = handAuth(db, env);
const verifyBearer = auth.verifyBearer;

const q = {
  account: db.prepare('SELECT id FROM billing_accounts WHERE id = ?'),
  countByAccount: db.prepare('SELECT count(*) AS n FROM invoices WHERE billing_account_id = ?').pluck(),
  pageByAccount: db.prepare(
    `SELECT i.id, i.number, i.lifecycle, i.due_date AS dueDate, i.amount_due_minor AS amountDue, i.currency, p.display_name AS profileName
       FROM invoices i JOIN billing_profiles p ON p.id = i.billing_profile_id
      WHERE i.billing_account_id = ? ORDER BY i.invoice_date DESC, i.id DESC LIMIT ?`,
  ),
  countByProfiles: db
    .prepare('SELECT count(*) AS n FROM invoices WHERE billing_profile_id IN (SELECT value FROM json_each(?))')
    .pluck(),
  pageByProfiles: db.prepare(
    `SELECT i.id, i.number, i.lifecycle, i.due_date AS dueDate, i.amount_due_minor AS amountDue, i.currency, p.display_name AS profileName
       FROM invoices i JOIN billing_profiles p ON p.id = i.billing_profile_id
      WHERE i.billing_profile_id IN (SELECT value FROM json_each(?)) ORDER BY i.invoice_date DESC, i.id DESC LIMIT ?`,
  ),
  linesOf: db.prepare(
    'SELECT invoice_id AS invoiceId, description, amount_minor AS amount FROM invoice_line_items WHERE invoice_id IN (SELECT value FROM json_each(?)) ORDER BY invoice_id, position',
  ),
  paymentStatusesOf: db.prepare(
    'SELECT invoice_id AS invoiceId, status FROM payments WHERE invoice_id IN (SELECT value FROM json_each(?)) ORDER BY id DESC',
  ),
  invoice: db.prepare(
    `SELECT i.*, p.display_name AS profileName FROM invoices i JOIN billing_profiles p ON p.id = i.billing_profile_id WHERE i.id = ?`,
  ),
  lines: db.prepare('SELECT * FROM invoice_line_items WHERE invoice_id = ? ORDER BY position'),
  payments: db.prepare(
    'SELECT id, status, amount_minor, currency, created_at FROM payments WHERE invoice_id = ? ORDER BY id DESC',
  ),
};

// --- the two screens -------------------------------------------------------------------------

interface PageRow extends InvoiceListRow {
  profileName: string;
}

/** `flat`: the "flat 50 invoices" variant, without profile, payments and line items. */
function invoicesPage(userId: number, accountId: number | null, first: number, flat: boolean): unknown {
  const scope = invoiceScope(auth.grantsOf(userId), accountId);
  if (accountId === null || scope === null || !q.account.get(accountId)) return { data: { billingAccount: null } };
  const wholeAccount = scope.wholeAccount;
  const profiles = JSON.stringify(scope.wholeAccount ? [] : scope.profileIds);
  const totalCount = (wholeAccount ? q.countByAccount.get(accountId) : q.countByProfiles.get(profiles)) as number;
  const rows = (
    wholeAccount ? q.pageByAccount.all(accountId, first) : q.pageByProfiles.all(profiles, first)
  ) as PageRow[];
  const today = todayUtc();
  const flatNode = (r: PageRow) => ({
    id: globalId('Invoice', r.id),
    number: r.number,
    status: status(r.lifecycle, r.dueDate, today),
    dueDate: r.dueDate,
    amountDue: { amount: amount(r.amountDue, r.currency), currency: r.currency },
  });
  if (flat) return { data: { billingAccount: { invoices: { totalCount, nodes: rows.map(flatNode) } } } };
  const ids = JSON.stringify(rows.map((r) => r.id));
  const lines = new Map<number, { description: string; amount: { amount: string } }[]>();
  const currencyOf = new Map(rows.map((r) => [r.id, r.currency]));
  for (const l of q.linesOf.all(ids) as { invoiceId: number; description: string; amount: number }[]) {
    let list = lines.get(l.invoiceId);
    if (!list) {
      list = [];
      lines.set(l.invoiceId, list);
    }
    list.push({ description: l.description, amount: { amount: amount(l.amount, currencyOf.get(l.invoiceId)!) } });
  }
  const payments = new Map<number, { status: string }[]>();
  for (const p of q.paymentStatusesOf.all(ids) as { invoiceId: number; status: string }[]) {
    let list = payments.get(p.invoiceId);
    if (!list) {
      list = [];
      payments.set(p.invoiceId, list);
    }
    list.push({ status: p.status });
  }
  return {
    data: {
      billingAccount: {
        invoices: {
          totalCount,
          nodes: rows.map((r) => ({
            ...flatNode(r),
            billingProfile: { displayName: r.profileName },
            payments: payments.get(r.id) ?? [],
            lineItems: lines.get(r.id) ?? [],
          })),
        },
      },
    },
  };
}

interface InvoiceRow {
  id: number;
  number: string;
  billing_account_id: number;
  billing_profile_id: number;
  period_start: string;
  period_end: string;
  invoice_date: string;
  due_date: string;
  currency: string;
  subtotal_minor: number;
  tax_minor: number;
  total_minor: number;
  amount_due_minor: number;
  lifecycle: string;
  paid_at: string | null;
  profileName: string;
}

function invoiceDetail(userId: number, invoiceId: number | null): unknown {
  const grants = auth.grantsOf(userId);
  const i = invoiceId === null ? undefined : (q.invoice.get(invoiceId) as InvoiceRow | undefined);
  if (!i || !canRead(grants, i.billing_account_id, i.billing_profile_id)) return { data: { invoice: null } };
  const c = i.currency;
  const payable =
    i.lifecycle === 'OPEN' && i.amount_due_minor > 0 && canPay(grants, i.billing_account_id, i.billing_profile_id);
  const lines = q.lines.all(i.id) as {
    position: number;
    service_name: string;
    description: string;
    quantity: number;
    unit_price_minor: number;
    amount_minor: number;
  }[];
  const payments = q.payments.all(i.id) as {
    id: number;
    status: string;
    amount_minor: number;
    currency: string;
    created_at: string;
  }[];
  return {
    data: {
      invoice: {
        id: globalId('Invoice', i.id),
        number: i.number,
        status: status(i.lifecycle, i.due_date, todayUtc()),
        invoiceDate: i.invoice_date,
        dueDate: i.due_date,
        paidAt: i.paid_at,
        currency: c,
        billingPeriod: { start: i.period_start, end: i.period_end },
        subtotal: { amount: amount(i.subtotal_minor, c), currency: c },
        tax: { amount: amount(i.tax_minor, c) },
        total: { amount: amount(i.total_minor, c) },
        amountDue: { amount: amount(i.amount_due_minor, c), currency: c },
        viewerCanPay: payable,
        billingProfile: { id: globalId('BillingProfile', i.billing_profile_id), displayName: i.profileName },
        lineItems: lines.map((l) => ({
          position: l.position,
          serviceName: l.service_name,
          description: l.description,
          quantity: l.quantity,
          unitPrice: { amount: amount(l.unit_price_minor, c) },
          amount: { amount: amount(l.amount_minor, c) },
        })),
        payments: payments.map((p) => ({
          id: globalId('Payment', p.id),
          status: p.status,
          amount: { amount: amount(p.amount_minor, p.currency), currency: p.currency },
          createdAt: p.created_at,
        })),
      },
    },
  };
}

function fail(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, JSON.stringify({ errors: [{ message }] }));
}

const server = createServer((req, res) => {
  try {
    const url = new URL(req.url ?? '/', 'http://baseline');
    const userId = verifyBearer(req.headers.authorization);
    if (userId === null) return fail(res, 401, 'unauthenticated');
    let match = /^\/accounts\/([^/]+)\/invoices$/.exec(url.pathname);
    if (req.method === 'GET' && match) {
      const first = Number(url.searchParams.get('first') ?? 20);
      if (!Number.isInteger(first) || first < 0 || first > 100) return fail(res, 400, 'first must be 0..100');
      const flat = url.searchParams.get('flat') === '1';
      return sendJson(
        res,
        200,
        JSON.stringify(invoicesPage(userId, fromGlobalId(match[1]!, 'BillingAccount'), first, flat)),
      );
    }
    match = /^\/invoices\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && match)
      return sendJson(res, 200, JSON.stringify(invoiceDetail(userId, fromGlobalId(match[1]!, 'Invoice'))));
    return fail(res, 404, 'not found');
  } catch (error) {
    return fail(res, 500, error instanceof Error ? error.message : 'error');
  }
});

listenAndAnnounce(server);
closeOnSignals(server, () => db.close());
