// A partner's webhook receiver: verifies each delivery's Standard Webhooks signature with
// `standardwebhooks`, acknowledges at once, and handles each event once, deduplicating by `webhook-id`
// (deliveries are at least once: a retry, a redelivery or a replay carries the same id).
//
//   WEBHOOK_SECRET=whsec_... PORT=8787 npx -y pnpm@10.34.9 --filter @billing/example-partner-integration webhooks
//
// WEBHOOK_SECRET may hold several secrets separated by spaces (while you switch to a rotated one).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

/** What every delivery's body holds. */
export interface BillingWebhookEvent {
  id: string;
  type: string;
  sequence: number;
  occurredAt: string;
  data: Record<string, unknown>;
}

export interface ReceiverOptions {
  /** `whsec_...`; several during a rotation. A function is asked per delivery (a rotated secret needs no restart). */
  secrets: readonly string[] | (() => readonly string[]);
  /** Called once per event id, after the signature is verified. */
  onEvent: (event: BillingWebhookEvent) => void | Promise<void>;
  /**
   * Whether this event id was handled already, and marks it. In memory here; a real receiver keeps the
   * ids in its database (a unique key on `webhook-id`), in the same transaction as what it does with the event.
   */
  seen?: (webhookId: string) => boolean;
  /** Bodies larger than this are refused (413). */
  maxBodyBytes?: number;
}

function inMemorySeen(limit = 100_000): (id: string) => boolean {
  const ids = new Set<string>();
  return (id) => {
    if (ids.has(id)) return true;
    ids.add(id);
    // Oldest first out: enough to cover the retry schedule and a replay, not forever.
    if (ids.size > limit) ids.delete(ids.values().next().value!);
    return false;
  };
}

export function createWebhookReceiver(options: ReceiverOptions): Server {
  const secrets = typeof options.secrets === 'function' ? options.secrets : () => options.secrets as readonly string[];
  const seen = options.seen ?? inMemorySeen();
  const maxBody = options.maxBodyBytes ?? 256 * 1024;
  return createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBody) {
        res.writeHead(413).end();
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', async () => {
      // Verify the exact bytes received, before parsing; the timestamp must be within 5 minutes.
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = {
        'webhook-id': String(req.headers['webhook-id'] ?? ''),
        'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
        'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
      };
      let event: BillingWebhookEvent | null = null;
      for (const secret of secrets().filter(Boolean)) {
        try {
          event = new Webhook(secret).verify(body, headers) as BillingWebhookEvent;
          break;
        } catch (error) {
          if (!(error instanceof WebhookVerificationError)) throw error;
        }
      }
      if (!event) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('invalid signature');
        return;
      }
      if (seen(headers['webhook-id'])) {
        // Already handled: acknowledge, so the sender stops retrying.
        res.writeHead(200, { 'content-type': 'text/plain' }).end('duplicate');
        return;
      }
      try {
        await options.onEvent(event);
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      } catch {
        // Not handled: a 5xx makes the gateway retry later (with the same webhook-id).
        res.writeHead(500, { 'content-type': 'text/plain' }).end('retry later');
      }
    });
  });
}

async function main(): Promise<void> {
  const secrets = (process.env.WEBHOOK_SECRET ?? '').split(' ').filter(Boolean);
  if (secrets.length === 0) {
    process.stderr.write('Set WEBHOOK_SECRET to the whsec_... secret createWebhookEndpoint returned.\n');
    process.exit(2);
  }
  const server = createWebhookReceiver({
    secrets,
    onEvent: (event) => {
      process.stdout.write(`${event.occurredAt}  #${event.sequence}  ${event.type}  ${JSON.stringify(event.data)}\n`);
    },
  });
  server.listen(Number(process.env.PORT ?? 8787), process.env.HOST ?? '127.0.0.1', () => {
    const { address, port } = server.address() as AddressInfo;
    process.stdout.write(`Receiving webhooks on http://${address}:${port}/\n`);
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
