// A payment processor in test mode, in-process. Like a real processor's sandbox, test card numbers
// choose how charges behave, and the processor keeps its own ledger (a separate SQLite database, so
// the gateway's database can be wiped or crash independently of what the "processor" remembers).
//
// It never stores a card number or CVC: a token names only the card's behaviour
// (`tok_sandbox_<behaviour>_<random>`), which is also how seeded tokens such as
// `tok_sandbox_declined_seed03` work without ever having been tokenized here.
//
// Timeouts. Two test cards exercise an unanswered charge, and differ in what the processor did:
//   - 4000000000000341 `timeout`: the request never reaches the ledger. The caller gets
//     ProcessorTimeoutError, `findCharge` returns null, so reconciliation marks the attempt FAILED.
//   - 4000000000003220 `late-answer`: the charge IS recorded as SUCCEEDED, but the answer never
//     arrives in time. The caller gets ProcessorTimeoutError, `findCharge` says SUCCEEDED, so
//     reconciliation settles the attempt as paid.
// Any charge whose latency exceeds the caller's timeout behaves like `late-answer`: it is recorded,
// and the caller gets ProcessorTimeoutError.
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { detectCardBrand, normalizeCardNumber, passesLuhn } from './cards.js';
import type { Clock } from './clock.js';
import type { DeclineCode } from './errors.js';
import {
  CardRefusedError,
  ProcessorKeyReuseError,
  ProcessorTimeoutError,
  type CardDetails,
  type CardKind,
  type ChargeOutcome,
  type ChargeRequest,
  type PaymentProcessor,
  type TokenizedCard,
} from './payment-processor.js';

export const SANDBOX_BEHAVIOURS = [
  'success',
  'declined',
  'insufficient-funds',
  'expired-card',
  'incorrect-cvc',
  'processing-error',
  'timeout',
  'late-answer',
] as const;
export type SandboxBehaviour = (typeof SANDBOX_BEHAVIOURS)[number];

/** Test card numbers; any other Luhn-valid number succeeds. */
export const SANDBOX_TEST_CARDS: Readonly<Record<string, SandboxBehaviour>> = {
  '4242424242424242': 'success',
  '4000000000000002': 'declined',
  '4000000000009995': 'insufficient-funds',
  '4000000000000069': 'expired-card',
  '4000000000000127': 'incorrect-cvc',
  '4000000000000119': 'processing-error',
  '4000000000000341': 'timeout',
  '4000000000003220': 'late-answer',
};

/**
 * Test card numbers with another kind or issuing country than a US credit card (the default).
 * They charge successfully if they are ever stored; the gateway's rules refuse most of them first.
 */
export const SANDBOX_CARD_PROFILES: Readonly<Record<string, { kind: CardKind; issuingCountry: string }>> = {
  '4000056655665556': { kind: 'DEBIT', issuingCountry: 'US' },
  '5105105105105100': { kind: 'PREPAID', issuingCountry: 'US' },
  '4000000000000077': { kind: 'VIRTUAL', issuingCountry: 'US' },
  '4000003560000008': { kind: 'CREDIT', issuingCountry: 'IN' },
};
const DEFAULT_CARD_PROFILE = { kind: 'CREDIT', issuingCountry: 'US' } as const;

const DECLINES: Partial<Record<SandboxBehaviour, DeclineCode>> = {
  declined: 'GENERIC_DECLINE',
  'insufficient-funds': 'INSUFFICIENT_FUNDS',
  'expired-card': 'EXPIRED_CARD',
  'incorrect-cvc': 'INCORRECT_CVC',
  'processing-error': 'PROCESSING_ERROR',
};

const TOKEN_SHAPE = /^tok_sandbox_([a-z-]+)_[0-9a-z]+$/;

/** The behaviour a sandbox token stands for, or null for a token this processor never issued. */
export function sandboxBehaviourOf(token: string): SandboxBehaviour | null {
  const name = TOKEN_SHAPE.exec(token)?.[1];
  return (SANDBOX_BEHAVIOURS as readonly string[]).includes(name ?? '') ? (name as SandboxBehaviour) : null;
}

export interface SandboxLedgerEntry {
  id: number;
  idempotencyKey: string;
  reference: string;
  token: string;
  amountMinor: number;
  currency: string;
  description: string;
  status: 'SUCCEEDED' | 'FAILED';
  declineCode: DeclineCode | null;
  createdAt: string;
}

export interface SandboxProcessorOptions {
  /** The ledger's SQLite file, or `:memory:` (forgotten when the process ends). */
  ledgerPath: string;
  /** Simulated network and processing time per call. */
  latencyMs?: number;
  clock: Clock;
  /** Used when `charge` is called without a timeout. */
  defaultTimeoutMs?: number;
}

export interface SandboxProcessor extends PaymentProcessor {
  /** Every charge the processor recorded, oldest first (for tests and the demo). */
  ledgerEntries(): SandboxLedgerEntry[];
  /** How many charges the processor recorded (each idempotency key at most once). */
  chargeCount(filter?: { status?: SandboxLedgerEntry['status'] }): number;
  close(): void;
}

interface LedgerRow {
  id: number;
  idempotency_key: string;
  reference: string;
  token: string;
  amount_minor: number;
  currency: string;
  description: string;
  status: 'SUCCEEDED' | 'FAILED';
  decline_code: DeclineCode | null;
  created_at: string;
}

const LEDGER_SCHEMA = `
  CREATE TABLE IF NOT EXISTS sandbox_charges (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    reference TEXT NOT NULL UNIQUE,
    token TEXT NOT NULL,
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('SUCCEEDED', 'FAILED')),
    decline_code TEXT,
    created_at TEXT NOT NULL
  )`;

