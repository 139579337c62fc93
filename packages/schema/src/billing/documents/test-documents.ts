// Sample document data for the renderer's tests and the server route's tests.
import type { DocumentLineItem, InvoiceDocumentData, ReceiptDocumentData } from './document-data.js';

const item = (
  serviceName: string,
  description: string,
  quantity: number,
  unitPriceMinor: number,
): DocumentLineItem => ({
  serviceName,
  description,
  quantity,
  unitPriceMinor,
  amountMinor: quantity * unitPriceMinor,
});

const LINE_ITEMS = [
  item('Virtual Machines', 'D4s v5 compute hours, West Europe', 1_440, 192),
  item('Storage', 'Premium SSD managed disks (P30), per disk-month', 6, 13_517),
  item(
    'Azure SQL Database',
    'General Purpose, 4 vCores, zone-redundant: a long description that has to wrap onto a second line in its column',
    720,
    1_011,
  ),
  item('Bandwidth', 'Data transfer out, first 10 TB tier (GB)', 2_350, 8),
];

export function sampleInvoiceDocument(overrides: Partial<InvoiceDocumentData> = {}): InvoiceDocumentData {
  const lineItems = overrides.lineItems ?? LINE_ITEMS;
  const subtotalMinor = lineItems.reduce((sum, i) => sum + i.amountMinor, 0);
  const taxMinor = Math.floor((subtotalMinor * 19) / 100);
  return {
    issuer: { name: 'Contoso Cloud Billing', addressLines: ['1 Harbour Street', 'Dublin D02 XY45', 'Ireland'] },
    billTo: {
      profileName: 'Contoso Engineering',
      accountName: 'Contoso Ltd',
      addressLines: ['Attn: Accounts Payable', '400 Market Avenue, Floor 7', 'Seattle, WA 98101', 'United States'],
      email: 'ap@contoso.example',
    },
    invoice: {
      number: 'G012345678',
      invoiceDate: '2026-11-01',
      dueDate: '2026-12-01',
      periodStart: '2026-10-01',
      periodEnd: '2026-10-31',
      currency: 'USD',
      subtotalMinor,
      taxMinor,
      totalMinor: subtotalMinor + taxMinor,
    },
    lineItems,
    credits: [{ description: 'Azure credit (expires 2026-12-31)', amountMinor: 50_000 }],
    wireTransfer: {
      bankName: 'Northwind Bank N.A.',
      accountHolder: 'Contoso Cloud Billing Ltd',
      accountNumber: 'IE29 NWBK 9311 5212 3456 78',
      bankCode: 'NWBKIE2D',
    },
    ...overrides,
  };
}

export function sampleReceiptDocument(): ReceiptDocumentData {
  const { wireTransfer: _wire, ...invoice } = sampleInvoiceDocument();
  const credited = invoice.credits.reduce((sum, c) => sum + c.amountMinor, 0);
  return {
    ...invoice,
    payment: {
      paidAt: '2026-11-20T14:03:11.000Z',
      amountMinor: invoice.invoice.totalMinor - credited,
      method: { kind: 'CARD', brand: 'VISA', last4: '4242' },
      reference: 'ch_sandbox_5f0c2a9e41d7b3c8a6e2f105',
    },
  };
}

/** Enough line items to run onto a second page. */
export function longInvoiceDocument(): InvoiceDocumentData {
  const lineItems = Array.from({ length: 45 }, (_, i) =>
    item(`Service ${String(i + 1).padStart(2, '0')}`, `Usage line ${i + 1}, metered hourly`, 10 + i, 1_000 + i * 37),
  );
  return sampleInvoiceDocument({ lineItems, credits: [] });
}
