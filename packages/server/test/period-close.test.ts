// A billing period closes against the real gateway's database (both dialects): credits are applied
// before anything is charged, and the API shows the invoice net of them and the credit's history.
import { closeBillingPeriod, grantCredit } from '@billing/schema/billing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountId, invoiceId, startTestGateway, type TestGateway } from './harness.js';
import { pdfText } from './pdf.js';

let gw: TestGateway;
const services = () => gw.gateway.resources.services;

beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw?.close());

const closeEngineering = (periodEnd: string, unitPriceMinor: number) =>
  closeBillingPeriod(services(), {
    billingProfileId: 1,
    periodStart: `${periodEnd.slice(0, 8)}01`,
    periodEnd,
    lineItems: [{ description: 'D4s v5 hours', serviceName: 'Virtual Machines', quantity: 1, unitPriceMinor }],
    taxMinor: 0,
  });

describe('credits at period close', () => {
  it('a partly covering credit: creditApplied and an amountDue net of it; the credit shows what it paid', async () => {
    await grantCredit(services(), {
      billingAccountId: 1,
      description: 'Azure sponsorship',
      amountMinor: 7_500,
      currency: 'USD',
      expiresOn: '2027-06-30',
    });
    const closed = await closeEngineering('2026-11-30', 10_000);
    expect(closed).toMatchObject({ created: true, creditAppliedMinor: 7_500, amountDueMinor: 2_500 });

    const r = await gw.gql(
      `query($id: ID!, $account: ID!) {
        invoice(id: $id) { number status total { minorUnits } creditApplied { minorUnits } amountDue { minorUnits } }
        billingAccount(id: $account) { credits { description remaining { minorUnits } applications { amount { minorUnits } invoice { number } } } }
      }`,
      { id: invoiceId(closed.invoiceId), account: accountId(1) },
    );
    expect(r.data).toEqual({
      invoice: {
        number: closed.invoiceNumber,
        status: 'DUE',
        total: { minorUnits: 10_000 },
        creditApplied: { minorUnits: 7_500 },
        amountDue: { minorUnits: 2_500 },
      },
      billingAccount: {
        credits: [
          {
            description: 'Azure sponsorship',
            remaining: { minorUnits: 0 },
            applications: [{ amount: { minorUnits: 7_500 }, invoice: { number: closed.invoiceNumber } }],
          },
        ],
      },
    });
  });

  it('the invoice PDF lists the credit applied and the amount due net of it', async () => {
    const [invoice] = await gw.gateway.resources.store.rawQuery<{ id: number }>(
      'SELECT invoice_id AS id FROM credit_applications ORDER BY id LIMIT 1',
    );
    const r = await gw.gql(`query($id: ID!) { invoice(id: $id) { documents { kind url } } }`, {
      id: invoiceId(invoice!.id),
    });
    const url = r.data!.invoice.documents.find((d: { kind: string }) => d.kind === 'INVOICE').url;
    const text = pdfText(await (await fetch(new URL(url, gw.url))).arrayBuffer());
    expect(text).toContain('Credit: Azure sponsorship -USD 75.00');
    expect(text).toContain('Amount due USD 25.00');
  });

  it('a rerun of the close issues nothing new and applies no credit twice', async () => {
    await grantCredit(services(), {
      billingAccountId: 1,
      description: 'Second credit',
      amountMinor: 1_000,
      currency: 'USD',
      expiresOn: null,
    });
    const again = await closeEngineering('2026-11-30', 10_000);
    expect(again).toMatchObject({ created: false, creditAppliedMinor: 7_500, amountDueMinor: 2_500 });
    const [row] = await gw.gateway.resources.store.rawQuery<{ n: number }>(
      'SELECT CAST(count(*) AS INTEGER) AS n FROM credit_applications',
    );
    expect(Number(row!.n)).toBe(1);
  });

  it("another tenant sees none of Contoso's credits, and a profile-level role sees none either", async () => {
    const probe = `query($account: ID!) { billingAccount(id: $account) { credits { description } } }`;
    expect((await gw.gql(probe, { account: accountId(1) }, 'olga')).data).toEqual({ billingAccount: null });
    expect((await gw.gql(probe, { account: accountId(1) }, 'ivan')).data!.billingAccount?.credits ?? []).toEqual([]);
  });
});
