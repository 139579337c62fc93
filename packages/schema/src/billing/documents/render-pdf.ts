// Invoice and receipt PDFs with pdfkit, from plain data. The standard Helvetica fonts need no font
// files; the creation date is the document's own date, so the same data gives the same text.
// pdfkit (with fontkit and its tables, ~50 ms) is imported at the first document, not at start-up.
import { describeMoney } from '../money.js';
import {
  assertDocumentAddsUp,
  documentAmountDueMinor,
  type DocumentPaymentMethod,
  type InvoiceDocumentData,
  type ReceiptDocumentData,
} from './document-data.js';

const REGULAR = { src: 'Helvetica' } as const;
const BOLD = { src: 'Helvetica-Bold' } as const;
const MARGIN = 50;
const INK = '#1b1b1b';
const MUTED = '#5f6368';
const RULE = '#c8ccd0';
const HEAD_FILL = '#eef1f4';

type Doc = PDFKit.PDFDocument;

function money(amountMinor: number, currency: string): string {
  return describeMoney({ minorUnits: amountMinor, currency });
}

const importPdfkit = async () => (await import('pdfkit')).default;
let pdfkit: ReturnType<typeof importPdfkit> | null = null;

async function render(title: string, at: string, draw: (doc: Doc) => void): Promise<Buffer> {
  pdfkit ??= importPdfkit();
  const PDFDocument = await pdfkit;
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    bufferPages: true,
    info: { Title: title, Creator: 'Billing gateway', CreationDate: new Date(`${at.slice(0, 10)}T00:00:00Z`) },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.font(REGULAR.src).fillColor(INK);
  draw(doc);
  footer(doc, title);
  doc.end();
  return done;
}

const contentWidth = (doc: Doc) => doc.page.width - 2 * MARGIN;

/** "Page n of m" and the title on every page, drawn once all pages exist. */
function footer(doc: Doc, title: string): void {
  const { start, count } = doc.bufferedPageRange();
  for (let i = start; i < start + count; i++) {
    doc.switchToPage(i);
    const y = doc.page.height - MARGIN + 10;
    // Below the bottom margin: lift it so the footer does not start a new page.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font(REGULAR.src)
      .fontSize(8)
      .fillColor(MUTED)
      .text(title, MARGIN, y, { width: contentWidth(doc) / 2, lineBreak: false })
      .text(`Page ${i - start + 1} of ${count}`, MARGIN + contentWidth(doc) / 2, y, {
        width: contentWidth(doc) / 2,
        align: 'right',
        lineBreak: false,
      });
    doc.page.margins.bottom = bottom;
  }
}

/** Big title left, issuer right, then label/value pairs under the title. */
function header(doc: Doc, data: InvoiceDocumentData | ReceiptDocumentData, title: string, facts: [string, string][]) {
  const top = doc.y;
  const half = contentWidth(doc) / 2;
  doc.font(BOLD.src).fontSize(24).fillColor(INK).text(title, MARGIN, top, { width: half });
  doc
    .font(BOLD.src)
    .fontSize(11)
    .text(data.issuer.name, MARGIN + half, top + 4, { width: half, align: 'right' });
  doc.font(REGULAR.src).fontSize(9).fillColor(MUTED);
  for (const line of data.issuer.addressLines) doc.text(line, { width: half, align: 'right' });
  const issuerBottom = doc.y;

  doc.y = top + 38;
  for (const [label, value] of facts) {
    pair(
      doc,
      doc.y,
      () => doc.font(REGULAR.src).fontSize(9).fillColor(MUTED).text(label, MARGIN, doc.y, { width: 95 }),
      () =>
        doc
          .font(BOLD.src)
          .fontSize(9)
          .fillColor(INK)
          .text(value, MARGIN + 95, doc.y, { width: half - 95 }),
    );
  }
  doc.y = Math.max(doc.y, issuerBottom) + 18;
  rule(doc);
}

function rule(doc: Doc): void {
  doc
    .moveTo(MARGIN, doc.y)
    .lineTo(MARGIN + contentWidth(doc), doc.y)
    .lineWidth(0.75)
    .strokeColor(RULE)
    .stroke();
  doc.y += 12;
}

function sectionTitle(doc: Doc, text: string): void {
  doc
    .font(BOLD.src)
    .fontSize(10)
    .fillColor(INK)
    .text(text, MARGIN, doc.y, { width: contentWidth(doc) });
  doc.y += 4;
}

function billTo(doc: Doc, data: InvoiceDocumentData | ReceiptDocumentData): void {
  sectionTitle(doc, 'Bill to');
  const { billTo: to } = data;
  doc
    .font(BOLD.src)
    .fontSize(9)
    .fillColor(INK)
    .text(to.profileName, { width: contentWidth(doc) });
  doc.font(REGULAR.src).fillColor(INK);
  doc.text(`Billing account: ${to.accountName}`);
  for (const line of to.addressLines) doc.text(line);
  if (to.email) doc.fillColor(MUTED).text(to.email);
  doc.y += 14;
}

