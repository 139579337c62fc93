// A real HTTP webhook receiver on a random port, for the webhook suites (not exported from the package):
// it records every request, answers as the test scripts it, and counts requests in flight per webhook-id.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  webhookId: string;
  headers: IncomingHttpHeaders;
  body: string;
  path: string;
  /** What the receiver answered. */
  status: number;
  receivedAt: number;
}

export interface Answer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  /** Wait this long before answering. */
  delayMs?: number;
}

export interface TestReceiver {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  /** Decides each answer; `nth` counts this webhook-id's requests from 1. */
  answer: (request: { webhookId: string; nth: number; path: string }) => Answer;
  /** The most requests for one webhook-id ever in flight at once. */
  maxInFlightPerId(): number;
  /** Requests answered 2xx, per webhook-id. */
  successesById(): Map<string, number>;
  close(): Promise<void>;
}

export async function startTestReceiver(): Promise<TestReceiver> {
  const counts = new Map<string, number>();
  const inFlight = new Map<string, number>();
  let maxInFlight = 0;
  const receiver: TestReceiver = {
    url: '',
    port: 0,
    requests: [],
    answer: () => ({ status: 200, body: 'ok' }),
    maxInFlightPerId: () => maxInFlight,
    successesById() {
      const ok = new Map<string, number>();
      for (const r of receiver.requests)
        if (r.status >= 200 && r.status < 300) ok.set(r.webhookId, (ok.get(r.webhookId) ?? 0) + 1);
      return ok;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const webhookId = String(req.headers['webhook-id'] ?? '');
      const nth = (counts.get(webhookId) ?? 0) + 1;
      counts.set(webhookId, nth);
      const now = (inFlight.get(webhookId) ?? 0) + 1;
      inFlight.set(webhookId, now);
      maxInFlight = Math.max(maxInFlight, now);
      const path = req.url ?? '/';
      const answer = receiver.answer({ webhookId, nth, path });
      receiver.requests.push({
        webhookId,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        path,
        status: answer.status,
        receivedAt: Date.now(),
      });
      const reply = () => {
        inFlight.set(webhookId, (inFlight.get(webhookId) ?? 1) - 1);
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body ?? '');
      };
      if (answer.delayMs) setTimeout(reply, answer.delayMs);
      else reply();
    });
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  receiver.port = (server.address() as AddressInfo).port;
  receiver.url = `http://127.0.0.1:${receiver.port}`;
  return receiver;
}
