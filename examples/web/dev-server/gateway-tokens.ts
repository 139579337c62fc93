// The gateway side of the demo sign-in (see demo-sign-in.ts): what `npx -y pnpm@10.34.9 run token <email>` does.
// Reads the gateway's configuration from the same environment variables, opens the gateway's SQLite
// database, and mints an HS256 token with the same secret (JWT_SECRET, else the secret file the
// gateway generated under its data directory). Loaded by Vite's module runner on first use, because
// @billing/server is TypeScript source.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { createAuthenticator, createResources, loadConfig, type GatewayConfig } from '@billing/server';

type Env = Record<string, string | undefined>;

export interface DemoUserSummary {
  email: string;
  displayName: string;
}

/**
 * Where `pnpm start` keeps the gateway's data: it runs in packages/server, so `data/` is there.
 * BILLING_DATA_DIR (or DATABASE_PATH and JWT_SECRET/JWT_SECRET_FILE) override it, as for the gateway.
 */
function defaultDataDir(): string {
  const serverEntry = createRequire(import.meta.url).resolve('@billing/server'); // packages/server/src/index.ts
  return resolve(dirname(serverEntry), '..', 'data');
}

function gatewayConfig(env: Env): GatewayConfig {
  // Vite sets NODE_ENV=production for `vite preview` (and builds); that says nothing about the gateway,
  // whose mode is BILLING_MODE. Everything else is read exactly as the gateway reads it.
  const { NODE_ENV: _viteNodeEnv, ...rest } = env;
  const config = loadConfig({ BILLING_DATA_DIR: defaultDataDir(), ...rest });
  // Minting needs the users table only; leave the sandbox processor's ledger to the gateway.
  return { ...config, payments: { ...config.payments, sandboxLedgerPath: ':memory:' } };
}

/** A failure with the HTTP status the dev server answers with. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function withGateway<T>(env: Env, run: (tools: Awaited<ReturnType<typeof open>>) => Promise<T>): Promise<T> {
  const config = gatewayConfig(env);
  if (!config.databaseUrl && config.databasePath === ':memory:') {
    throw new HttpError(
      503,
      'The gateway uses an in-memory database (DATABASE_PATH=:memory:), which another process cannot read.',
    );
  }
  if (!config.databaseUrl && !existsSync(config.databasePath)) {
    throw new HttpError(
      503,
      `No gateway database at ${config.databasePath}. Start the gateway first (pnpm start), or set the same BILLING_DATA_DIR / DATABASE_PATH as the gateway.`,
    );
  }
  const tools = await open(config);
  try {
    return await run(tools);
  } finally {
    await tools.resources.close();
  }
}

async function open(config: GatewayConfig) {
  const resources = await createResources(config);
  return { resources, authenticator: createAuthenticator(config, resources.services) };
}

export async function listDemoUsers(env: Env): Promise<DemoUserSummary[]> {
  return withGateway(env, async ({ resources }) => {
    const users = await resources.store.db.query.users.findMany({ orderBy: { id: 'asc' } });
    return users.map((u) => ({ email: u.email, displayName: u.displayName }));
  });
}

export async function mintDemoToken(env: Env, email: string): Promise<{ token: string } & DemoUserSummary> {
  return withGateway(env, async ({ resources, authenticator }) => {
    const user = await resources.store.db.query.users.findFirst({ where: { email } });
    if (!user) throw new HttpError(404, `No user ${email}.`);
    return { token: await authenticator.mintUserToken(user.id), email: user.email, displayName: user.displayName };
  });
}