const COLUMNS = [130, '*', 40, 80, 90] as const;
const CELL_PADDING = 6;

/**
 * The line items as tables of whole rows per page, each page's starting with the column headings
 * (pdfkit breaks a long table across pages but does not repeat its heading row).
 */
function lineItems(doc: Doc, data: InvoiceDocumentData | ReceiptDocumentData): void {
  const { currency } = data.invoice;
  const head = (text: string, x: 'left' | 'right' = 'left') => ({
    text,
    font: BOLD,
    backgroundColor: HEAD_FILL,
    align: { x, y: 'center' as const },
    type: 'TH' as const,
  });
  const right = (text: string) => ({ text, align: { x: 'right' as const, y: 'top' as const } });
  const headings = [
    head('Service'),
    head('Description'),
    head('Qty', 'right'),
    head('Unit price', 'right'),
    head('Amount', 'right'),
  ];
  const fixed = COLUMNS.reduce<number>((sum, w) => sum + (typeof w === 'number' ? w : 0), 0);
  const descriptionWidth = contentWidth(doc) - fixed - 2 * CELL_PADDING;
  const serviceWidth = COLUMNS[0] - 2 * CELL_PADDING;

  doc.font(REGULAR.src).fontSize(9).fillColor(INK);
  const rowHeight = (item: (typeof data.lineItems)[number]) =>
    Math.max(
      doc.heightOfString(item.description, { width: descriptionWidth }),
      doc.heightOfString(item.serviceName, { width: serviceWidth }),
    ) +
    2 * 5 +
    1;
  const pageBottom = () => doc.page.height - doc.page.margins.bottom;

  let pending = [...data.lineItems];
  while (pending.length > 0) {
    if (doc.y + 2 * 24 > pageBottom()) doc.addPage();
    let room = pageBottom() - doc.y - 24;
    const rows: typeof pending = [];
    for (const item of pending) {
      const height = rowHeight(item);
      if (rows.length > 0 && height > room) break;
      rows.push(item);
      room -= height;
    }
    pending = pending.slice(rows.length);
    doc.table({
      position: { x: MARGIN, y: doc.y },
      maxWidth: contentWidth(doc),
      columnStyles: [...COLUMNS],
      // Top, right, bottom, left: a rule under each row, no vertical lines.
      defaultStyle: { border: [0, 0, 0.5, 0], borderColor: RULE, padding: [5, CELL_PADDING] },
      data: [
        headings,
        ...rows.map((item) => [
          item.serviceName,
          item.description,
          right(item.quantity.toLocaleString('en-US')),
          right(money(item.unitPriceMinor, currency)),
          right(money(item.amountMinor, currency)),
        ]),
      ],
    });
    if (pending.length > 0) doc.addPage();
  }
  doc.y += 12;
}

/** Writes two cells side by side and moves below the taller one. */
function pair(doc: Doc, y: number, left: () => void, right: () => void): void {
  doc.y = y;
  left();
  const leftBottom = doc.y;
  doc.y = y;
  right();
  doc.y = Math.max(leftBottom, doc.y);
}

/** Label/amount rows aligned to the right edge; the last one bold. */
function totals(doc: Doc, rows: [string, string][], strongLast = true): void {
  const width = 300;
  const labelWidth = 190;
  const x = MARGIN + contentWidth(doc) - width;
  rows.forEach(([label, value], index) => {
    const strong = strongLast && index === rows.length - 1;
    if (strong) {
      doc
        .moveTo(x, doc.y)
        .lineTo(x + width, doc.y)
        .lineWidth(0.75)
        .strokeColor(INK)
        .stroke();
      doc.y += 5;
    }
    const font = strong ? BOLD.src : REGULAR.src;
    doc
      .font(font)
      .fontSize(strong ? 11 : 9)
      .fillColor(INK);
    pair(
      doc,
      doc.y,
      () => doc.text(label, x, doc.y, { width: labelWidth }),
      () => doc.text(value, x + labelWidth, doc.y, { width: width - labelWidth, align: 'right' }),
    );
    doc.y += 3;
  });
  doc.y += 14;
}

function invoiceTotals(doc: Doc, data: InvoiceDocumentData | ReceiptDocumentData, lastLabel: string): void {
  const { invoice } = data;
  totals(doc, [
    ['Subtotal', money(invoice.subtotalMinor, invoice.currency)],
    ['Tax', money(invoice.taxMinor, invoice.currency)],
    ['Total', money(invoice.totalMinor, invoice.currency)],
    ...data.credits.map((credit): [string, string] => [
      `Credit: ${credit.description}`,
      `-${money(credit.amountMinor, invoice.currency)}`,
    ]),
    [lastLabel, money(documentAmountDueMinor(data), invoice.currency)],
  ]);
}

