// The payment processor over HTTP (PAYMENT_PROCESSOR=http): the adapter for a processor that runs as
// its own service, such as `billing-gateway sandbox-processor`. A real processor's adapter would sit
// at the same boundary with its own wire format.
//
// Wire format (JSON):
//   POST /v1/tokens              CardDetails                      -> 201 TokenizedCard | 400 card refused
//   POST /v1/charges             ChargeRequest, Idempotency-Key   -> 200 ChargeOutcome | 409 key reused
//   GET  /v1/charges/<key>                                        -> 200 ChargeOutcome | 404 never seen
// Every call has a real network timeout (AbortSignal): a charge that does not answer in time is a
// ProcessorTimeoutError (outcome unknown, settled later with findCharge), never a retry here.
import { DECLINE_CODES, type DeclineCode } from './errors.js';
import {
  CARD_BRANDS,
  CARD_KINDS,
  CardRefusedError,
  ProcessorKeyReuseError,
  ProcessorTimeoutError,
  type CardDetails,
  type ChargeOutcome,
  type PaymentProcessor,
  type TokenizedCard,
} from './payment-processor.js';

export interface HttpProcessorOptions {
  /** The service's base URL, e.g. http://127.0.0.1:4100 */
  url: string;
  /** Used when `charge` is called without a timeout, and for tokenize and findCharge. */
  timeoutMs?: number;
}

/** The service answered something this adapter cannot read: treated like no answer. */
export class ProcessorProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProcessorProtocolError';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function readOutcome(body: unknown): ChargeOutcome {
  if (isRecord(body) && body.status === 'SUCCEEDED' && typeof body.reference === 'string') {
    return { status: 'SUCCEEDED', reference: body.reference };
  }
  if (
    isRecord(body) &&
    body.status === 'FAILED' &&
    (typeof body.reference === 'string' || body.reference === null) &&
    (DECLINE_CODES as readonly unknown[]).includes(body.declineCode)
  ) {
    return { status: 'FAILED', reference: body.reference, declineCode: body.declineCode as DeclineCode };
  }
  throw new ProcessorProtocolError('The payment processor answered a charge in an unknown shape.');
}

function readToken(body: unknown): TokenizedCard {
  if (
    isRecord(body) &&
    typeof body.token === 'string' &&
    (CARD_BRANDS as readonly unknown[]).includes(body.brand) &&
    typeof body.last4 === 'string' &&
    Number.isSafeInteger(body.expMonth) &&
    Number.isSafeInteger(body.expYear) &&
    (CARD_KINDS as readonly unknown[]).includes(body.kind) &&
    typeof body.issuingCountry === 'string'
  ) {
    return body as unknown as TokenizedCard;
  }
  throw new ProcessorProtocolError('The payment processor answered a tokenization in an unknown shape.');
}

async function errorMessage(response: Response, fallback: string): Promise<string> {
  const body: unknown = await response.json().catch(() => null);
  return isRecord(body) && isRecord(body.error) && typeof body.error.message === 'string'
    ? body.error.message
    : fallback;
}

export function createHttpProcessor(options: HttpProcessorOptions): PaymentProcessor {
  const base = options.url.replace(/\/+$/, '');
  const defaultTimeoutMs = options.timeoutMs ?? 10_000;

  async function call(path: string, timeoutMs: number, init: RequestInit = {}): Promise<Response> {
    try {
      return await fetch(`${base}${path}`, {
        ...init,
        headers: {
          accept: 'application/json',
          ...(init.body ? { 'content-type': 'application/json' } : {}),
          ...init.headers,
        },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
        throw new ProcessorTimeoutError();
      }
      // Refused or reset: for a charge, whether it happened is as unknown as after a timeout.
      throw new ProcessorTimeoutError(
        `The payment processor could not be reached (${error instanceof Error ? error.message : String(error)}).`,
      );
    }
  }

  /** The body, read under the same deadline: a service that sends headers and then stalls times out too. */
  async function json(response: Response): Promise<unknown> {
    try {
      return await response.json();
    } catch (error) {
      if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
        throw new ProcessorTimeoutError();
      }
      throw new ProcessorProtocolError('The payment processor answered with a body that is not JSON.');
    }
  }

  return {
    name: 'http',

    async tokenizeCard(card: CardDetails) {
      const response = await call('/v1/tokens', defaultTimeoutMs, { method: 'POST', body: JSON.stringify(card) });
      if (response.status === 400) throw new CardRefusedError(await errorMessage(response, 'The card was refused.'));
      if (response.status !== 201) throw new ProcessorProtocolError(`Tokenization answered HTTP ${response.status}.`);
      return readToken(await json(response));
    },

    async charge(request, chargeOptions = {}) {
      const response = await call('/v1/charges', chargeOptions.timeoutMs ?? defaultTimeoutMs, {
        method: 'POST',
        headers: { 'idempotency-key': request.idempotencyKey },
        body: JSON.stringify(request),
      });
      if (response.status === 409) throw new ProcessorKeyReuseError(await errorMessage(response, 'Key reused.'));
      if (response.status !== 200) throw new ProcessorProtocolError(`A charge answered HTTP ${response.status}.`);
      return readOutcome(await json(response));
    },

    async findCharge(idempotencyKey) {
      const response = await call(`/v1/charges/${encodeURIComponent(idempotencyKey)}`, defaultTimeoutMs);
      if (response.status === 404) {
        await response.body?.cancel();
        return null;
      }
      if (response.status !== 200)
        throw new ProcessorProtocolError(`Finding a charge answered HTTP ${response.status}.`);
      return readOutcome(await json(response));
    },
  };
}
