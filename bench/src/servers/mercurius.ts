// Peer (`pnpm bench --peers`): Mercurius 16 on Fastify 5 with graphql-jit (`jit: 1`: every query is
// compiled after its first run), a hand-written schema of the invoices page's shape, hand-written
// resolvers and per-request DataLoaders over better-sqlite3 prepared statements on the same SQLite file.
// Per request it does the same work the raw baseline does (by-hand.ts): HS256 bearer check, user
// lookup, role assignments, the gateway's visibility rule. The bench checks that it answers the
// gateway's JSON for the same query (isDeepStrictEqual) before loading it.
import Database from 'better-sqlite3';
import DataLoader from 'dataloader';
import Fastify from 'fastify';
import mercurius, { type IResolvers } from 'mercurius';
import {
  amount,
  fromGlobalId,
  globalId,
  handAuth,
  invoiceScope,
  invoiceStatus,
  todayUtc,
  type Grant,
  type InvoiceListRow,
} from './by-hand.js';
import { announce, exitOnSignals, listenAddress } from './common.js';

const env = process.env;
if (!env.DATABASE_PATH) throw new Error('the Mercurius peer needs DATABASE_PATH');
const db = new Database(env.DATABASE_PATH, { fileMustExist: true, readonly: true });
db.pragma('busy_timeout = 5000');
const auth = handAuth(db, env);

const q = {
  account: db.prepare('SELECT id FROM billing_accounts WHERE id = ?'),
  countByAccount: db.prepare('SELECT count(*) FROM invoices WHERE billing_account_id = ?').pluck(),
  countByProfiles: db
    .prepare('SELECT count(*) FROM invoices WHERE billing_profile_id IN (SELECT value FROM json_each(?))')
    .pluck(),
  pageByAccount: db.prepare(
    `SELECT id, number, lifecycle, due_date AS dueDate, amount_due_minor AS amountDue, currency, billing_profile_id AS profileId
       FROM invoices WHERE billing_account_id = ? ORDER BY invoice_date DESC, id DESC LIMIT ?`,
  ),
  pageByProfiles: db.prepare(
    `SELECT id, number, lifecycle, due_date AS dueDate, amount_due_minor AS amountDue, currency, billing_profile_id AS profileId
       FROM invoices WHERE billing_profile_id IN (SELECT value FROM json_each(?)) ORDER BY invoice_date DESC, id DESC LIMIT ?`,
  ),
  profilesById: db.prepare(
    'SELECT id, display_name AS displayName FROM billing_profiles WHERE id IN (SELECT value FROM json_each(?))',
  ),
  linesOf: db.prepare(
    'SELECT invoice_id AS invoiceId, description, amount_minor AS amount FROM invoice_line_items WHERE invoice_id IN (SELECT value FROM json_each(?)) ORDER BY invoice_id, position',
  ),
  paymentStatusesOf: db.prepare(
    'SELECT invoice_id AS invoiceId, status FROM payments WHERE invoice_id IN (SELECT value FROM json_each(?)) ORDER BY id DESC',
  ),
};

const schema = /* GraphQL */ `
  type Query {
    billingAccount(id: ID!): BillingAccount
  }
  type BillingAccount {
    id: ID!
    invoices(first: Int!, after: String): InvoiceConnection!
  }
  type InvoiceConnection {
    totalCount: Int!
    nodes: [Invoice!]!
  }
  enum InvoiceStatus {
    DUE
    PAST_DUE
    PAID
    VOID
  }
  enum PaymentStatus {
    FAILED
    PROCESSING
    SUCCEEDED
  }
  type Money {
    amount: String!
    currency: String!
  }
  type BillingProfile {
    displayName: String!
  }
  type Payment {
    status: PaymentStatus!
  }
  type LineItem {
    description: String!
    amount: Money!
  }
  type Invoice {
    id: ID!
    number: String!
    status: InvoiceStatus!
    dueDate: String!
    amountDue: Money!
    billingProfile: BillingProfile!
    payments: [Payment!]!
    lineItems: [LineItem!]!
  }
`;

interface InvoiceRow extends InvoiceListRow {
  profileId: number;
}
interface LineRow {
  invoiceId: number;
  description: string;
  amount: number;
}

