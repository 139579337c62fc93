// The demo seed shows each case of the pay-your-bill story, as the README's "Try it" steps use them:
// Tailspin's autopay profile with a declining card, credits, an invoice above the card ceiling, and a
// profile paying by wire transfer; Fabrikam, the Enterprise Agreement, cannot pay by card.
import { closeBillingPeriod } from '@billing/schema/billing';
import { demoUsageFor } from '@billing/schema/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './harness.js';

let gw: TestGateway;
let tom: string;
beforeAll(async () => {
  gw = await startTestGateway();
  tom = await gw.gateway.authenticator.mintUserToken(6);
});
afterAll(() => gw?.close());

const TAILSPIN = `{ viewer { billingAccounts {
  displayName agreementType
  credits { description remaining { minorUnits } expiresOn }
  billingProfiles {
    displayName autopay defaultPaymentType defaultPaymentMethod { last4 }
    invoices(first: 5, filter: { statuses: [DUE, PAST_DUE] }) { nodes {
      number amountDue { minorUnits } payNow { offered reason cardCeiling { minorUnits } } paymentInstructions { reference }
    } }
  }
} } }`;

describe('the demo seed', () => {
  it('Tailspin: an autopay profile with a declining card and an invoice above the ceiling, a wire profile, credits', async () => {
    const r = await gw.gql(TAILSPIN, {}, { token: tom });
    const [account] = r.data!.viewer.billingAccounts;
    expect(account).toMatchObject({ displayName: 'Tailspin Toys', agreementType: 'MICROSOFT_CUSTOMER_AGREEMENT' });
    expect(account.credits.map((c: { remaining: { minorUnits: number } }) => c.remaining.minorUnits)).toEqual([
      15_000, 5_000,
    ]);
    const [autopay, wire] = account.billingProfiles;
    expect(autopay).toMatchObject({
      autopay: true,
      defaultPaymentType: 'CARD',
      defaultPaymentMethod: { last4: '0002' },
    });
    expect(autopay.invoices.nodes).toEqual([
      {
        number: 'G900062500',
        amountDue: { minorUnits: 6_250_000 },
        payNow: { offered: false, reason: 'ABOVE_CARD_CEILING', cardCeiling: { minorUnits: 5_000_000 } },
        paymentInstructions: { reference: 'G900062500' },
      },
    ]);
    expect(wire.defaultPaymentType).toBe('WIRE_TRANSFER');
    expect(wire.invoices.nodes).toHaveLength(1);
    expect(wire.invoices.nodes[0].paymentInstructions.reference).toBe(wire.invoices.nodes[0].number);
  });

  it('closing a period on the autopay profile applies the usable credit, then the card declines: Pay now', async () => {
    const closed = await closeBillingPeriod(gw.gateway.resources.services, {
      billingProfileId: 6,
      periodStart: '2026-11-01',
      periodEnd: '2026-11-30',
      ...demoUsageFor(6, '2026-11-30'),
    });
    // The expired credit is skipped; the sponsorship credit pays the first USD 150.
    expect(closed.creditAppliedMinor).toBe(Math.min(15_000, closed.totalMinor));
    expect(closed.autopay.kind).toBe(closed.amountDueMinor > 0 ? 'declined' : 'not-due');
  });
});
