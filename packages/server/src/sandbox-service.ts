// The sandbox processor as its own HTTP service (`billing-gateway sandbox-processor --port N`), with
// its own ledger: the topology a real processor has, where gateway instances reach it over the
// network (PAYMENT_PROCESSOR=http). The wire format is the one billing/http-processor.ts reads.
//
// Unanswered charges are real here: for the `timeout` and `late-answer` test cards (and any charge
// slower than the hold below) the service never answers, and the gateway's own network timeout
// decides. The request log names method, path, status and duration only: bodies carry card numbers
// and CVCs and are never logged.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CardRefusedError,
  ProcessorKeyReuseError,
  ProcessorTimeoutError,
  createSandboxProcessor,
  systemClock,
  type CardDetails,
  type ChargeRequest,
  type Clock,
  type SandboxProcessor,
} from '@billing/schema/billing';
import type { Logger } from './logger.js';

export interface SandboxServiceOptions {
  host?: string;
  /** 0 picks a free port. */
  port: number;
  ledgerPath: string;
  latencyMs?: number;
  clock?: Clock;
  logger: Logger;
  /** How long an unanswered charge holds its connection before the service drops it. */
  holdUnansweredMs?: number;
}

export interface SandboxService {
  url: string;
  server: Server;
  sandbox: SandboxProcessor;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 16_384;

class BadRequest extends Error {}

function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BadRequest('The request body is too large.'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('error', reject);
    request.on('end', () => {
      try {
        const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
        resolve(value as Record<string, unknown>);
      } catch {
        reject(new BadRequest('The request body must be a JSON object.'));
      }
    });
  });
}

const isText = (value: unknown, max = 255): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= max;
const isInt = (value: unknown): value is number => Number.isSafeInteger(value);

function cardFrom(body: Record<string, unknown>): CardDetails {
  const { number, expMonth, expYear, cvc, holderName } = body;
  if (!isText(number, 40) || !isInt(expMonth) || !isInt(expYear) || !isText(cvc, 8) || typeof holderName !== 'string')
    throw new BadRequest('A card needs number, expMonth, expYear, cvc and holderName.');
  return { number, expMonth, expYear, cvc, holderName };
}

function chargeFrom(body: Record<string, unknown>, headerKey: string | undefined): ChargeRequest {
  const { idempotencyKey, token, amountMinor, currency, description } = body;
  if (!isText(idempotencyKey) || !isText(token) || !isInt(amountMinor) || amountMinor <= 0)
    throw new BadRequest('A charge needs idempotencyKey, token and a positive integer amountMinor.');
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency) || typeof description !== 'string')
    throw new BadRequest('A charge needs a three-letter currency and a description.');
  if (headerKey !== undefined && headerKey !== idempotencyKey)
    throw new BadRequest('The Idempotency-Key header and the body disagree.');
  return { idempotencyKey, token, amountMinor, currency, description };
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

const failure = (code: string, message: string) => ({ error: { code, message } });

export async function startSandboxService(options: SandboxServiceOptions): Promise<SandboxService> {
  const log = options.logger.child({ component: 'sandbox-processor' });
  const holdMs = options.holdUnansweredMs ?? 5 * 60_000;
  const sandbox = createSandboxProcessor({
    ledgerPath: options.ledgerPath,
    latencyMs: options.latencyMs ?? 0,
    clock: options.clock ?? systemClock,
    defaultTimeoutMs: holdMs,
  });

  async function route(request: IncomingMessage, response: ServerResponse, path: string): Promise<number> {
    const method = request.method ?? 'GET';
    if (method === 'GET' && path === '/health') {
      send(response, 200, { ok: true });
      return 200;
    }
    if (method === 'POST' && path === '/v1/tokens') {
      try {
        send(response, 201, await sandbox.tokenizeCard(cardFrom(await readJson(request))));
        return 201;
      } catch (error) {
        if (error instanceof CardRefusedError) {
          send(response, 400, failure('card_refused', error.message));
          return 400;
        }
        throw error;
      }
    }
    if (method === 'POST' && path === '/v1/charges') {
      const header = request.headers['idempotency-key'];
      const charge = chargeFrom(await readJson(request), typeof header === 'string' ? header : undefined);
      try {
        send(response, 200, await sandbox.charge(charge, { timeoutMs: holdMs }));
        return 200;
      } catch (error) {
        if (error instanceof ProcessorKeyReuseError) {
          send(response, 409, failure('idempotency_key_reused', error.message));
          return 409;
        }
        if (error instanceof ProcessorTimeoutError) {
          // No answer, as the test card asks: the caller's timeout decides what it saw.
          response.destroy();
          return 0;
        }
        throw error;
      }
    }
    const key = /^\/v1\/charges\/([^/]+)$/.exec(path)?.[1];
    if (method === 'GET' && key !== undefined) {
      const outcome = await sandbox.findCharge(decodeURIComponent(key));
      if (outcome) send(response, 200, outcome);
      else send(response, 404, failure('not_found', 'No charge with this idempotency key.'));
      return outcome ? 200 : 404;
    }
    if (method === 'GET' && path === '/v1/ledger') {
      send(response, 200, { charges: sandbox.ledgerEntries() });
      return 200;
    }
    send(response, 404, failure('not_found', 'No such endpoint.'));
    return 404;
  }

  const server = createServer((request, response) => {
    const started = performance.now();
    const path = new URL(request.url ?? '/', 'http://sandbox').pathname;
    route(request, response, path)
      .catch((error: unknown) => {
        if (error instanceof BadRequest) {
          send(response, 400, failure('bad_request', error.message));
          return 400;
        }
        log.error({ err: { message: error instanceof Error ? error.message : String(error) } }, 'request failed');
        if (!response.headersSent) send(response, 500, failure('internal', 'The sandbox processor failed.'));
        return 500;
      })
      .then((status) => {
        log.info({ method: request.method, path, status, ms: Math.round(performance.now() - started) }, 'request');
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    server,
    sandbox,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      sandbox.close();
    },
  };
}