/** A fresh one per call: callbacks attached to a shared never-settling promise would never be freed. */
const neverAnswers = () => new Promise<never>(() => {});

function toEntry(row: LedgerRow): SandboxLedgerEntry {
  return {
    id: row.id,
    idempotencyKey: row.idempotency_key,
    reference: row.reference,
    token: row.token,
    amountMinor: row.amount_minor,
    currency: row.currency,
    description: row.description,
    status: row.status,
    declineCode: row.decline_code,
    createdAt: row.created_at,
  };
}

function toOutcome(row: LedgerRow): ChargeOutcome {
  return row.status === 'SUCCEEDED'
    ? { status: 'SUCCEEDED', reference: row.reference }
    : { status: 'FAILED', reference: row.reference, declineCode: row.decline_code ?? 'GENERIC_DECLINE' };
}

/** Rejects with ProcessorTimeoutError if `work` has not settled within `ms`; `work` itself carries on. */
function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new ProcessorTimeoutError()), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

export function createSandboxProcessor(options: SandboxProcessorOptions): SandboxProcessor {
  const latencyMs = Math.max(0, options.latencyMs ?? 0);
  const defaultTimeoutMs = options.defaultTimeoutMs ?? 10_000;
  if (options.ledgerPath !== ':memory:') mkdirSync(dirname(options.ledgerPath), { recursive: true });
  const ledger = new Database(options.ledgerPath);
  if (options.ledgerPath !== ':memory:') ledger.pragma('journal_mode = WAL');
  ledger.pragma('busy_timeout = 5000');
  ledger.exec(LEDGER_SCHEMA);

  const insert = ledger.prepare(
    `INSERT INTO sandbox_charges (idempotency_key, reference, token, amount_minor, currency, description, status, decline_code, created_at)
     VALUES (@idempotencyKey, @reference, @token, @amountMinor, @currency, @description, @status, @declineCode, @createdAt)
     ON CONFLICT (idempotency_key) DO NOTHING`,
  );
  const byKey = ledger.prepare<[string], LedgerRow>('SELECT * FROM sandbox_charges WHERE idempotency_key = ?');

  const networkDelay = () =>
    latencyMs > 0 ? new Promise<void>((resolve) => setTimeout(resolve, latencyMs)) : Promise.resolve();

  /** Records the charge once per idempotency key and returns what the ledger holds for that key. */
  function record(request: ChargeRequest, behaviour: SandboxBehaviour | null): LedgerRow {
    if (!ledger.open) throw new Error('The sandbox processor is closed.');
    // A token this processor never issued is answered, not ignored: a processing error.
    const declineCode = behaviour === null ? 'PROCESSING_ERROR' : (DECLINES[behaviour] ?? null);
    insert.run({
      idempotencyKey: request.idempotencyKey,
      reference: `ch_sandbox_${randomBytes(12).toString('hex')}`,
      token: request.token,
      amountMinor: request.amountMinor,
      currency: request.currency,
      description: request.description,
      status: declineCode ? 'FAILED' : 'SUCCEEDED',
      declineCode,
      createdAt: options.clock.now().toISOString(),
    });
    const row = byKey.get(request.idempotencyKey)!;
    // Like real processors: a key stands for one request; reusing it for another is a caller bug.
    if (row.token !== request.token || row.amount_minor !== request.amountMinor || row.currency !== request.currency) {
      throw new ProcessorKeyReuseError(
        'The sandbox processor refused the charge: this idempotency key was used for a different request.',
      );
    }
    return row;
  }

  async function process(request: ChargeRequest): Promise<ChargeOutcome> {
    await networkDelay();
    const behaviour = sandboxBehaviourOf(request.token);
    if (behaviour === 'timeout') return neverAnswers();
    const row = record(request, behaviour);
    if (behaviour === 'late-answer') return neverAnswers();
    return toOutcome(row);
  }

  return {
    name: 'sandbox',

    async tokenizeCard(card: CardDetails): Promise<TokenizedCard> {
      await networkDelay();
      const number = normalizeCardNumber(card.number);
      if (!passesLuhn(number)) throw new CardRefusedError('The sandbox processor refused the card number.');
      const behaviour = SANDBOX_TEST_CARDS[number] ?? 'success';
      return {
        token: `tok_sandbox_${behaviour}_${randomBytes(12).toString('hex')}`,
        brand: detectCardBrand(number),
        last4: number.slice(-4),
        expMonth: card.expMonth,
        expYear: card.expYear,
        ...(SANDBOX_CARD_PROFILES[number] ?? DEFAULT_CARD_PROFILE),
      };
    },

    charge(request, chargeOptions = {}) {
      return withTimeout(process(request), chargeOptions.timeoutMs ?? defaultTimeoutMs);
    },

    async findCharge(idempotencyKey) {
      await networkDelay();
      const row = byKey.get(idempotencyKey);
      return row ? toOutcome(row) : null;
    },

    ledgerEntries() {
      return ledger.prepare<[], LedgerRow>('SELECT * FROM sandbox_charges ORDER BY id').all().map(toEntry);
    },

    chargeCount(filter = {}) {
      const row = filter.status
        ? ledger
            .prepare<[string], { n: number }>('SELECT count(*) AS n FROM sandbox_charges WHERE status = ?')
            .get(filter.status)
        : ledger.prepare<[], { n: number }>('SELECT count(*) AS n FROM sandbox_charges').get();
      return row?.n ?? 0;
    },

    close() {
      if (ledger.open) ledger.close();
    },
  };
}
