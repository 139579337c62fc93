// The node:http server around the app, and how it stops: report not-ready (optionally for a while,
// still serving, so a load balancer stops sending traffic), then refuse new connections, let
// in-flight requests finish, cut streams at once and anything still running after a deadline.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { errorResponseBody } from './gateway-error.js';
import type { Logger } from './logger.js';
import { isStreaming } from './plugins/streams.js';

export interface DrainOptions {
  /** How long to keep serving while reporting not-ready, before closing the listener. */
  delayMs: number;
  /** How long in-flight requests may then take before their connections are cut. */
  timeoutMs: number;
}

export interface DrainableServer {
  server: Server;
  /** False from the moment `drain` is called (readiness reports it). */
  readonly accepting: boolean;
  /** Resolves once every connection is closed. */
  drain(options: DrainOptions): Promise<void>;
}

export function createDrainableServer(
  handler: (req: IncomingMessage, res: ServerResponse) => unknown,
  logger: Logger,
): DrainableServer {
  let accepting = true;
  let draining = false;
  const inFlight = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    if (draining) {
      // A request on a kept-alive connection after shutdown began: send it elsewhere.
      res.writeHead(503, { connection: 'close', 'retry-after': '1', 'content-type': 'application/json' });
      res.end(errorResponseBody('SHUTTING_DOWN', 'The gateway is shutting down; retry.'));
      return;
    }
    inFlight.add(res);
    res.once('close', () => {
      inFlight.delete(res);
      // Once a kept-alive connection goes idle during shutdown, nothing else would close it.
      if (draining) server.closeIdleConnections();
    });
    void handler(req, res);
  });

  return {
    server,
    get accepting() {
      return accepting;
    },
    async drain({ delayMs, timeoutMs }) {
      accepting = false;
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Subscriptions (SSE) never end by themselves; their clients reconnect to another instance.
      for (const res of inFlight) if (isStreaming(res)) res.destroy();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
        timer.unref();
      });
      if ((await Promise.race([closed, deadline])) === 'timeout') {
        logger.warn({ inFlight: inFlight.size }, 'shutdown timeout: closing the remaining connections');
        server.closeAllConnections();
        await closed;
      }
      clearTimeout(timer);
    },
  };
}
