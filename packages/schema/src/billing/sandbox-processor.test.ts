import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from './clock.js';
import { ProcessorTimeoutError, type ChargeRequest } from './payment-processor.js';
import { createSandboxProcessor, sandboxBehaviourOf, type SandboxProcessor } from './sandbox-processor.js';
import { rejectionOf, tempDir } from './test-support.js';

const clock = fixedClock('2026-11-29T12:00:00Z');
const opened: SandboxProcessor[] = [];
const dirs: ReturnType<typeof tempDir>[] = [];

function sandbox(options: { ledgerPath?: string; latencyMs?: number } = {}): SandboxProcessor {
  const processor = createSandboxProcessor({
    ledgerPath: options.ledgerPath ?? ':memory:',
    latencyMs: options.latencyMs ?? 0,
    clock,
  });
  opened.push(processor);
  return processor;
}

afterEach(() => {
  for (const processor of opened.splice(0)) processor.close();
  for (const dir of dirs.splice(0)) dir.remove();
});

let keySequence = 0;
function request(token: string, overrides: Partial<ChargeRequest> = {}): ChargeRequest {
  keySequence += 1;
  return {
    idempotencyKey: `key-${keySequence}`,
    token,
    amountMinor: 12_345,
    currency: 'USD',
    description: 'Invoice G1',
    ...overrides,
  };
}

async function tokenFor(processor: SandboxProcessor, number: string): Promise<string> {
  const card = await processor.tokenizeCard({ number, expMonth: 12, expYear: 2030, cvc: '123', holderName: 'Ada' });
  return card.token;
}

describe('tokenizeCard', () => {
  it('returns a token naming the test behaviour, with brand, last four and expiry, and no card data', async () => {
    const processor = sandbox();
    const card = await processor.tokenizeCard({
      number: '4000 0000 0000 9995',
      expMonth: 3,
      expYear: 2029,
      cvc: '123',
      holderName: 'Ada',
    });
    expect(card).toMatchObject({ brand: 'VISA', last4: '9995', expMonth: 3, expYear: 2029 });
    expect(card.token).toMatch(/^tok_sandbox_insufficient-funds_[0-9a-f]{24}$/);
    expect(sandboxBehaviourOf(card.token)).toBe('insufficient-funds');
    expect(card.token).not.toContain('4000000000009995');
    expect(
      (
        await processor.tokenizeCard({
          number: '5555555555554444',
          expMonth: 3,
          expYear: 2029,
          cvc: '123',
          holderName: 'Ada',
        })
      ).brand,
    ).toBe('MASTERCARD');
  });

  it('reports the card kind and issuing country: a US credit card unless the number is a kind test card', async () => {
    const processor = sandbox();
    const tokenize = (number: string) =>
      processor.tokenizeCard({ number, expMonth: 3, expYear: 2029, cvc: '123', holderName: 'Ada' });
    expect(await tokenize('4242424242424242')).toMatchObject({ kind: 'CREDIT', issuingCountry: 'US' });
    expect(await tokenize('4000 0566 5566 5556')).toMatchObject({ kind: 'DEBIT', issuingCountry: 'US' });
    expect(await tokenize('5105 1051 0510 5100')).toMatchObject({ kind: 'PREPAID', brand: 'MASTERCARD' });
    expect(await tokenize('4000000000000077')).toMatchObject({ kind: 'VIRTUAL', brand: 'VISA' });
    expect(await tokenize('4000003560000008')).toMatchObject({ kind: 'CREDIT', issuingCountry: 'IN' });
  });

  it('refuses a number that fails the Luhn check, without repeating it', async () => {
    const error = await rejectionOf(
      sandbox().tokenizeCard({ number: '4242424242424241', expMonth: 3, expYear: 2029, cvc: '123', holderName: 'Ada' }),
    );
    expect(error.message).not.toContain('4242');
  });

  it('reads seeded tokens the same way', () => {
    expect(sandboxBehaviourOf('tok_sandbox_success_seed01')).toBe('success');
    expect(sandboxBehaviourOf('tok_sandbox_declined_seed03')).toBe('declined');
    expect(sandboxBehaviourOf('tok_live_abc')).toBeNull();
    expect(sandboxBehaviourOf('tok_sandbox_teleport_abc')).toBeNull();
  });
});

