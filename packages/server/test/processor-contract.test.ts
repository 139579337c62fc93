// The payment processor contract, run against both adapters: the in-process sandbox (the embedded
// default) and the HTTP adapter talking to `billing-gateway sandbox-processor` over a real socket.
// Whatever the payment flow relies on (idempotent charges, findCharge after a timeout, declines by
// test card, no card data kept) must hold for both, so a real processor's adapter can be held to it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CardRefusedError,
  ProcessorKeyReuseError,
  ProcessorTimeoutError,
  createHttpProcessor,
  createSandboxProcessor,
  fixedClock,
  sandboxBehaviourOf,
  type ChargeRequest,
  type PaymentProcessor,
  type SandboxLedgerEntry,
} from '@billing/schema/billing';
import { createLogger } from '../src/logger.js';
import { startSandboxService } from '../src/sandbox-service.js';

const clock = fixedClock('2026-11-29T12:00:00Z');

interface Subject {
  processor: PaymentProcessor;
  ledger(): Promise<SandboxLedgerEntry[]>;
  close(): Promise<void>;
}

interface SubjectOptions {
  ledgerPath?: string;
  latencyMs?: number;
}

/** Every log line the HTTP service wrote (it must never contain card data). */
let serviceLog = '';
const logSink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    serviceLog += chunk.toString();
    done();
  },
});

const ADAPTERS: [string, (options: SubjectOptions) => Promise<Subject>][] = [
  [
    'in-process sandbox',
    async (options) => {
      const sandbox = createSandboxProcessor({
        ledgerPath: options.ledgerPath ?? ':memory:',
        latencyMs: options.latencyMs ?? 0,
        clock,
      });
      return { processor: sandbox, ledger: async () => sandbox.ledgerEntries(), close: async () => sandbox.close() };
    },
  ],
  [
    'HTTP adapter + sandbox service',
    async (options) => {
      const service = await startSandboxService({
        port: 0,
        ledgerPath: options.ledgerPath ?? ':memory:',
        latencyMs: options.latencyMs ?? 0,
        clock,
        logger: createLogger({ logLevel: 'debug', mode: 'development' }, logSink),
      });
      return {
        processor: createHttpProcessor({ url: service.url, timeoutMs: 2_000 }),
        ledger: async () =>
          ((await (await fetch(`${service.url}/v1/ledger`)).json()) as { charges: SandboxLedgerEntry[] }).charges,
        close: () => service.close(),
      };
    },
  ],
];

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error(`expected a rejection, got ${String(error)}`);
  return error;
}

const opened: Subject[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const subject of opened.splice(0)) await subject.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
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