/** A framed block of label/value rows. */
function box(doc: Doc, title: string, rows: [string, string][], note: string): void {
  const width = contentWidth(doc);
  const top = doc.y;
  const padding = 12;
  // Draw the text first, then the frame around what it took.
  doc.y = top + padding;
  doc
    .font(BOLD.src)
    .fontSize(10)
    .fillColor(INK)
    .text(title, MARGIN + padding, doc.y, { width: width - 2 * padding });
  doc.y += 4;
  for (const [label, value] of rows) {
    pair(
      doc,
      doc.y,
      () =>
        doc
          .font(REGULAR.src)
          .fontSize(9)
          .fillColor(MUTED)
          .text(label, MARGIN + padding, doc.y, { width: 130 }),
      () =>
        doc
          .font(BOLD.src)
          .fontSize(9)
          .fillColor(INK)
          .text(value, MARGIN + padding + 130, doc.y, { width: width - 2 * padding - 130 }),
    );
    doc.y += 2;
  }
  doc.y += 4;
  doc
    .font(REGULAR.src)
    .fontSize(8)
    .fillColor(MUTED)
    .text(note, MARGIN + padding, doc.y, { width: width - 2 * padding });
  const bottom = doc.y + padding;
  doc
    .roundedRect(MARGIN, top, width, bottom - top, 4)
    .lineWidth(0.75)
    .strokeColor(RULE)
    .stroke();
  doc.y = bottom + 14;
}

function paymentMethodText(method: DocumentPaymentMethod | null): string {
  if (!method) return 'Not recorded in this system';
  const brand = (b: string) => (b === 'UNKNOWN' ? 'Card' : b[0] + b.slice(1).toLowerCase());
  return method.kind === 'CARD'
    ? `${brand(method.brand)} ending in ${method.last4}`
    : `Wire transfer (bank reference ${method.bankReference})`;
}

/** Keeps a block of about `height` points on one page. */
function keepTogether(doc: Doc, height: number): void {
  if (doc.y + height > doc.page.height - doc.page.margins.bottom) doc.addPage();
}

export function renderInvoicePdf(data: InvoiceDocumentData): Promise<Buffer> {
  assertDocumentAddsUp(data);
  const { invoice } = data;
  const title = `Invoice ${invoice.number}`;
  return render(title, invoice.invoiceDate, (doc) => {
    header(doc, data, 'Invoice', [
      ['Invoice number', invoice.number],
      ['Invoice date', invoice.invoiceDate],
      ['Due date', invoice.dueDate],
      ['Billing period', `${invoice.periodStart} to ${invoice.periodEnd}`],
    ]);
    billTo(doc, data);
    lineItems(doc, data);
    keepTogether(doc, 120);
    invoiceTotals(doc, data, 'Amount due');
    if (data.wireTransfer) {
      keepTogether(doc, 130);
      const wire = data.wireTransfer;
      box(
        doc,
        'Pay by wire transfer',
        [
          ['Bank', wire.bankName],
          ['Account holder', wire.accountHolder],
          ['Account number', wire.accountNumber],
          ['SWIFT/BIC', wire.bankCode],
          ['Amount', money(documentAmountDueMinor(data), invoice.currency)],
          ['Reference to quote', invoice.number],
        ],
        `Quote the invoice number ${invoice.number} as the payment reference, so the transfer can be matched to this invoice.`,
      );
    }
  });
}

export function renderReceiptPdf(data: ReceiptDocumentData): Promise<Buffer> {
  assertDocumentAddsUp(data);
  const { invoice, payment } = data;
  const title = `Receipt for invoice ${invoice.number}`;
  return render(title, payment.paidAt, (doc) => {
    header(doc, data, 'Receipt', [
      ['Invoice number', invoice.number],
      ['Invoice date', invoice.invoiceDate],
      ['Paid on', payment.paidAt.slice(0, 10)],
      ['Billing period', `${invoice.periodStart} to ${invoice.periodEnd}`],
    ]);
    billTo(doc, data);
    lineItems(doc, data);
    keepTogether(doc, 120);
    invoiceTotals(doc, data, 'Amount paid');
    keepTogether(doc, 110);
    box(
      doc,
      'Payment received',
      [
        ['Amount paid', money(payment.amountMinor, invoice.currency)],
        ['Paid on', payment.paidAt.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')],
        ['Payment method', paymentMethodText(payment.method)],
        ['Payment reference', payment.reference ?? 'Not recorded in this system'],
      ],
      `Thank you. This invoice is paid in full; nothing more is due on ${invoice.number}.`,
    );
  });
}
