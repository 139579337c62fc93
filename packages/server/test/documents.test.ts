// Invoice documents over real HTTP: links from the API, PDFs from GET /documents/<token> read back
// with pdftotext, and every refusal (another tenant, tampered, expired) changes nothing and says nothing.
import { describeMoney, signDocumentLink } from '@billing/schema/billing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardId, invoiceId, startTestGateway, type Caller, type TestGateway } from './harness.js';
import { pdfText } from './pdf.js';

let gw: TestGateway;
let origin: string;

const DOCUMENTS = `query($id: ID!) {
  node(id: $id) { ... on Invoice { number status documents { kind url expiresAt } } }
}`;

interface InvoiceRow {
  id: number;
  number: string;
  total_minor: number;
  currency: string;
}

async function invoiceWhere(where: string): Promise<InvoiceRow> {
  const [row] = await gw.gateway.resources.store.rawQuery<InvoiceRow>(
    `SELECT id, number, CAST(total_minor AS INTEGER) AS total_minor, currency FROM invoices WHERE ${where} ORDER BY id LIMIT 1`,
  );
  if (!row) throw new Error(`no seeded invoice where ${where}`);
  return row;
}

function lineItemsOf(id: number): Promise<{ service_name: string; amount_minor: number }[]> {
  return gw.gateway.resources.store.rawQuery(
    'SELECT service_name, CAST(amount_minor AS INTEGER) AS amount_minor FROM invoice_line_items WHERE invoice_id = ? ORDER BY position',
    [id],
  );
}

async function documentsOf(id: number, as: Caller) {
  const r = await gw.gql(DOCUMENTS, { id: invoiceId(id) }, as);
  expect(r.errors).toBeUndefined();
  return (r.data!.node as { documents: { kind: string; url: string; expiresAt: string }[] } | null)?.documents ?? null;
}

/** A plain GET, as a browser following the link sends it: no Authorization header. */
const download = (url: string, init?: RequestInit) => fetch(new URL(url, origin), init);

const key = () => gw.gateway.resources.services.settings.documents.linkKey;

beforeAll(async () => {
  gw = await startTestGateway();
  origin = new URL(gw.url).origin;
});
afterAll(async () => {
  await gw?.close();
});

describe('authorized downloads', () => {
  it('a paid invoice has its PDF and its receipt; each downloads without credentials and reads back right', async () => {
    const paid = await invoiceWhere("billing_account_id = 1 AND lifecycle = 'PAID'");
    const documents = await documentsOf(paid.id, 'ada');
    expect(documents!.map((d) => d.kind)).toEqual(['INVOICE', 'RECEIPT']);
    expect(Date.parse(documents![0]!.expiresAt) - gw.clock.now().getTime()).toBe(5 * 60 * 1000);

    const invoice = await download(documents![0]!.url);
    expect(invoice.status).toBe(200);
    expect(invoice.headers.get('content-type')).toBe('application/pdf');
    expect(invoice.headers.get('content-disposition')).toBe(`attachment; filename="${paid.number}.pdf"`);
    expect(invoice.headers.get('cache-control')).toBe('private, no-store');
    const text = pdfText(await invoice.arrayBuffer());
    expect(text).toContain(paid.number);
    const items = await lineItemsOf(paid.id);
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) {
      expect(text).toContain(item.service_name);
      expect(text).toContain(describeMoney({ minorUnits: item.amount_minor, currency: paid.currency }));
    }
    expect(text).toContain(`Total ${describeMoney({ minorUnits: paid.total_minor, currency: paid.currency })}`);
    // Contoso pays by card: no wire instructions.
    expect(text).not.toContain('Reference to quote');

    // Seeded history: paid before this system recorded payments.
    const receipt = await download(documents![1]!.url);
    expect(receipt.status).toBe(200);
    expect(receipt.headers.get('content-disposition')).toBe(`attachment; filename="${paid.number}-receipt.pdf"`);
    const receiptText = pdfText(await receipt.arrayBuffer());
    expect(receiptText).toContain(`Receipt for invoice ${paid.number}`);
    expect(receiptText).toContain(
      `Amount paid ${describeMoney({ minorUnits: paid.total_minor, currency: paid.currency })}`,
    );
    expect(receiptText).toContain('Payment method Not recorded in this system');
  });

  it('paying with Pay now adds the receipt, naming the card and the processor reference', async () => {
    const open = await invoiceWhere('id = 2');
    expect((await documentsOf(open.id, 'ada'))!.map((d) => d.kind)).toEqual(['INVOICE']);
    const paid = await gw.gql(
      `mutation($input: PayInvoiceInput!) { payInvoice(input: $input) { __typename } }`,
      { input: { invoiceId: invoiceId(open.id), paymentMethodId: cardId(1), idempotencyKey: 'documents-receipt' } },
      'ada',
    );
    expect(paid.data!.payInvoice.__typename).toBe('PayInvoiceSuccess');
    const [payment] = await gw.gateway.resources.store.rawQuery<{ reference: string; last4: string }>(
      "SELECT p.processor_reference AS reference, m.last4 FROM payments p JOIN payment_methods m ON m.id = p.payment_method_id WHERE p.invoice_id = ? AND p.status = 'SUCCEEDED'",
      [open.id],
    );

    const documents = await documentsOf(open.id, 'ada');
    expect(documents!.map((d) => d.kind)).toEqual(['INVOICE', 'RECEIPT']);
    const text = pdfText(await (await download(documents![1]!.url)).arrayBuffer());
    expect(text).toContain(`ending in ${payment!.last4}`);
    expect(text).toContain(`Payment reference ${payment!.reference}`);
    expect(text).toContain(`Amount paid ${describeMoney({ minorUnits: open.total_minor, currency: open.currency })}`);
  });

  it('an unpaid invoice has no receipt; a reader may download the invoice PDF too', async () => {
    const open = await invoiceWhere("billing_account_id = 1 AND lifecycle = 'OPEN'");
    const documents = await documentsOf(open.id, 'rita');
    expect(documents!.map((d) => d.kind)).toEqual(['INVOICE']);
    expect((await download(documents![0]!.url)).status).toBe(200);
  });

  it("an Enterprise Agreement's invoice carries the wire transfer instructions, quoting the invoice number", async () => {
    const fabrikam = await invoiceWhere(
      "billing_account_id = (SELECT id FROM billing_accounts WHERE display_name = 'Fabrikam Inc')",
    );
    const documents = await documentsOf(fabrikam.id, 'olga');
    const text = pdfText(await (await download(documents![0]!.url)).arrayBuffer());
    expect(text).toContain('Pay by wire transfer');
    expect(text).toContain(`Reference to quote ${fabrikam.number}`);
  });
});

