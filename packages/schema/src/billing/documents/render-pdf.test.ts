// Renders real PDFs and reads them back with poppler (Debian's poppler-utils): pdftotext for the
// content, pdftoppm for PNGs under artifacts/documents/ that a person can look at.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeMoney } from '../money.js';
import { documentAmountDueMinor } from './document-data.js';
import { renderInvoicePdf, renderReceiptPdf } from './render-pdf.js';
import { longInvoiceDocument, sampleInvoiceDocument, sampleReceiptDocument } from './test-documents.js';

const ARTIFACTS = fileURLToPath(new URL('../../../artifacts/documents/', import.meta.url));
const usd = (minorUnits: number) => describeMoney({ minorUnits, currency: 'USD' });

function pdftotext(file: string): string {
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

/** Writes the PDF and its pages as PNGs; returns the PDF's path and the PNG names. */
function keep(name: string, pdf: Buffer): { file: string; pngs: string[] } {
  const file = `${ARTIFACTS}${name}.pdf`;
  writeFileSync(file, pdf);
  execFileSync('pdftoppm', ['-png', '-r', '80', file, `${ARTIFACTS}${name}`]);
  return { file, pngs: readdirSync(ARTIFACTS).filter((f) => f.startsWith(`${name}-`) && f.endsWith('.png')) };
}

/** pdftotext -layout puts a lot of spaces between columns: compare words, not spacing. */
const squeeze = (text: string) => text.replace(/[ \t]+/g, ' ');

beforeAll(() => {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
  } catch {
    throw new Error("pdftotext is missing: install Debian's poppler-utils (apt-get install -y poppler-utils).");
  }
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
});

describe('invoice PDF', () => {
  it('shows the number, the bill-to address, every line item, tax, credits, total, amount due and wire details', async () => {
    const data = sampleInvoiceDocument();
    const { file, pngs } = keep('invoice', await renderInvoicePdf(data));
    const text = squeeze(pdftotext(file));
    expect(text).toContain('G012345678');
    expect(text).toContain('Contoso Engineering');
    for (const line of data.billTo.addressLines) expect(text).toContain(line);
    for (const item of data.lineItems) {
      expect(text).toContain(item.serviceName);
      expect(text).toContain(usd(item.amountMinor));
    }
    // The long description wraps; its first words and last word are both there.
    expect(text).toContain('General Purpose, 4 vCores');
    expect(text).toContain('column');
    expect(text).toContain(`Tax ${usd(data.invoice.taxMinor)}`);
    expect(text).toContain(`Total ${usd(data.invoice.totalMinor)}`);
    expect(text).toContain(`Credit: Azure credit (expires 2026-12-31) -${usd(50_000)}`);
    expect(text).toContain(`Amount due ${usd(documentAmountDueMinor(data))}`);
    expect(text).toContain('Northwind Bank N.A.');
    expect(text).toContain('IE29 NWBK 9311 5212 3456 78');
    expect(text).toContain('Reference to quote G012345678');
    expect(pngs).toEqual(['invoice-1.png']);
  });

  it('prints no wire instructions for a profile that does not pay by wire transfer', async () => {
    const { file } = keep('invoice-card', await renderInvoicePdf(sampleInvoiceDocument({ wireTransfer: null })));
    const text = pdftotext(file);
    expect(text).toContain('G012345678');
    expect(text).not.toContain('wire transfer');
    expect(text).not.toContain('Reference to quote');
  });

  it('runs long invoices onto more pages, with the amounts and "Page n of m" on each', async () => {
    const data = longInvoiceDocument();
    const { file, pngs } = keep('invoice-long', await renderInvoicePdf(data));
    const text = squeeze(pdftotext(file));
    for (const item of data.lineItems) expect(text).toContain(`${item.serviceName} `);
    expect(text).toContain(`Total ${usd(data.invoice.totalMinor)}`);
    expect(pngs.length).toBeGreaterThan(1);
    expect(text).toContain(`Page ${pngs.length} of ${pngs.length}`);
    // Every page's table starts with the column headings.
    expect(text.match(/Service Description Qty Unit price Amount/g)?.length).toBe(pngs.length);
  });

  it('refuses data that does not add up, instead of printing it', async () => {
    const data = sampleInvoiceDocument();
    expect(() =>
      renderInvoicePdf({ ...data, invoice: { ...data.invoice, totalMinor: data.invoice.totalMinor + 1 } }),
    ).toThrow(/total/);
    expect(() =>
      renderInvoicePdf({ ...data, lineItems: [{ ...data.lineItems[0]!, amountMinor: 1 }, ...data.lineItems.slice(1)] }),
    ).toThrow(/quantity x unit price/);
    expect(() =>
      renderInvoicePdf({ ...data, credits: [{ description: 'too much', amountMinor: data.invoice.totalMinor + 1 }] }),
    ).toThrow(/credits exceed/);
  });
});

describe('receipt PDF', () => {
  it('shows the invoice, the amount paid, when, the card and the payment reference', async () => {
    const data = sampleReceiptDocument();
    const { file, pngs } = keep('receipt', await renderReceiptPdf(data));
    const text = squeeze(pdftotext(file));
    expect(text).toContain('Receipt');
    expect(text).toContain('G012345678');
    for (const item of data.lineItems) expect(text).toContain(item.serviceName);
    expect(text).toContain(`Amount paid ${usd(data.payment.amountMinor)}`);
    expect(text).toContain('2026-11-20 14:03:11 UTC');
    expect(text).toContain('Visa ending in 4242');
    expect(text).toContain(data.payment.reference);
    expect(pngs).toEqual(['receipt-1.png']);
  });

  it('says so when the payment was not recorded here, instead of inventing a method', async () => {
    const data = sampleReceiptDocument();
    const { file } = keep(
      'receipt-unrecorded',
      await renderReceiptPdf({ ...data, payment: { ...data.payment, method: null, reference: null } }),
    );
    const text = squeeze(pdftotext(file));
    expect(text).toContain('Payment method Not recorded in this system');
    expect(text).not.toContain('Visa');
  });

  it('refuses a payment that is not the amount due', async () => {
    const data = sampleReceiptDocument();
    expect(() => renderReceiptPdf({ ...data, payment: { ...data.payment, amountMinor: 1 } })).toThrow(/payment/);
  });
});
