// An outside project's first program on the published @billing/sdk: the package test installs the packed
// tarball next to this file in a scratch directory, typechecks it strictly and runs it against a gateway.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BillingClientError, createBillingClient, type InvoiceStatus, type PayInvoiceMutation } from '@billing/sdk';
import trustedDocuments from '@billing/sdk/trusted-documents.json' with { type: 'json' };

const url = process.env.BILLING_GATEWAY_URL;
const token = process.env.BILLING_TOKEN;
if (!url || !token) throw new Error('set BILLING_GATEWAY_URL and BILLING_TOKEN');

/** A mutation result narrowed on `__typename`: exhaustive, so a new error type is a compile error here. */
function describePayment(result: PayInvoiceMutation['payInvoice']): string {
  switch (result.__typename) {
    case 'PayInvoiceSuccess':
      return `paid ${result.invoice.number}`;
    case 'CardDeclinedError':
      return `declined: ${result.declineCode}`;
    case 'NotFoundError':
      return `not found: ${result.resource}`;
    case 'ValidationError':
      return `invalid ${result.field}`;
    case 'InvoiceNotPayableError':
      return `not payable: ${result.notPayableReason}`;
    case 'PaymentMethodUnusableError':
      return `card unusable: ${result.unusableReason}`;
    case 'PaymentMethodNotAllowedError':
      return `card not allowed: ${result.notAllowedReason}`;
    case 'NotAuthorizedError':
    case 'IdempotencyKeyConflictError':
    case 'IdempotencyKeyInUseError':
      return `${result.code}: ${result.message}`;
  }
}

const billing = createBillingClient({ url, token });
const viewer = await billing.checkMyAccess();
const account = viewer?.billingAccounts[0];
const profile = account?.billingProfiles[0];
if (!account || !profile) throw new Error('the token sees no billing account');

const cards = await billing.paymentMethods(profile.id);
const unpaid: InvoiceStatus[] = ['DUE', 'PAST_DUE'];
const page = await billing.listInvoices({ profileId: profile.id }, { first: 2, filter: { statuses: unpaid } });
const missingInvoice = await billing.payInvoice({
  invoiceId: 'not-an-invoice-id',
  paymentMethodId: cards?.defaultPaymentMethod?.id ?? 'none',
});

let refused = '';
try {
  await createBillingClient({ url, token: 'not-a-token' }).checkMyAccess();
} catch (error) {
  if (error instanceof BillingClientError) refused = `${error.kind} ${error.status ?? ''}`.trim();
}

const schemaPath = fileURLToPath(import.meta.resolve('@billing/sdk/schema.graphql'));
process.stdout.write(
  `${JSON.stringify({
    account: account.displayName,
    profile: profile.displayName,
    defaultCard: cards?.defaultPaymentMethod
      ? `${cards.defaultPaymentMethod.brand} ${cards.defaultPaymentMethod.last4}`
      : null,
    cardCount: cards?.paymentMethods?.length ?? 0,
    invoiceCount: page?.nodes.length ?? 0,
    firstInvoiceNumber: page?.nodes[0]?.number ?? null,
    missingInvoice: describePayment(missingInvoice),
    refused,
    trustedDocuments: Object.keys(trustedDocuments).length,
    schemaHasQuery: readFileSync(schemaPath, 'utf8').includes('type Query {'),
  })}\n`,
);
