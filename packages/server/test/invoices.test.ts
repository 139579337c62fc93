// Invoice lists over real HTTP: filters, ordering, keyset pagination, totalCount, and no N+1.
import { toGlobalId } from '@billing/schema/graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMarketingInvoices, startTestGateway, TODAY, type TestGateway } from './harness.js';

let gw: TestGateway;
const MARKETING = toGlobalId('BillingProfile', 2);
const CONTOSO = toGlobalId('BillingAccount', 1);
const EXTRA = 260;

interface InvoiceNode {
  id: string;
  number: string;
  status: string;
  dueDate: string;
  invoiceDate: string;
}

const PAGE = `query($profile: ID!, $first: Int, $after: String, $last: Int, $before: String, $filter: InvoiceFilter, $orderBy: InvoiceOrder) {
  billingProfile(id: $profile) {
    invoices(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
      totalCount
      edges { cursor node { id number status dueDate invoiceDate } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}`;

async function page(variables: Record<string, unknown>) {
  const r = await gw.gql(PAGE, { profile: MARKETING, ...variables }, 'rita');
  expect(r.errors).toBeUndefined();
  return r.data!.billingProfile.invoices as {
    totalCount: number;
    edges: { cursor: string; node: InvoiceNode }[];
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  };
}

async function walk(variables: Record<string, unknown>, pageSize: number): Promise<InvoiceNode[]> {
  const seen: InvoiceNode[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 1_000; pages++) {
    const connection = await page({ ...variables, first: pageSize, after });
    seen.push(...connection.edges.map((e) => e.node));
    if (!connection.pageInfo.hasNextPage) break;
    after = connection.pageInfo.endCursor;
  }
  return seen;
}

async function sqlNumbers(where: string, order: string): Promise<string[]> {
  const rows = await gw.gateway.resources.store.rawQuery<{ number: string }>(
    `SELECT number FROM invoices WHERE billing_profile_id = 2 AND (${where}) ORDER BY ${order}`,
  );
  return rows.map((r) => r.number);
}

beforeAll(async () => {
  gw = await startTestGateway();
  await addMarketingInvoices(gw, EXTRA);
});

afterAll(async () => {
  await gw?.close();
});

describe('pagination', () => {
  it('walks every invoice once, in order, for each ordering and page size', async () => {
    const total = (await sqlNumbers('1 = 1', 'id')).length;
    expect(total).toBe(EXTRA + 6);
    for (const [orderBy, sql] of [
      [{ field: 'DUE_DATE', direction: 'ASC' }, 'due_date ASC, id ASC'],
      [{ field: 'DUE_DATE', direction: 'DESC' }, 'due_date DESC, id DESC'],
      [{ field: 'INVOICE_DATE', direction: 'DESC' }, 'invoice_date DESC, id DESC'],
      [null, 'invoice_date DESC, id DESC'],
    ] as const) {
      for (const size of [7, 50, 100]) {
        const walked = await walk({ orderBy }, size);
        expect(walked.map((n) => n.number)).toEqual(await sqlNumbers('1 = 1', sql));
        expect(new Set(walked.map((n) => n.id)).size).toBe(total);
      }
    }
  });

  it('keeps cursors stable: the same cursor gives the same page, and pages backward too', async () => {
    const first = await page({ first: 30, orderBy: { field: 'DUE_DATE', direction: 'ASC' } });
    expect(first.totalCount).toBe(EXTRA + 6);
    const cursor = first.edges[9]!.cursor;
    const again1 = await page({ first: 10, after: cursor, orderBy: { field: 'DUE_DATE', direction: 'ASC' } });
    const again2 = await page({ first: 10, after: cursor, orderBy: { field: 'DUE_DATE', direction: 'ASC' } });
    expect(again1.edges).toEqual(again2.edges);
    expect(again1.edges.map((e) => e.node.id)).toEqual(first.edges.slice(10, 20).map((e) => e.node.id));
    const back = await page({
      last: 5,
      before: first.edges[20]!.cursor,
      orderBy: { field: 'DUE_DATE', direction: 'ASC' },
    });
    expect(back.edges.map((e) => e.node.id)).toEqual(first.edges.slice(15, 20).map((e) => e.node.id));
    expect(back.pageInfo.hasPreviousPage).toBe(true);
  });

  it('refuses a page larger than 100 rather than loading everything', async () => {
    const r = await gw.gql(PAGE, { profile: MARKETING, first: 5_000 }, 'rita');
    expect(r.data?.billingProfile?.invoices ?? null).toBeNull();
    expect(r.errors?.[0]?.message).toMatch(/100/);
  });
});