describe.each(ADAPTERS)('%s', (_name, create) => {
  async function subject(options: SubjectOptions = {}): Promise<Subject> {
    const created = await create(options);
    opened.push(created);
    return created;
  }
  async function tokenFor(processor: PaymentProcessor, number: string): Promise<string> {
    const card = await processor.tokenizeCard({ number, expMonth: 12, expYear: 2030, cvc: '123', holderName: 'Ada' });
    return card.token;
  }

  describe('tokenizeCard', () => {
    it('returns a token naming the test behaviour, with brand, last four and expiry, and no card data', async () => {
      const { processor } = await subject();
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
      const mastercard = { number: '5555555555554444', expMonth: 3, expYear: 2029, cvc: '123', holderName: 'Ada' };
      expect((await processor.tokenizeCard(mastercard)).brand).toBe('MASTERCARD');
    });

    it('reports the card kind and issuing country: a US credit card unless the number is a kind test card', async () => {
      const { processor } = await subject();
      const tokenize = (number: string) =>
        processor.tokenizeCard({ number, expMonth: 3, expYear: 2029, cvc: '123', holderName: 'Ada' });
      expect(await tokenize('4242424242424242')).toMatchObject({ kind: 'CREDIT', issuingCountry: 'US' });
      expect(await tokenize('4000 0566 5566 5556')).toMatchObject({ kind: 'DEBIT', issuingCountry: 'US' });
      expect(await tokenize('5105 1051 0510 5100')).toMatchObject({ kind: 'PREPAID', brand: 'MASTERCARD' });
      expect(await tokenize('4000000000000077')).toMatchObject({ kind: 'VIRTUAL', brand: 'VISA' });
      expect(await tokenize('4000003560000008')).toMatchObject({ kind: 'CREDIT', issuingCountry: 'IN' });
    });

    it('refuses a number that fails the Luhn check, without repeating it', async () => {
      const { processor } = await subject();
      const error = await rejectionOf(
        processor.tokenizeCard({ number: '4242424242424241', expMonth: 3, expYear: 2029, cvc: '123', holderName: 'A' }),
      );
      expect(error).toBeInstanceOf(CardRefusedError);
      expect(error.message).not.toContain('4242');
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
      const { processor, ledger } = await subject();
      const charge = request(await tokenFor(processor, number));
      const outcome = await processor.charge(charge, { timeoutMs: 1_000 });
      expect(outcome).toMatchObject(expected);
      expect(outcome.reference).toMatch(/^ch_sandbox_[0-9a-f]{24}$/);
      expect(await processor.findCharge(charge.idempotencyKey)).toEqual(outcome);
      expect(await ledger()).toEqual([
        expect.objectContaining({
          idempotencyKey: charge.idempotencyKey,
          amountMinor: 12_345,
          currency: 'USD',
          status: expected.status,
        }),
      ]);
    });

    it('seeded tokens: success and decline', async () => {
      const { processor } = await subject();
      expect(await processor.charge(request('tok_sandbox_success_seed01'))).toMatchObject({ status: 'SUCCEEDED' });
      expect(await processor.charge(request('tok_sandbox_declined_seed03'))).toMatchObject({
        status: 'FAILED',
        declineCode: 'GENERIC_DECLINE',
      });
    });

    it('answers a token it never issued with a processing error', async () => {
      const { processor } = await subject();
      expect(await processor.charge(request('tok_other_123'))).toMatchObject({
        status: 'FAILED',
        declineCode: 'PROCESSING_ERROR',
      });
    });

    it('findCharge of a key it never saw is null', async () => {
      const { processor } = await subject();
      expect(await processor.findCharge('never-seen / with ? odd & characters')).toBeNull();
    });

    it('timeout card (…0341): the charge never answers and is never recorded', async () => {
      const { processor, ledger } = await subject();
      const charge = request(await tokenFor(processor, '4000000000000341'));
      const started = Date.now();
      expect(await rejectionOf(processor.charge(charge, { timeoutMs: 100 }))).toBeInstanceOf(ProcessorTimeoutError);
      expect(Date.now() - started).toBeGreaterThanOrEqual(90);
      expect(await processor.findCharge(charge.idempotencyKey)).toBeNull();
      expect(await ledger()).toEqual([]);
    });

    it('late-answer card (…3220): the charge is recorded as succeeded but the call still times out', async () => {
      const { processor, ledger } = await subject();
      const charge = request(await tokenFor(processor, '4000000000003220'));
      expect(await rejectionOf(processor.charge(charge, { timeoutMs: 100 }))).toBeInstanceOf(ProcessorTimeoutError);
      expect(await processor.findCharge(charge.idempotencyKey)).toMatchObject({ status: 'SUCCEEDED' });
      expect((await ledger()).map((entry) => entry.status)).toEqual(['SUCCEEDED']);
    });

    it('an answer slower than the timeout is a timeout, but the charge still lands', async () => {
      const { processor } = await subject({ latencyMs: 150 });
      const charge = request('tok_sandbox_success_seed01');
      expect(await rejectionOf(processor.charge(charge, { timeoutMs: 50 }))).toBeInstanceOf(ProcessorTimeoutError);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await processor.findCharge(charge.idempotencyKey)).toMatchObject({ status: 'SUCCEEDED' });
    });
  });

  describe('idempotency at the processor', () => {
    it('the same key returns the stored outcome and never charges twice, even concurrently', async () => {
      const { processor, ledger } = await subject({ latencyMs: 5 });
      const charge = request('tok_sandbox_success_seed01');
      const outcomes = await Promise.all(Array.from({ length: 20 }, () => processor.charge(charge)));
      expect(new Set(outcomes.map((o) => o.reference)).size).toBe(1);
      expect(await processor.charge(charge)).toEqual(outcomes[0]);
      expect(await ledger()).toHaveLength(1);
    });

    it('a stored decline is replayed as the same decline', async () => {
      const { processor, ledger } = await subject();
      const charge = request('tok_sandbox_declined_seed03');
      const first = await processor.charge(charge);
      expect(await processor.charge(charge)).toEqual(first);
      expect(await ledger()).toHaveLength(1);
    });

    it('refuses the same key for a different request', async () => {
      const { processor, ledger } = await subject();
      const charge = request('tok_sandbox_success_seed01');
      await processor.charge(charge);
      const error = await rejectionOf(processor.charge({ ...charge, amountMinor: 1 }));
      expect(error).toBeInstanceOf(ProcessorKeyReuseError);
      expect(error.message).toMatch(/different request/);
      expect(await ledger()).toHaveLength(1);
    });
  });

  describe('the ledger file', () => {
    it('survives closing and reopening: outcomes are found and never charged again', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'billing-ledger-'));
      dirs.push(dir);
      const ledgerPath = join(dir, 'nested/ledger.db');
      const first = await create({ ledgerPath });
      const charge = request(await tokenFor(first.processor, '4242 4242 4242 4242'));
      const outcome = await first.processor.charge(charge);
      await first.close();

      const reopened = await subject({ ledgerPath });
      expect(await reopened.processor.findCharge(charge.idempotencyKey)).toEqual(outcome);
      expect(await reopened.processor.charge(charge)).toEqual(outcome);
      expect(await reopened.ledger()).toHaveLength(1);
      await reopened.close();
      // The number typed at tokenization is nowhere in the processor's storage.
      const bytes = ['ledger.db', 'ledger.db-wal'].map((f) => {
        try {
          return readFileSync(join(dir, 'nested', f)).toString('latin1');
        } catch {
          return '';
        }
      });
      expect(bytes.join('')).toContain(charge.idempotencyKey);
      expect(bytes.join('')).not.toContain('4242424242424242');
    });
  });
});

