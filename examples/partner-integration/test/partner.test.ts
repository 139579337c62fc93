// The partner script against the real gateway: an API key made by the owner through the SDK, the
// sandbox processor's ledger as the judge of what was charged.
import { createBillingClient, type BillingClient } from '@billing/sdk';
import { accountId, cardId, invoiceId, startTestGateway, type TestGateway } from '@billing/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/pay-due-invoices.js';

/** Contoso's unpaid invoices on the harness's 2026-11-29: Engineering 1 to 3, Marketing 11 and 12, Europe 17. */
const CONTOSO_UNPAID = [1, 2, 3, 11, 12, 17];
const ENGINEERING_UNPAID = [1, 2, 3];

interface Setup {
  gw: TestGateway;
  ada: BillingClient;
  apiKey: string;
  numbers: Map<number, string>;
}

async function setup(): Promise<Setup> {
  const gw = await startTestGateway();
  const ada = createBillingClient({ url: gw.url, token: gw.tokens.ada });
  const created = await ada.createApiKey({
    billingAccountId: accountId(1),
    name: 'partner integration example',
    scopes: ['INVOICES_READ', 'PAYMENT_METHODS_READ', 'PAYMENTS_WRITE'],
  });
  if (created.__typename !== 'CreateApiKeySuccess') throw new Error(`createApiKey: ${created.__typename}`);
  const numbers = new Map<number, string>();
  for (const id of CONTOSO_UNPAID) numbers.set(id, (await ada.invoice(invoiceId(id)))!.number);
  return { gw, ada, apiKey: created.secret, numbers };
}

async function run({ gw, apiKey }: Setup) {
  let output = '';
  const result = await main({
    env: { BILLING_API_KEY: apiKey, BILLING_GATEWAY_URL: gw.url },
    write: (text) => (output += text),
  });
  return { ...result, output };
}

const ledger = ({ gw }: Setup) => ({
  succeeded: gw.gateway.resources.sandbox.chargeCount({ status: 'SUCCEEDED' }),
  attempts: gw.gateway.resources.sandbox.chargeCount(),
});

async function statuses({ ada }: Setup, ids: number[]) {
  return Promise.all(ids.map(async (id) => (await ada.invoice(invoiceId(id)))!.status));
}

describe('a clean run', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup();
  });
  afterAll(async () => {
    await s?.gw.close();
  });

  it('pays every due and past-due invoice with its profile default card, and says so', async () => {
    const before = ledger(s);
    const { exitCode, rows, output } = await run(s);

    expect(exitCode).toBe(0);
    expect(rows.map((r) => r.invoice).sort()).toEqual([...s.numbers.values()].sort());
    expect(rows.every((r) => r.ok)).toBe(true);
    expect(await statuses(s, CONTOSO_UNPAID)).toEqual(CONTOSO_UNPAID.map(() => 'PAID'));
    expect(ledger(s)).toEqual({ succeeded: before.succeeded + 6, attempts: before.attempts + 6 });

    // The table: invoice number, profile, amount, outcome; each profile's own default card.
    expect(output).toMatch(/^Invoice\s+Profile\s+Amount\s+Outcome$/m);
    expect(output).toMatch(
      new RegExp(`^${s.numbers.get(3)}\\s+Contoso Engineering\\s+\\d+\\.\\d{2} USD\\s+paid with visa 4242$`, 'm'),
    );
    expect(output).toMatch(
      new RegExp(`^${s.numbers.get(12)}\\s+Contoso Marketing\\s+\\d+\\.\\d{2} USD\\s+paid with amex 8431$`, 'm'),
    );
    expect(output).toMatch(
      new RegExp(`^${s.numbers.get(17)}\\s+Contoso Europe\\s+\\d+\\.\\d{2} EUR\\s+paid with visa 1881$`, 'm'),
    );
    expect(output).toContain('6 paid, 0 failed');
  });

  it('a second run charges nothing and exits 0', async () => {
    const before = ledger(s);
    const { exitCode, rows, output } = await run(s);
    expect(exitCode).toBe(0);
    expect(rows).toEqual([]);
    expect(output).toContain('nothing to pay');
    expect(ledger(s)).toEqual(before);
  });

  it('without a key it exits 2 and explains', async () => {
    let output = '';
    const result = await main({ env: { BILLING_GATEWAY_URL: s.gw.url }, write: (text) => (output += text) });
    expect(result.exitCode).toBe(2);
    expect(output).toContain('BILLING_API_KEY is not set');
  });
});