describe('charge by test card', () => {
  it.each([
    ['4242424242424242', { status: 'SUCCEEDED' }],
    ['5555555555554444', { status: 'SUCCEEDED' }], // any other valid number
    ['4000000000000002', { status: 'FAILED', declineCode: 'GENERIC_DECLINE' }],
    ['4000000000009995', { status: 'FAILED', declineCode: 'INSUFFICIENT_FUNDS' }],
    ['4000000000000069', { status: 'FAILED', declineCode: 'EXPIRED_CARD' }],
    ['4000000000000127', { status: 'FAILED', declineCode: 'INCORRECT_CVC' }],
    ['4000000000000119', { status: 'FAILED', declineCode: 'PROCESSING_ERROR' }],
  ])('%s -> %o, recorded once and found by key', async (number, expected) => {
    const processor = sandbox();
    const charge = request(await tokenFor(processor, number));
    const outcome = await processor.charge(charge, { timeoutMs: 1_000 });
    expect(outcome).toMatchObject(expected);
    expect(outcome.reference).toMatch(/^ch_sandbox_[0-9a-f]{24}$/);
    expect(await processor.findCharge(charge.idempotencyKey)).toEqual(outcome);
    expect(processor.ledgerEntries()).toEqual([
      expect.objectContaining({
        idempotencyKey: charge.idempotencyKey,
        amountMinor: 12_345,
        currency: 'USD',
        status: expected.status,
      }),
    ]);
  });

  it('seeded tokens: success and decline', async () => {
    const processor = sandbox();
    expect(await processor.charge(request('tok_sandbox_success_seed01'))).toMatchObject({ status: 'SUCCEEDED' });
    expect(await processor.charge(request('tok_sandbox_declined_seed03'))).toMatchObject({
      status: 'FAILED',
      declineCode: 'GENERIC_DECLINE',
    });
  });

  it('answers a token it never issued with a processing error', async () => {
    expect(await sandbox().charge(request('tok_other_123'))).toMatchObject({
      status: 'FAILED',
      declineCode: 'PROCESSING_ERROR',
    });
  });

  it('timeout card (…0341): the charge never answers and is never recorded', async () => {
    const processor = sandbox();
    const charge = request(await tokenFor(processor, '4000000000000341'));
    const started = Date.now();
    expect(await rejectionOf(processor.charge(charge, { timeoutMs: 30 }))).toBeInstanceOf(ProcessorTimeoutError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(await processor.findCharge(charge.idempotencyKey)).toBeNull();
    expect(processor.chargeCount()).toBe(0);
  });

  it('late-answer card (…3220): the charge is recorded as succeeded but the call still times out', async () => {
    const processor = sandbox();
    const charge = request(await tokenFor(processor, '4000000000003220'));
    expect(await rejectionOf(processor.charge(charge, { timeoutMs: 30 }))).toBeInstanceOf(ProcessorTimeoutError);
    expect(await processor.findCharge(charge.idempotencyKey)).toMatchObject({ status: 'SUCCEEDED' });
    expect(processor.chargeCount({ status: 'SUCCEEDED' })).toBe(1);
  });

  it('an answer slower than the timeout is a timeout, but the charge still lands', async () => {
    const processor = sandbox({ latencyMs: 40 });
    const charge = request('tok_sandbox_success_seed01');
    expect(await rejectionOf(processor.charge(charge, { timeoutMs: 10 }))).toBeInstanceOf(ProcessorTimeoutError);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await processor.findCharge(charge.idempotencyKey)).toMatchObject({ status: 'SUCCEEDED' });
  });
});

describe('idempotency at the processor', () => {
  it('the same key returns the stored outcome and never charges twice, even concurrently', async () => {
    const processor = sandbox({ latencyMs: 5 });
    const charge = request('tok_sandbox_success_seed01');
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => processor.charge(charge)));
    expect(new Set(outcomes.map((o) => o.reference)).size).toBe(1);
    expect(await processor.charge(charge)).toEqual(outcomes[0]);
    expect(processor.chargeCount()).toBe(1);
  });

  it('a stored decline is replayed as the same decline', async () => {
    const processor = sandbox();
    const charge = request('tok_sandbox_declined_seed03');
    const first = await processor.charge(charge);
    expect(await processor.charge(charge)).toEqual(first);
    expect(processor.ledgerEntries()).toHaveLength(1);
  });

  it('refuses the same key for a different request', async () => {
    const processor = sandbox();
    const charge = request('tok_sandbox_success_seed01');
    await processor.charge(charge);
    await expect(processor.charge({ ...charge, amountMinor: 1 })).rejects.toThrow(/different request/);
    expect(processor.chargeCount()).toBe(1);
  });
});

describe('the ledger file', () => {
  it('survives closing and reopening: outcomes are found and never charged again', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const ledgerPath = dir.path('nested/ledger.db');
    const first = sandbox({ ledgerPath });
    const charge = request(await tokenFor(first, '4242 4242 4242 4242'));
    const outcome = await first.charge(charge);
    first.close();

    const reopened = sandbox({ ledgerPath });
    expect(await reopened.findCharge(charge.idempotencyKey)).toEqual(outcome);
    expect(await reopened.charge(charge)).toEqual(outcome);
    expect(reopened.chargeCount()).toBe(1);
    reopened.close();
    // The number typed at tokenization is nowhere in the processor's storage.
    const bytes = ['ledger.db', 'ledger.db-wal'].map((f) => {
      try {
        return readFileSync(dir.path(`nested/${f}`)).toString('latin1');
      } catch {
        return '';
      }
    });
    expect(bytes.join('')).toContain(charge.idempotencyKey);
    expect(bytes.join('')).not.toContain('4242424242424242');
  });
});