describe('HTTP adapter only', () => {
  it('an unreachable service is an unknown outcome (timeout), never a decline', async () => {
    const service = await startSandboxService({
      port: 0,
      ledgerPath: ':memory:',
      clock,
      logger: createLogger({ logLevel: 'silent', mode: 'development' }),
    });
    const url = service.url;
    await service.close();
    const processor = createHttpProcessor({ url, timeoutMs: 500 });
    expect(await rejectionOf(processor.charge(request('tok_sandbox_success_seed01')))).toBeInstanceOf(
      ProcessorTimeoutError,
    );
    expect(await rejectionOf(processor.findCharge('key-x'))).toBeInstanceOf(ProcessorTimeoutError);
  });

  it('the service refuses malformed charges with 400 and records nothing', async () => {
    const service = await startSandboxService({
      port: 0,
      ledgerPath: ':memory:',
      clock,
      logger: createLogger({ logLevel: 'silent', mode: 'development' }),
    });
    try {
      for (const body of [
        '{',
        '[]',
        JSON.stringify({ ...request('tok_sandbox_success_seed01'), amountMinor: -5 }),
        JSON.stringify({ ...request('tok_sandbox_success_seed01'), amountMinor: 1.5 }),
        JSON.stringify({ ...request('tok_sandbox_success_seed01'), currency: 'usd' }),
        JSON.stringify({ ...request('tok_sandbox_success_seed01'), idempotencyKey: '' }),
      ]) {
        const response = await fetch(`${service.url}/v1/charges`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        expect(response.status).toBe(400);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('bad_request');
      }
      expect(service.sandbox.chargeCount()).toBe(0);
    } finally {
      await service.close();
    }
  });

  it('the service never logs a card number or CVC', () => {
    // Every test above tokenized through the service with its log at debug level.
    expect(serviceLog).toContain('"path":"/v1/tokens"');
    for (const secret of ['4242424242424242', '4000000000009995', '4242424242424241', '"cvc"', '"number"']) {
      expect(serviceLog).not.toContain(secret);
    }
  });
});