describe('refused downloads change nothing and tell nothing', () => {
  /** What a link to an invoice that does not exist answers: every refusal below must match it exactly. */
  async function missing() {
    const { token } = signDocumentLink(key(), { kind: 'INVOICE', invoiceId: 999_999, principal: 'user:1' }, gw.clock);
    const response = await download(`/documents/${token}`);
    return { status: response.status, body: await response.text() };
  }

  it("another tenant's invoice: no links through the API, and a link signed for them is refused like a missing one", async () => {
    const contoso = await invoiceWhere("billing_account_id = 1 AND lifecycle = 'PAID'");
    expect(await documentsOf(contoso.id, 'olga')).toBeNull();
    // Olga's principal, Contoso's invoice, signed with the server's own key: access is checked at download.
    const { token } = signDocumentLink(
      key(),
      { kind: 'INVOICE', invoiceId: contoso.id, principal: 'user:5' },
      gw.clock,
    );
    const response = await download(`/documents/${token}`);
    const expected = await missing();
    expect(expected.status).toBe(404);
    expect({ status: response.status, body: await response.text() }).toEqual(expected);
  });

  it("a profile-only user's link to another profile's invoice is refused", async () => {
    const marketing = await invoiceWhere('billing_profile_id = 2');
    expect(await documentsOf(marketing.id, 'ivan')).toBeNull();
    const { token } = signDocumentLink(
      key(),
      { kind: 'INVOICE', invoiceId: marketing.id, principal: 'user:4' },
      gw.clock,
    );
    expect((await download(`/documents/${token}`)).status).toBe(404);
  });

  it('a tampered link (another invoice, kind or principal in it; a cut signature) is refused like a missing one', async () => {
    const paid = await invoiceWhere("billing_account_id = 1 AND lifecycle = 'PAID'");
    const other = await invoiceWhere(`billing_account_id = 1 AND id <> ${paid.id}`);
    const [link] = (await documentsOf(paid.id, 'ada'))!;
    const [version, body, signature] = link!.url.slice('/documents/'.length).split('.');
    const fields = JSON.parse(Buffer.from(body!, 'base64url').toString()) as unknown[];
    const reencode = (changed: unknown[]) =>
      `/documents/${version}.${Buffer.from(JSON.stringify(changed)).toString('base64url')}.${signature}`;
    const expected = await missing();
    for (const url of [
      reencode([fields[0], other.id, fields[2], fields[3]]),
      reencode(['RECEIPT', fields[1], fields[2], fields[3]]),
      reencode([fields[0], fields[1], 'user:5', fields[3]]),
      reencode([fields[0], fields[1], fields[2], (fields[3] as number) + 86_400]),
      link!.url.slice(0, -3),
      '/documents/',
      '/documents/not-a-token',
    ]) {
      const response = await download(url);
      expect({ url, status: response.status, body: await response.text() }).toEqual({ url, ...expected });
    }
    // The untouched link still works.
    expect((await download(link!.url)).status).toBe(200);
  });

  it('a receipt link for an invoice that is not paid is refused', async () => {
    const open = await invoiceWhere("billing_account_id = 1 AND lifecycle = 'OPEN'");
    const { token } = signDocumentLink(key(), { kind: 'RECEIPT', invoiceId: open.id, principal: 'user:1' }, gw.clock);
    expect((await download(`/documents/${token}`)).status).toBe(404);
  });

  it('an expired link answers 410 and asks for a new one; other methods than GET are refused', async () => {
    const paid = await invoiceWhere("billing_account_id = 1 AND lifecycle = 'PAID'");
    const [link] = (await documentsOf(paid.id, 'ada'))!;
    expect((await download(link!.url, { method: 'POST' })).status).toBe(405);
    gw.clock.advance(5 * 60 * 1000);
    const expired = await download(link!.url);
    expect(expired.status).toBe(410);
    expect(await expired.json()).toEqual({
      error: 'This download link has expired. Open the invoice again for a new one.',
    });
    // A new read of the invoice gives a fresh link.
    const [fresh] = (await documentsOf(paid.id, 'ada'))!;
    expect((await download(fresh!.url)).status).toBe(200);
  });
});