describe('two overlapping runs (say, a cron job that fired twice)', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup();
  });
  afterAll(async () => {
    await s?.gw.close();
  });

  it('charge each invoice exactly once, and both report success', async () => {
    const before = ledger(s);
    const [first, second] = await Promise.all([run(s), run(s)]);
    expect([first.exitCode, second.exitCode]).toEqual([0, 0]);
    expect(first.rows.length).toBe(6);
    expect(await statuses(s, CONTOSO_UNPAID)).toEqual(CONTOSO_UNPAID.map(() => 'PAID'));
    expect(ledger(s)).toEqual({ succeeded: before.succeeded + 6, attempts: before.attempts + 6 });
  });
});

describe('a declining default card', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup();
    // Contoso Engineering's default becomes card 3, the Visa ending 0002 that the sandbox declines.
    const chosen = await s.ada.setDefaultPaymentMethod(cardId(3));
    if (chosen.__typename !== 'SetDefaultPaymentMethodSuccess')
      throw new Error(`setDefaultPaymentMethod: ${chosen.__typename}`);
  });
  afterAll(async () => {
    await s?.gw.close();
  });

  it('exits non-zero, shows the decline in the table, and still pays the other profiles', async () => {
    const before = ledger(s);
    const { exitCode, rows, output } = await run(s);

    expect(exitCode).toBe(1);
    for (const id of ENGINEERING_UNPAID) {
      const row = rows.find((r) => r.invoice === s.numbers.get(id))!;
      expect(row).toMatchObject({ profile: 'Contoso Engineering', ok: false });
      expect(row.outcome).toBe('declined (GENERIC_DECLINE) with visa 0002: The card was declined.');
      expect(output).toMatch(
        new RegExp(`^${s.numbers.get(id)}\\s+Contoso Engineering\\s+\\S+ USD\\s+declined \\(GENERIC_DECLINE\\)`, 'm'),
      );
    }
    expect(rows.filter((r) => r.ok).length).toBe(3);
    expect(output).toContain('3 paid, 3 failed');
    expect(await statuses(s, ENGINEERING_UNPAID)).toEqual(['DUE', 'PAST_DUE', 'PAST_DUE']);
    expect(await statuses(s, [11, 12, 17])).toEqual(['PAID', 'PAID', 'PAID']);
    // Three charges went through; three were attempted and declined.
    expect(ledger(s)).toEqual({ succeeded: before.succeeded + 3, attempts: before.attempts + 6 });
  });

  it('a rerun with the same card replays the declines without asking the processor again', async () => {
    const before = ledger(s);
    const { exitCode, rows } = await run(s);
    expect(exitCode).toBe(1);
    expect(rows.map((r) => r.outcome)).toEqual(
      ENGINEERING_UNPAID.map(() => 'declined (GENERIC_DECLINE) with visa 0002: The card was declined.'),
    );
    expect(ledger(s)).toEqual(before);
  });

  it('after the owner picks a working default card, a rerun pays the rest and exits 0', async () => {
    const chosen = await s.ada.setDefaultPaymentMethod(cardId(1));
    expect(chosen.__typename).toBe('SetDefaultPaymentMethodSuccess');
    const before = ledger(s);
    const { exitCode, rows } = await run(s);
    expect(exitCode).toBe(0);
    expect(rows.map((r) => r.outcome)).toEqual(ENGINEERING_UNPAID.map(() => 'paid with visa 4242'));
    expect(await statuses(s, ENGINEERING_UNPAID)).toEqual(['PAID', 'PAID', 'PAID']);
    expect(ledger(s)).toEqual({ succeeded: before.succeeded + 3, attempts: before.attempts + 3 });
  });
});
