// An invoice's downloadable documents: which exist, the signed links to them, and opening a link.
// The one place that reads document data from the database (drizzle's query API), so a storage
// seam replaces only `loadInvoiceForDocument`.
import { AccessView, principalId } from '../access.js';
import { principalFromId } from '../api-keys.js';
import { NotFoundError } from '../errors.js';
import { cardBrandOf } from '../payment-processor.js';
import { paysByWireTransfer } from '../wire-transfers.js';
import type { BillingServices } from '../services.js';
import {
  documentAmountDueMinor,
  type DocumentIssuer,
  type DocumentKind,
  type InvoiceDocumentData,
  type ReceiptDocumentData,
  type WireTransferAccount,
} from './document-data.js';
import { signDocumentLink, verifyDocumentLink, type DocumentLinkRefusal } from './download-links.js';
import { renderInvoicePdf, renderReceiptPdf } from './render-pdf.js';

export interface DocumentSettings {
  /** From `documentLinkKey(secret)`. */
  linkKey: Buffer;
  linkTtlMs: number;
  issuer: DocumentIssuer;
  /** Where wire transfers go; printed on invoices that cannot be paid by card. */
  wireTransferAccount: WireTransferAccount;
}

/** The demo's issuer and bank (the seed's story; a deployment configures its own). */
export const DEMO_DOCUMENT_ISSUER: DocumentIssuer = {
  name: 'Contoso Cloud Billing',
  addressLines: ['1 Harbour Street', 'Dublin D02 XY45', 'Ireland'],
};
export const DEMO_WIRE_TRANSFER_ACCOUNT: WireTransferAccount = {
  bankName: 'Northwind Bank N.A.',
  accountHolder: 'Contoso Cloud Billing Ltd',
  accountNumber: 'IE29 NWBK 9311 5212 3456 78',
  bankCode: 'NWBKIE2D',
};

/** The link could not be used: expired (ask for a new one), or not a link this server issued. */
export class DocumentLinkRefusedError extends Error {
  constructor(readonly refusal: DocumentLinkRefusal) {
    super(
      refusal === 'EXPIRED'
        ? 'This download link has expired. Open the invoice again for a new one.'
        : 'Document not found.',
    );
    this.name = 'DocumentLinkRefusedError';
  }
}

/** The invoice PDF always; the receipt once the invoice is paid. */
export function documentKindsOf(invoice: { lifecycle: string }): DocumentKind[] {
  return invoice.lifecycle === 'PAID' ? ['INVOICE', 'RECEIPT'] : ['INVOICE'];
}

export interface IssuedDocumentLink {
  kind: DocumentKind;
  /** The path under the gateway: `/documents/<token>`. */
  path: string;
  expiresAt: Date;
}

export const DOCUMENTS_PATH = '/documents/';

/** Links for the invoice's documents, issued to the caller. The caller must already see the invoice. */
export function issueDocumentLinks(
  services: BillingServices,
  access: AccessView,
  invoice: { id: number; lifecycle: string; billingAccountId: number; billingProfileId: number },
): IssuedDocumentLink[] {
  if (!access.principal || !access.can('READ_BILLING', invoice)) return [];
  const principal = principalId(access.principal);
  const { linkKey, linkTtlMs } = services.settings.documents;
  return documentKindsOf(invoice).map((kind) => {
    const { token, expiresAt } = signDocumentLink(
      linkKey,
      { kind, invoiceId: invoice.id, principal },
      services.clock,
      linkTtlMs,
    );
    return { kind, path: `${DOCUMENTS_PATH}${token}`, expiresAt };
  });
}

async function loadInvoiceForDocument(services: BillingServices, invoiceId: number) {
  return services.store.db.query.invoices.findFirst({
    where: { id: invoiceId },
    with: {
      lineItems: { orderBy: { position: 'asc' } },
      profile: true,
      account: true,
      payments: { where: { status: 'SUCCEEDED' }, with: { paymentMethod: true } },
      creditApplications: { orderBy: { id: 'asc' }, with: { credit: true } },
    },
  });
}

