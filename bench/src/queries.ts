// The operations under test, as a portal would send them.

/** (a) The invoices page: 50 invoices with their profile, payment status and line items. */
export const INVOICES_PAGE = `query InvoicesPage($account: ID!, $first: Int!, $after: String) {
  billingAccount(id: $account) {
    invoices(first: $first, after: $after) {
      totalCount
      nodes {
        id number status dueDate
        amountDue { amount currency }
        billingProfile { displayName }
        payments { status }
        lineItems { description amount { amount } }
      }
    }
  }
}`;

/** The same page without `totalCount`: isolates keyset pagination from counting a huge list. */
export const INVOICES_PAGE_NO_COUNT = INVOICES_PAGE.replace('totalCount\n', '');

/** "Flat 50 invoices": the same page without the nested profile, payments and line items. */
export const INVOICES_FLAT = `query InvoicesFlat($account: ID!, $first: Int!) {
  billingAccount(id: $account) {
    invoices(first: $first) {
      totalCount
      nodes { id number status dueDate amountDue { amount currency } }
    }
  }
}`;

/** Cursors from the end of the list, from the API itself (`last` pages backwards; at most 100). */
export const LAST_CURSORS = `query LastCursors($account: ID!, $last: Int!, $before: String) {
  billingAccount(id: $account) { invoices(last: $last, before: $before) { edges { cursor node { number } } } }
}`;

/** (b) An invoice's detail page. */
export const INVOICE_DETAIL = `query InvoiceDetail($id: ID!) {
  invoice(id: $id) {
    id number status invoiceDate dueDate paidAt currency
    billingPeriod { start end }
    subtotal { amount currency }
    tax { amount }
    total { amount }
    amountDue { amount currency }
    viewerCanPay
    billingProfile { id displayName }
    lineItems { position serviceName description quantity unitPrice { amount } amount { amount } }
    payments { id status amount { amount currency } createdAt }
  }
}`;

/** (c) "Check my access": the viewer, every account with role and permissions, and its profiles. */
export const VIEWER = `query Viewer {
  viewer {
    kind
    user { id email displayName }
    billingAccounts {
      id displayName agreementType status viewerRole viewerIsAdmin
      viewerPermissions { canReadInvoices canReadPaymentMethods canManagePaymentMethods canPayInvoices canManageApiKeys }
      billingProfiles { id displayName currency viewerRole viewerPermissions { canPayInvoices canManagePaymentMethods } }
    }
  }
}`;

/** (d) Paying an invoice. */
export const PAY_INVOICE = `mutation PayInvoice($input: PayInvoiceInput!) {
  payInvoice(input: $input) {
    __typename
    ... on PayInvoiceSuccess { invoice { id status amountDue { amount } } payment { id status } }
    ... on Error { code message }
  }
}`;

export const gqlBody = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });

/** Cheap checks of a response body under load (full equality is checked once, before loading). */
export const looksLike = {
  page: (first: number) => (body: string) =>
    body.startsWith('{"data":{"billingAccount":{"invoices":') &&
    !body.includes('"errors"') &&
    countOf(body, '"lineItems":') === first,
  flatPage: (first: number) => (body: string) =>
    body.startsWith('{"data":{"billingAccount":{"invoices":') &&
    !body.includes('"errors"') &&
    countOf(body, '"number":') === first,
  detail: (body: string) => body.startsWith('{"data":{"invoice":{"id":') && !body.includes('"errors"'),
  viewer: (body: string) => body.startsWith('{"data":{"viewer":{') && !body.includes('"errors"'),
  paid: (body: string) =>
    body.includes('"__typename":"PayInvoiceSuccess"') &&
    body.includes('"status":"SUCCEEDED"') &&
    !body.includes('"errors"'),
};

export function countOf(text: string, needle: string): number {
  let count = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) count++;
  return count;
}
