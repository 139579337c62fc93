// The process dies between the charge and writing its outcome; the next start settles it with the
// processor: exactly one charge, invoice paid. Real child processes, real SQLite files.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@billing/schema/db';
import { toGlobalId } from '@billing/schema/graphql';
import { afterAll, describe, expect, it } from 'vitest';
import { startChildGateway, type ChildGateway, childGql as gql } from './child-gateway.js';

const CARD_NUMBER = '4000056655665556';
const CVC = '987';
const dir = mkdtempSync(join(tmpdir(), 'billing-crash-'));
const env = {
  DATABASE_PATH: join(dir, 'billing.db'),
  SANDBOX_LEDGER_PATH: join(dir, 'ledger.db'),
  JWT_SECRET: 'crash-test-secret-long-enough-for-hs256',
  SEED_DEMO_DATA: 'true',
};
const running: ChildGateway[] = [];

function ledgerCharges(): { status: string }[] {
  const ledger = openDatabase({ path: env.SANDBOX_LEDGER_PATH, readonly: true }).sqlite;
  try {
    const table = (
      ledger.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
    )[0]!.name;
    return ledger.prepare(`SELECT * FROM ${table}`).all() as { status: string }[];
  } finally {
    ledger.close();
  }
}

afterAll(async () => {
  for (const gateway of running)
    if (gateway.child.exitCode === null && gateway.child.signalCode === null) gateway.child.kill('SIGKILL');
});

describe('crash between charge and finalize', () => {
  const PAY = `mutation($input: PayInvoiceInput!) { payInvoice(input: $input) { __typename ... on PayInvoiceSuccess { invoice { status } payment { status } } } }`;
  const input = { invoiceId: toGlobalId('Invoice', 2), paymentMethodId: '', idempotencyKey: 'crash-once' };

  it('the first process dies mid-payment, leaving the attempt PROCESSING and one charge in the ledger', async () => {
    const first = await startChildGateway({ ...env, BILLING_FAULT_INJECTION: 'crash-after-charge' });
    running.push(first);
    const added = await gql(
      first,
      `mutation($input: AddPaymentMethodInput!) { addPaymentMethod(input: $input) { ... on AddPaymentMethodSuccess { paymentMethod { id } } } }`,
      {
        input: {
          billingProfileId: toGlobalId('BillingProfile', 1),
          cardNumber: CARD_NUMBER,
          expMonth: 8,
          expYear: 2031,
          cvc: CVC,
          holderName: 'Ada Lovelace',
        },
      },
    );
    input.paymentMethodId = added.data.addPaymentMethod.paymentMethod.id;
    await expect(gql(first, PAY, { input })).rejects.toThrow();
    // Killed outright (tsx, the wrapper, reports the child's SIGKILL as exit code 137).
    const exit = await first.exited;
    expect(exit.signal === 'SIGKILL' || exit.code === 137).toBe(true);

    const db = openDatabase({ path: env.DATABASE_PATH, readonly: true }).sqlite;
    expect(db.prepare('SELECT status FROM payments WHERE invoice_id = 2').all()).toEqual([{ status: 'PROCESSING' }]);
    expect(db.prepare('SELECT lifecycle FROM invoices WHERE id = 2').get()).toEqual({
      lifecycle: 'PAYMENT_IN_PROGRESS',
    });
    db.close();
    expect(ledgerCharges().length).toBe(1);
  });

  it('the next start reconciles it with the processor: invoice paid, still exactly one charge', async () => {
    const second = await startChildGateway({ ...env, RECONCILE_AFTER_MS: '0' });
    running.push(second);
    const invoice = await gql(
      second,
      'query($id: ID!) { invoice(id: $id) { status paymentInProgress amountDue { minorUnits } payments { status } } }',
      {
        id: input.invoiceId,
      },
    );
    expect(invoice.data.invoice).toEqual({
      status: 'PAID',
      paymentInProgress: false,
      amountDue: { minorUnits: 0 },
      payments: [{ status: 'SUCCEEDED' }],
    });
    // The client retrying with its key gets the settled answer, not a second charge.
    const retried = await gql(second, PAY, { input });
    expect(retried.data.payInvoice).toEqual({
      __typename: 'PayInvoiceSuccess',
      invoice: { status: 'PAID' },
      payment: { status: 'SUCCEEDED' },
    });
    expect(ledgerCharges().length).toBe(1);

    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  });

  it('left no card number or CVC in the database files or the logs', () => {
    const files = readdirSync(dir).map((name) => readFileSync(join(dir, name)).toString('latin1'));
    expect(files.length).toBeGreaterThanOrEqual(2);
    const logs = running.map((g) => g.output()).join('\n');
    for (const text of [...files, logs]) {
      expect(text).not.toContain(CARD_NUMBER);
      expect(text).not.toContain(`"cvc":"${CVC}"`);
    }
    expect(files.join('').includes('5556')).toBe(true); // the last four are kept, as intended
  });
});
