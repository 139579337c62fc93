// The card rules of payInvoice over HTTP: an Enterprise Agreement cannot pay by card, and a card
// payment above the currency's ceiling is refused. A refusal is typed, carries the ceiling, charges
// nothing and changes nothing; the invoice's `payNow` says the same before anyone tries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpDatabase } from './hardening-support.js';
import { cardId, invoiceId, profileId, startTestGateway, type TestGateway } from './harness.js';

let gw: TestGateway;

const PAY = `mutation($input: PayInvoiceInput!) {
  payInvoice(input: $input) {
    __typename
    ... on Error { code message }
    ... on PaymentMethodNotAllowedError { notAllowedReason ceiling { minorUnits currency } }
    ... on PayInvoiceSuccess { invoice { status } payment { status amount { minorUnits } } }
  }
}`;
const PAY_NOW = `query($id: ID!) { invoice(id: $id) {
  viewerCanPay payNow { offered reason message cardCeiling { minorUnits currency } }
} }`;

const pay = (invoice: number, card: number, idempotencyKey: string, as: 'ada' | 'olga' = 'ada') =>
  gw.gql(PAY, { input: { invoiceId: invoiceId(invoice), paymentMethodId: cardId(card), idempotencyKey } }, as);
const payNow = async (invoice: number, as: 'ada' | 'olga' | 'rita' = 'ada') =>
  (await gw.gql(PAY_NOW, { id: invoiceId(invoice) }, as)).data!.invoice;

/** A due invoice on Contoso Engineering (profile 1, USD) for exactly `totalMinor`. */
async function addEngineeringInvoice(number: string, totalMinor: number): Promise<number> {
  const [row] = await gw.gateway.resources.store.rawQuery<{ id: number }>(
    `INSERT INTO invoices (number, billing_account_id, billing_profile_id, period_start, period_end, invoice_date, due_date,
       currency, subtotal_minor, tax_minor, total_minor, amount_due_minor, lifecycle, created_at, updated_at)
     VALUES (?, 1, 1, '2026-10-01', '2026-10-31', '2026-11-01', '2026-12-01', 'USD', ?, 0, ?, ?, 'OPEN', ?, ?) RETURNING id`,
    [number, totalMinor, totalMinor, totalMinor, '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z'],
  );
  return Number(row!.id);
}

beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw?.close());

describe('an Enterprise Agreement account cannot pay by card', () => {
  it('payInvoice is refused with the reason, charges nothing and writes nothing; a retry is refused the same', async () => {
    const charges = gw.gateway.resources.sandbox.chargeCount();
    const before = await dumpDatabase(gw.gateway.resources.store);
    for (const attempt of [1, 2]) {
      const r = await pay(23, 7, 'ea-card', 'olga');
      expect(r.data!.payInvoice, `attempt ${attempt}`).toEqual({
        __typename: 'PaymentMethodNotAllowedError',
        code: 'PAYMENT_METHOD_NOT_ALLOWED',
        message: 'Accounts on an Enterprise Agreement cannot pay by card. Pay by wire transfer.',
        notAllowedReason: 'AGREEMENT_TYPE',
        ceiling: null,
      });
    }
    expect(await dumpDatabase(gw.gateway.resources.store)).toEqual(before);
    expect(gw.gateway.resources.sandbox.chargeCount()).toBe(charges);
  });

  it('the invoice offers no Pay now to its admin, and says why', async () => {
    expect(await payNow(23, 'olga')).toEqual({
      viewerCanPay: false,
      payNow: {
        offered: false,
        reason: 'AGREEMENT_TYPE',
        message: 'Accounts on an Enterprise Agreement cannot pay by card. Pay by wire transfer.',
        cardCeiling: { minorUnits: 5_000_000, currency: 'USD' },
      },
    });
  });
});

describe('the card ceiling (USD 50,000)', () => {
  it('one minor unit above it is refused with the ceiling in the error; nothing is charged or written', async () => {
    const above = await addEngineeringInvoice('G900000001', 5_000_001);
    const charges = gw.gateway.resources.sandbox.chargeCount();
    const before = await dumpDatabase(gw.gateway.resources.store);
    const r = await pay(above, 1, 'above-ceiling');
    expect(r.data!.payInvoice).toEqual({
      __typename: 'PaymentMethodNotAllowedError',
      code: 'PAYMENT_METHOD_NOT_ALLOWED',
      message: 'Card payments are limited to USD 50,000.00. Pay by wire transfer.',
      notAllowedReason: 'ABOVE_CARD_CEILING',
      ceiling: { minorUnits: 5_000_000, currency: 'USD' },
    });
    expect(await dumpDatabase(gw.gateway.resources.store)).toEqual(before);
    expect(gw.gateway.resources.sandbox.chargeCount()).toBe(charges);
    expect(await payNow(above)).toEqual({
      viewerCanPay: false,
      payNow: {
        offered: false,
        reason: 'ABOVE_CARD_CEILING',
        message: 'Card payments are limited to USD 50,000.00. Pay by wire transfer.',
        cardCeiling: { minorUnits: 5_000_000, currency: 'USD' },
      },
    });
  });

  it('exactly the ceiling is offered and paid, once', async () => {
    const atCeiling = await addEngineeringInvoice('G900000002', 5_000_000);
    expect((await payNow(atCeiling)).payNow).toMatchObject({ offered: true, reason: null, message: null });
    const charges = gw.gateway.resources.sandbox.chargeCount();
    const r = await pay(atCeiling, 1, 'at-ceiling');
    expect(r.data!.payInvoice).toEqual({
      __typename: 'PayInvoiceSuccess',
      invoice: { status: 'PAID' },
      payment: { status: 'SUCCEEDED', amount: { minorUnits: 5_000_000 } },
    });
    expect(gw.gateway.resources.sandbox.chargeCount()).toBe(charges + 1);
  });
});

describe('Pay now for everyone else', () => {
  it('an ordinary due invoice is offered to the admin, with the ceiling shown', async () => {
    expect(await payNow(2)).toEqual({
      viewerCanPay: true,
      payNow: { offered: true, reason: null, message: null, cardCeiling: { minorUnits: 5_000_000, currency: 'USD' } },
    });
  });

  it('a reader is told who may pay; a currency without a ceiling shows none', async () => {
    expect((await payNow(2, 'rita')).payNow).toMatchObject({ offered: false, reason: 'NOT_AUTHORIZED' });
    // Contoso Europe's due invoice is in EUR, which the default table gives no ceiling.
    const europe = await gw.gql(
      `{ billingProfile(id: "${profileId(3)}") { invoices(first: 1, filter: { statuses: [DUE] }) { nodes { payNow { offered cardCeiling { minorUnits } } } } } }`,
      {},
      'ada',
    );
    expect(europe.data!.billingProfile.invoices.nodes).toEqual([{ payNow: { offered: true, cardCeiling: null } }]);
  });
});