/** Rows grouped by invoice id, in the order of `keys` (what a DataLoader batch function returns). */
function groupBy<T extends { invoiceId: number }>(keys: readonly number[], rows: T[]): T[][] {
  const groups = new Map<number, T[]>(keys.map((k) => [k, []]));
  for (const row of rows) groups.get(row.invoiceId)?.push(row);
  return keys.map((k) => groups.get(k)!);
}

function loaders() {
  return {
    profile: new DataLoader<number, { displayName: string }>(async (ids) => {
      const rows = q.profilesById.all(JSON.stringify(ids)) as { id: number; displayName: string }[];
      const byId = new Map(rows.map((r) => [r.id, { displayName: r.displayName }]));
      return ids.map((id) => byId.get(id) ?? new Error(`billing profile ${id} not found`));
    }),
    lines: new DataLoader<number, LineRow[]>(async (ids) =>
      groupBy(ids, q.linesOf.all(JSON.stringify(ids)) as LineRow[]),
    ),
    payments: new DataLoader<number, { invoiceId: number; status: string }[]>(async (ids) =>
      groupBy(ids, q.paymentStatusesOf.all(JSON.stringify(ids)) as { invoiceId: number; status: string }[]),
    ),
  };
}

interface Context {
  userId: number;
  grants: Grant[];
  today: string;
  load: ReturnType<typeof loaders>;
}
declare module 'mercurius' {
  // The per-request context this server builds (below), as Mercurius' resolver types see it.
  interface MercuriusContext extends Context {}
}
type Scope = NonNullable<ReturnType<typeof invoiceScope>>;
interface AccountParent {
  accountId: number;
  scope: Scope;
}

const resolvers: IResolvers = {
  Query: {
    billingAccount: (_root, args: { id: string }, ctx: Context): AccountParent | null => {
      const accountId = fromGlobalId(args.id, 'BillingAccount');
      const scope = invoiceScope(ctx.grants, accountId);
      if (accountId === null || scope === null || !q.account.get(accountId)) return null;
      return { accountId, scope };
    },
  },
  BillingAccount: {
    id: (parent: AccountParent) => globalId('BillingAccount', parent.accountId),
    invoices: (parent: AccountParent, args: { first: number; after?: string | null }) => {
      if (args.after) throw new Error('this peer serves first pages only');
      if (!Number.isInteger(args.first) || args.first < 0 || args.first > 100) throw new Error('first must be 0..100');
      return { parent, first: args.first };
    },
  },
  InvoiceConnection: {
    totalCount: ({ parent }: { parent: AccountParent }) =>
      parent.scope.wholeAccount
        ? q.countByAccount.get(parent.accountId)
        : q.countByProfiles.get(JSON.stringify(parent.scope.profileIds)),
    nodes: ({ parent, first }: { parent: AccountParent; first: number }) =>
      parent.scope.wholeAccount
        ? q.pageByAccount.all(parent.accountId, first)
        : q.pageByProfiles.all(JSON.stringify(parent.scope.profileIds), first),
  },
  Invoice: {
    id: (row: InvoiceRow) => globalId('Invoice', row.id),
    status: (row: InvoiceRow, _args: unknown, ctx: Context) => invoiceStatus(row.lifecycle, row.dueDate, ctx.today),
    amountDue: (row: InvoiceRow) => ({ amount: amount(row.amountDue, row.currency), currency: row.currency }),
    billingProfile: (row: InvoiceRow, _args: unknown, ctx: Context) => ctx.load.profile.load(row.profileId),
    payments: (row: InvoiceRow, _args: unknown, ctx: Context) => ctx.load.payments.load(row.id),
    lineItems: async (row: InvoiceRow, _args: unknown, ctx: Context) =>
      (await ctx.load.lines.load(row.id)).map((l) => ({
        description: l.description,
        amount: { amount: amount(l.amount, row.currency), currency: row.currency },
      })),
  },
};

class Unauthenticated extends Error {
  statusCode = 401;
}

const app = Fastify({ logger: false });
await app.register(mercurius, {
  schema,
  resolvers,
  jit: 1,
  path: '/graphql',
  context: (request): Context => {
    const userId = auth.verifyBearer(request.headers.authorization);
    if (userId === null) throw new Unauthenticated('unauthenticated');
    return { userId, grants: auth.grantsOf(userId), today: todayUtc(), load: loaders() };
  },
});

const { port, host } = listenAddress();
const address = await app.listen({ port, host });
announce(`${address}/graphql`);
exitOnSignals(async () => {
  await app.close();
  db.close();
});
