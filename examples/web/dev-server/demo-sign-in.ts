// A development-only Vite plugin: the token source of the page's demo-user picker.
//
//   GET /dev/demo-users        -> { users: [{ email, displayName }] }
//   GET /dev/token?email=...   -> { token, email, displayName }
//
// It does what the gateway CLI's `npx -y pnpm@10.34.9 run token <email>` does (see gateway-tokens.ts), with the gateway's
// own configuration variables (BILLING_DATA_DIR, DATABASE_PATH, JWT_SECRET, JWT_SECRET_FILE, ...).
// Where it runs, and where it does not:
// - only on Vite's dev server (`vite`) and preview server (`vite preview`): local tools, never a
//   production server. A build's output has no /dev routes; the page then asks for a bearer token.
// - only for requests from this machine (loopback), even with `--host`.
// - not at all when BILLING_MODE=production, or when the gateway verifies tokens from an identity
//   provider (JWKS_URL): there are no demo tokens to mint then.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { runnerImport, type Connect, type Plugin } from 'vite';

type Env = Record<string, string | undefined>;
type GatewayTokens = typeof import('./gateway-tokens');

export interface DemoSignInOptions {
  /** Environment to read the gateway's configuration from, at each request. Default: `process.env`. */
  env?: Env;
}

/** Why the token routes are off for this environment, or null when they may run. */
export function demoSignInDisabledReason(env: Env): string | null {
  if (env.BILLING_MODE === 'production') return 'BILLING_MODE=production';
  if (env.JWKS_URL) return 'the gateway verifies identity-provider tokens (JWKS_URL)';
  return null;
}

// @billing/server is TypeScript source, which Node 20 cannot import: Vite's module runner loads it
// (once, on the first request) instead of the config bundler.
let tools: Promise<GatewayTokens> | null = null;
function gatewayTokens(): Promise<GatewayTokens> {
  tools ??= runnerImport<GatewayTokens>(fileURLToPath(new URL('./gateway-tokens.ts', import.meta.url)), {
    logLevel: 'error',
  }).then((result) => result.module);
  return tools;
}

function isLoopback(request: IncomingMessage): boolean {
  const address = request.socket.remoteAddress ?? '';
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.statusCode = status;
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.setHeader('cache-control', 'no-store');
  response.end(JSON.stringify(body));
}

function middleware(env: Env): Connect.NextHandleFunction {
  return (request, response, next) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== '/dev/demo-users' && url.pathname !== '/dev/token') return next();
    if (request.method !== 'GET') return send(response, 405, { error: 'Use GET.' });
    if (!isLoopback(request)) return send(response, 403, { error: 'Demo tokens are served to this machine only.' });
    const work = async () => {
      const { listDemoUsers, mintDemoToken } = await gatewayTokens();
      if (url.pathname === '/dev/demo-users') return { users: await listDemoUsers(env) };
      const email = url.searchParams.get('email');
      if (!email) return Promise.reject(Object.assign(new Error('Pass ?email=<a demo user>.'), { status: 400 }));
      return mintDemoToken(env, email);
    };
    work().then(
      (body) => send(response, 200, body),
      (error: unknown) => {
        const status =
          typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : 500;
        send(response, status, { error: error instanceof Error ? error.message : String(error) });
      },
    );
  };
}

/** Serves demo-user tokens on Vite's dev and preview servers (never part of a build). */
export function demoSignIn(options: DemoSignInOptions = {}): Plugin {
  const env = options.env ?? process.env;
  const install = (server: { middlewares: Connect.Server; config: { logger: { info(msg: string): void } } }) => {
    const reason = demoSignInDisabledReason(env);
    if (reason) {
      server.config.logger.info(`demo sign-in: off (${reason})`);
      return;
    }
    server.middlewares.use(middleware(env));
  };
  return {
    name: 'billing-demo-sign-in',
    apply: 'serve',
    configureServer: install,
    configurePreviewServer: install,
  };
}
