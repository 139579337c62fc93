// Pieces the peer and variant servers share: the gateway's own resources and authenticator, and a
// context built exactly the way packages/server/src/context.ts builds it (that module is internal to
// @billing/server, so it is restated here; keep the two in step).
import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { AccessView, type BillingServices, type Principal } from '@billing/schema/billing';
import type { GraphQLContext } from '@billing/schema/graphql';
import {
  createAuthenticator,
  createResources,
  loadConfig,
  type Authenticator,
  type GatewayConfig,
  type GatewayResources,
} from '@billing/server';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface GatewayParts {
  config: GatewayConfig;
  resources: GatewayResources;
  services: BillingServices;
  authenticator: Authenticator;
}

export async function gatewayParts(env: NodeJS.ProcessEnv = process.env): Promise<GatewayParts> {
  const config = loadConfig(env);
  const resources = await createResources(config);
  return {
    config,
    resources,
    services: resources.services,
    authenticator: createAuthenticator(config, resources.services),
  };
}

export class Unauthenticated extends Error {}

/** What context.ts does: authenticate the headers, load the principal's grants, pick a request id. */
export async function buildContext(parts: GatewayParts, headers: Headers): Promise<GraphQLContext> {
  let principal: Principal | null;
  try {
    principal = await parts.authenticator.authenticate(headers);
  } catch (error) {
    throw new Unauthenticated(error instanceof Error ? error.message : String(error));
  }
  const given = headers.get('x-request-id');
  return {
    services: parts.services,
    access: await AccessView.load(parts.services.store, principal),
    requestId: given && REQUEST_ID.test(given) ? given : randomUUID(),
  };
}

export function headersOf(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
  }
  return headers;
}

export async function readBody(req: IncomingMessage, limit = 1_000_000): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJson(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** Port and host from the same variables the gateway reads. */
export function listenAddress(env: NodeJS.ProcessEnv = process.env): { port: number; host: string } {
  return { port: Number(env.PORT ?? 0), host: env.HOST ?? '127.0.0.1' };
}

/** Reports readiness on stdout in the one line the bench waits for. */
export function announce(url: string): void {
  process.stdout.write(`LISTENING ${url}\n`);
}

/**
 * The "prepared statements" lever: reuse one better-sqlite3 statement per SQL text instead of
 * preparing it on every query (at most 2,000 kept).
 */
export function installStatementCache(sqlite: Database.Database): void {
  const prepare = sqlite.prepare.bind(sqlite);
  const statements = new Map<string, Database.Statement>();
  sqlite.prepare = ((source: string) => {
    let statement = statements.get(source);
    if (statement) {
      // Drizzle switches a statement to raw mode when it wants arrays; start every use from the default.
      if (statement.reader) statement.raw(false);
      return statement;
    }
    statement = prepare(source);
    if (statements.size < 2_000) statements.set(source, statement);
    return statement;
  }) as typeof sqlite.prepare;
}

/** Closes the HTTP server and then the rest, when the bench stops this process. */
export function closeOnSignals(server: Server, closeRest: () => unknown): void {
  exitOnSignals(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        void Promise.resolve(closeRest());
      }),
  );
}

/** Listens where `listenAddress` says, then announces the URL (plus `path`) once bound. */
export function listenAndAnnounce(server: Server, path = ''): void {
  const { port, host } = listenAddress();
  server.listen(port, host, () => {
    const address = server.address();
    announce(`http://${host}:${typeof address === 'object' && address ? address.port : port}${path}`);
  });
}

export function exitOnSignals(close: () => Promise<void> | void): void {
  const stop = () => {
    void Promise.resolve(close()).finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