type LoadedInvoice = NonNullable<Awaited<ReturnType<typeof loadInvoiceForDocument>>>;

function invoiceDocumentData(services: BillingServices, invoice: LoadedInvoice): InvoiceDocumentData {
  const { documents, paymentRules } = services.settings;
  const byWire = paysByWireTransfer(
    {
      defaultPaymentType: invoice.profile.defaultPaymentType,
      agreementType: invoice.account.agreementType,
      amount: { minorUnits: invoice.totalMinor, currency: invoice.currency },
    },
    paymentRules,
  );
  return {
    issuer: documents.issuer,
    billTo: {
      profileName: invoice.profile.displayName,
      accountName: invoice.account.displayName,
      // No postal address is stored yet; the profile's name and invoice email identify the payer.
      addressLines: [],
      email: invoice.profile.invoiceEmail,
    },
    invoice: {
      number: invoice.number,
      invoiceDate: invoice.invoiceDate,
      dueDate: invoice.dueDate,
      periodStart: invoice.periodStart,
      periodEnd: invoice.periodEnd,
      currency: invoice.currency,
      subtotalMinor: invoice.subtotalMinor,
      taxMinor: invoice.taxMinor,
      totalMinor: invoice.totalMinor,
    },
    lineItems: invoice.lineItems.map((item) => ({
      serviceName: item.serviceName,
      description: item.description,
      quantity: item.quantity,
      unitPriceMinor: item.unitPriceMinor,
      amountMinor: item.amountMinor,
    })),
    // What period close applied (billing/period-close.ts), one line per credit used.
    credits: invoice.creditApplications.map((application) => ({
      description: application.credit.description,
      amountMinor: application.amountMinor,
    })),
    // Invoices paid by wire transfer (the profile's choice, an agreement paying by wire, or above the card ceiling).
    wireTransfer: byWire ? documents.wireTransferAccount : null,
  };
}

function receiptDocumentData(services: BillingServices, invoice: LoadedInvoice): ReceiptDocumentData | null {
  if (invoice.lifecycle !== 'PAID' || !invoice.paidAt) return null;
  const { wireTransfer: _notOnReceipts, ...data } = invoiceDocumentData(services, invoice);
  const payment = invoice.payments[0];
  return {
    ...data,
    payment: {
      paidAt: invoice.paidAt,
      // Nothing else is ever due on a paid invoice: the amount it asked for.
      amountMinor: documentAmountDueMinor(data),
      method: payment
        ? { kind: 'CARD', brand: cardBrandOf(payment.paymentMethod.brand), last4: payment.paymentMethod.last4 }
        : null,
      reference: payment ? (payment.processorReference ?? null) : null,
    },
  };
}

export interface OpenedDocument {
  kind: DocumentKind;
  filename: string;
  pdf: Buffer;
}

/**
 * Opens a download link: a valid signature and expiry, then the same visibility check as the API
 * for the principal it was issued to, now. Another tenant's invoice, a link issued to someone else
 * and a missing invoice all end in the same NotFoundError.
 */
export async function openDocumentLink(services: BillingServices, token: string): Promise<OpenedDocument> {
  const checked = verifyDocumentLink(services.settings.documents.linkKey, token, services.clock);
  if (!checked.ok) throw new DocumentLinkRefusedError(checked.refusal);
  const { claims } = checked;
  const principal = await principalFromId(services.store, claims.principal);
  const access = await AccessView.load(services.store, principal);
  const invoice = await loadInvoiceForDocument(services, claims.invoiceId);
  if (!invoice || !access.principal || !access.can('READ_BILLING', invoice)) throw new NotFoundError('Document');
  if (claims.kind === 'INVOICE') {
    return {
      kind: 'INVOICE',
      filename: `${invoice.number}.pdf`,
      pdf: await renderInvoicePdf(invoiceDocumentData(services, invoice)),
    };
  }
  const receipt = receiptDocumentData(services, invoice);
  if (!receipt) throw new NotFoundError('Document');
  return { kind: 'RECEIPT', filename: `${invoice.number}-receipt.pdf`, pdf: await renderReceiptPdf(receipt) };
}
