// SQL statements per request, counted in-process through the gateway's own `onQuery` hook
// (openDatabase's Drizzle logger), for each scenario at page sizes 10 and 100.
import { loadConfig, startGateway } from '@billing/server';
import { toGlobalId } from '@billing/schema/graphql';
import type { Fixtures } from './data.js';
import { gqlBody, INVOICE_DETAIL, INVOICES_PAGE, LAST_CURSORS, PAY_INVOICE, VIEWER } from './queries.js';

export interface SqlCount {
  scenario: string;
  /** Statements per request by page size (null where the scenario has no page size). */
  bySize: { size: number | null; total: number; auth: number; plan: number }[];
  grows: boolean;
  statements: string[];
}

/**
 * Statements run by authentication (the user lookup) and by loading the principal's grants: they
 * run first, before anything GraphQL asks for. The user lookup is the same prepared statement as
 * the users loader's, so a later one (viewer.user) is part of the plan.
 */
const isAuthLike = (sql: string) => /\bfrom "?users"?\b/i.test(sql) || /from "?billing_role_assignments"?/i.test(sql);
const authStatementCount = (statements: string[]) => {
  let n = 0;
  while (n < statements.length && n < 2 && isAuthLike(statements[n]!)) n++;
  return n;
};

export async function countSqlPerRequest(
  env: Record<string, string>,
  fixtures: Fixtures,
  payables: number[],
): Promise<{ counts: SqlCount[]; deepCursor: string }> {
  const log: string[] = [];
  // warn: the request log would otherwise print a JSON line per request into the bench's own output.
  const gateway = await startGateway(loadConfig({ ...env, PORT: '0', LOG_LEVEL: 'warn' }), {
    onQuery: (sql) => log.push(sql),
  });
  try {
    const ada = await gateway.authenticator.mintUserToken(fixtures.ada);
    const scaleOwner = await gateway.authenticator.mintUserToken(fixtures.scaleOwner);
    const post = async (token: string, query: string, variables: Record<string, unknown>) => {
      log.length = 0;
      const response = await fetch(gateway.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: gqlBody(query, variables),
      });
      const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
      if (response.status !== 200 || body.errors)
        throw new Error(
          `SQL count: ${query.slice(0, 40)}... answered ${response.status} ${JSON.stringify(body).slice(0, 500)}`,
        );
      return { body, statements: [...log] };
    };
    const contoso = toGlobalId('BillingAccount', fixtures.contosoAccountId);
    const scale = toGlobalId('BillingAccount', fixtures.scaleAccountId);

    // The deep cursor: the last 100 invoices, then the one before them: the 101st from the end, so a
    // page of 100 after it is still full.
    const edgesOf = (body: { data?: Record<string, unknown> }) =>
      (body.data as { billingAccount: { invoices: { edges: { cursor: string }[] } } }).billingAccount.invoices.edges;
    const last100 = edgesOf((await post(scaleOwner, LAST_CURSORS, { account: scale, last: 100 })).body);
    const deepCursor = edgesOf(
      (await post(scaleOwner, LAST_CURSORS, { account: scale, last: 1, before: last100[0]!.cursor })).body,
    )[0]!.cursor;

    const counts: SqlCount[] = [];
    const measure = async (
      scenario: string,
      sizes: (number | null)[],
      run: (size: number | null) => Promise<{ statements: string[] }>,
    ) => {
      const bySize: SqlCount['bySize'] = [];
      let statements: string[] = [];
      for (const size of sizes) {
        await run(size); // once to warm (first-use work is not per-request work)
        const result = await run(size);
        const auth = authStatementCount(result.statements);
        bySize.push({ size, total: result.statements.length, auth, plan: result.statements.length - auth });
        statements = result.statements;
      }
      counts.push({ scenario, bySize, grows: bySize.some((b) => b.total !== bySize[0]!.total), statements });
    };
    await measure('(a) invoices page', [10, 100], (size) =>
      post(ada, INVOICES_PAGE, { account: contoso, first: size }),
    );
    await measure('(a) invoices page, 1M tenant, first page', [10, 100], (size) =>
      post(scaleOwner, INVOICES_PAGE, { account: scale, first: size }),
    );
    await measure('(a) invoices page, 1M tenant, deep page', [10, 100], (size) =>
      post(scaleOwner, INVOICES_PAGE, { account: scale, first: size, after: deepCursor }),
    );
    await measure('(b) invoice detail', [null], () =>
      post(ada, INVOICE_DETAIL, { id: toGlobalId('Invoice', fixtures.detailInvoiceId) }),
    );
    await measure('(c) viewer', [null], () => post(ada, VIEWER, {}));
    let next = 0;
    await measure('(d) payInvoice', [null], () => {
      const invoiceId = payables[next++];
      if (invoiceId === undefined) throw new Error('no payable invoice left for the SQL count');
      return post(ada, PAY_INVOICE, {
        input: {
          invoiceId: toGlobalId('Invoice', invoiceId),
          paymentMethodId: toGlobalId('PaymentMethod', fixtures.payCardId),
          idempotencyKey: `sql-count-${invoiceId}`,
        },
      });
    });
    return { counts, deepCursor };
  } finally {
    await gateway.close();
  }
}