describe('filters', () => {
  it('by status, each matching exactly what the stored state and the date say', async () => {
    const pastDue = await walk({ filter: { statuses: ['PAST_DUE'] } }, 100);
    expect(pastDue.length).toBeGreaterThan(0);
    expect(pastDue.every((n) => n.status === 'PAST_DUE' && n.dueDate < TODAY)).toBe(true);
    expect(pastDue.map((n) => n.number).sort()).toEqual(
      await sqlNumbers(`lifecycle = 'OPEN' AND due_date < '${TODAY}'`, 'number'),
    );
    const dueOrPaid = await walk({ filter: { statuses: ['DUE', 'PAID'] } }, 100);
    expect(new Set(dueOrPaid.map((n) => n.status))).toEqual(new Set(['DUE', 'PAID']));
    expect(dueOrPaid.length).toBe(
      (await sqlNumbers(`(lifecycle = 'OPEN' AND due_date >= '${TODAY}') OR lifecycle = 'PAID'`, 'id')).length,
    );
    const voided = await page({ first: 100, filter: { statuses: ['VOID'] } });
    expect(voided.totalCount).toBe((await sqlNumbers(`lifecycle = 'VOID'`, 'id')).length);
  });

  it('by due-date range and by number, with totalCount agreeing', async () => {
    const range = await page({ first: 100, filter: { dueOnOrAfter: '2026-01-01', dueOnOrBefore: '2026-03-31' } });
    const expected = await sqlNumbers(`due_date BETWEEN '2026-01-01' AND '2026-03-31'`, 'id');
    expect(range.totalCount).toBe(expected.length);
    expect(range.edges.every((e) => e.node.dueDate >= '2026-01-01' && e.node.dueDate <= '2026-03-31')).toBe(true);
    const byNumber = await page({ first: 10, filter: { number: 'L000000042' } });
    expect(byNumber.edges.map((e) => e.node.number)).toEqual(['L000000042']);
    expect(byNumber.totalCount).toBe(1);
  });

  it('rejects malformed filter values with a clear error', async () => {
    const r = await gw.gql(PAGE, { profile: MARKETING, first: 5, filter: { dueOnOrAfter: '31/12/2026' } }, 'rita');
    expect(r.errors?.[0]?.message).toMatch(/YYYY-MM-DD/);
  });
});

describe('SQL statements per request', () => {
  const NESTED = `query($account: ID!, $first: Int!) {
    billingAccount(id: $account) {
      invoices(first: $first) {
        totalCount
        nodes { number status amountDue { amount } billingProfile { displayName } lineItems { description amount { amount } } payments { status } }
      }
    }
  }`;

  it('do not grow with page size: one batched statement per loader, plus the page and its count', async () => {
    const plans: string[][] = [];
    for (const first of [10, 100]) {
      gw.resetQueryLog();
      const r = await gw.gql(NESTED, { account: CONTOSO, first }, 'ada');
      expect(r.errors).toBeUndefined();
      expect(r.data!.billingAccount.invoices.nodes.length).toBe(first);
      // Each statement as "<table it reads first>" (and "count" for a count).
      const read = gw.queries.map(
        (q) => `${/\bfrom\s+"?(\w+)/i.exec(q)?.[1]}${/count\(\*\)/i.test(q) ? ' count' : ''}`,
      );
      // Authentication reads the user and the principal's roles; everything after that is the plan.
      plans.push(read.filter((t) => t !== 'users' && t !== 'billing_role_assignments').sort());
    }
    expect(plans[0]).toEqual(plans[1]);
    // The account, the page, its count (the maintained per-profile counts, not a count of the rows), and
    // one batch each for profiles, line items and payments.
    expect(plans[1]).toEqual([
      'billing_accounts',
      'billing_profiles',
      'invoice_counts',
      'invoice_line_items',
      'invoices',
      'payments',
    ]);
  });
});
