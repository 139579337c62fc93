// What an invoice PDF or receipt shows, as plain data: the renderer reads nothing else (no
// database), so the same object can come from either dialect's store or a test.
import type { CardBrand } from '../payment-processor.js';

export const DOCUMENT_KINDS = ['INVOICE', 'RECEIPT'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** Who issues the documents (printed in the header). */
export interface DocumentIssuer {
  name: string;
  addressLines: string[];
}

export interface DocumentBillTo {
  /** The billing profile's name. */
  profileName: string;
  accountName: string;
  addressLines: string[];
  email: string | null;
}

export interface DocumentLineItem {
  serviceName: string;
  description: string;
  quantity: number;
  unitPriceMinor: number;
  amountMinor: number;
}

export interface DocumentCredit {
  description: string;
  amountMinor: number;
}

/** The bank account a wire transfer goes to. The reference to quote is always the invoice number. */
export interface WireTransferAccount {
  bankName: string;
  accountHolder: string;
  accountNumber: string;
  /** SWIFT/BIC, or a national routing code. */
  bankCode: string;
}

export interface InvoiceDocumentData {
  issuer: DocumentIssuer;
  billTo: DocumentBillTo;
  invoice: {
    number: string;
    invoiceDate: string;
    dueDate: string;
    periodStart: string;
    periodEnd: string;
    currency: string;
    subtotalMinor: number;
    taxMinor: number;
    totalMinor: number;
  };
  lineItems: DocumentLineItem[];
  credits: DocumentCredit[];
  /** Present when the profile pays by wire transfer. */
  wireTransfer: WireTransferAccount | null;
}

export type DocumentPaymentMethod =
  | { kind: 'CARD'; brand: CardBrand; last4: string }
  | { kind: 'WIRE_TRANSFER'; bankReference: string };

export interface ReceiptDocumentData extends Omit<InvoiceDocumentData, 'wireTransfer'> {
  payment: {
    paidAt: string;
    amountMinor: number;
    /** Null for an invoice marked paid without a payment recorded here (imported history). */
    method: DocumentPaymentMethod | null;
    /** The processor's or bank's reference for the payment; null when none was recorded. */
    reference: string | null;
  };
}

function assertMinor(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} is not a minor-unit amount: ${value}`);
}

/** What the invoice asks to be paid: the total less credits (the stored amount due drops to zero once paid). */
export function documentAmountDueMinor(data: Pick<InvoiceDocumentData, 'invoice' | 'credits'>): number {
  return data.invoice.totalMinor - data.credits.reduce((sum, credit) => sum + credit.amountMinor, 0);
}

/**
 * A document must add up: line items to the subtotal, subtotal and tax to the total, credits to no
 * more than the total, and a receipt's payment to the amount due. One that does not is refused
 * rather than printed.
 */
export function assertDocumentAddsUp(data: InvoiceDocumentData | ReceiptDocumentData): void {
  const { invoice } = data;
  for (const item of data.lineItems) {
    assertMinor(item.amountMinor, `line item "${item.description}"`);
    assertMinor(item.unitPriceMinor, `unit price of "${item.description}"`);
    if (!Number.isSafeInteger(item.quantity) || item.quantity * item.unitPriceMinor !== item.amountMinor) {
      throw new RangeError(`line item "${item.description}": quantity x unit price is not its amount`);
    }
  }
  for (const credit of data.credits) assertMinor(credit.amountMinor, `credit "${credit.description}"`);
  assertMinor(invoice.taxMinor, 'tax');
  const subtotal = data.lineItems.reduce((sum, item) => sum + item.amountMinor, 0);
  if (subtotal !== invoice.subtotalMinor) throw new RangeError('the line items do not add up to the subtotal');
  if (invoice.subtotalMinor + invoice.taxMinor !== invoice.totalMinor) {
    throw new RangeError('subtotal and tax do not add up to the total');
  }
  const due = documentAmountDueMinor(data);
  if (due < 0) throw new RangeError('the credits exceed the total');
  if ('payment' in data && data.payment.amountMinor !== due) {
    throw new RangeError('the payment is not the amount due');
  }
}
