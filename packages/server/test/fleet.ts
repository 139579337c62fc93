// The scale-out topology as real processes, for tests: N gateway instances (the CLI's `start`) on one
// database, sharing a Redis under a random key prefix, and the sandbox processor as its own service
// (`sandbox-processor`). Also a private redis-server on a random port, for tests that stop it.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createTestPostgresDatabase, openStore, type BillingStore } from '@billing/schema/db';
import { startChildGateway, type ChildGateway } from './child-gateway.js';
import { TEST_DIALECT } from './harness.js';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
export const REDIS_SERVER = '/usr/bin/redis-server';
export const FLEET_SECRET = 'fleet-test-secret-long-enough-for-hs256';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export interface ProcessorService {
  url: string;
  child: ChildProcess;
  output(): string;
  /** Every charge the service recorded. */
  charges(): Promise<{ idempotencyKey: string; status: string }[]>;
  stop(): Promise<void>;
}

/** `billing-gateway sandbox-processor --port 0` as a child process. */
export async function startProcessorService(env: Record<string, string> = {}): Promise<ProcessorService> {
  const child = spawn(TSX, [CLI, 'sandbox-processor', '--port', '0'], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 30_000;
  while (!/Processor: (\S+)/.test(output)) {
    if (child.exitCode !== null) throw new Error(`processor service exited during start:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`processor service did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const url = /Processor: (\S+)/.exec(output)![1]!;
  return {
    url,
    child,
    output: () => output,
    charges: async () =>
      ((await (await fetch(`${url}/v1/ledger`)).json()) as { charges: { idempotencyKey: string; status: string }[] })
        .charges,
    stop: () => stopChild(child),
  };
}

export interface Fleet {
  instances: ChildGateway[];
  processor: ProcessorService;
  /** The SQLite file, or the PostgreSQL URL, every instance uses. */
  database: string;
  /** The fleet's database as seen from the test, for reading rows (`rawQuery`). */
  store: BillingStore;
  /** The key prefix this fleet uses in Redis. */
  keyPrefix: string;
  /** Starts one more instance (appended to `instances`), with extra environment. */
  addInstance(env?: Record<string, string>): Promise<ChildGateway>;
  /** Removes this fleet's Redis keys (never anyone else's) and its files. */
  stop(): Promise<void>;
}

/**
 * `count` gateway instances on one database, one processor service, and Redis at `redisUrl` under a
 * fresh key prefix. The database is the test dialect's (BILLING_TEST_DIALECT): one SQLite file (WAL
 * lets several processes share it), or a throwaway PostgreSQL database (`databaseUrl` to give
 * another server's). The first instance migrates and seeds; the others start once it is up.
 */
export async function startFleet(options: {
  count: number;
  redisUrl: string;
  env?: Record<string, string>;
  /** The processor service's environment (SANDBOX_LATENCY_MS, ...). */
  processorEnv?: Record<string, string>;
  /** A PostgreSQL server URL (its `postgres` database) to create the fleet's database on. */
  postgresServerUrl?: string;
}): Promise<Fleet> {
  const dir = mkdtempSync(join(tmpdir(), 'billing-fleet-'));
  const postgres =
    options.postgresServerUrl || TEST_DIALECT === 'postgresql'
      ? await createTestPostgresDatabase(options.postgresServerUrl)
      : null;
  const database = postgres?.url ?? join(dir, 'billing.db');
  const keyPrefix = `test-${randomUUID()}:`;
  const processor = await startProcessorService({
    SANDBOX_LEDGER_PATH: join(dir, 'processor-ledger.db'),
    ...options.processorEnv,
  });
  let store: BillingStore | null = null;
  const env = {
    ...(postgres ? { DATABASE_URL: postgres.url } : { DATABASE_PATH: database }),
    JWT_SECRET: FLEET_SECRET,
    REDIS_URL: options.redisUrl,
    REDIS_KEY_PREFIX: keyPrefix,
    PAYMENT_PROCESSOR: 'http',
    PROCESSOR_URL: processor.url,
    PROCESSOR_TIMEOUT_MS: '2000',
    RECONCILE_INTERVAL_MS: '3600000',
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  const instances: ChildGateway[] = [];
  const stop = async () => {
    await Promise.all(instances.map((instance) => stopChild(instance.child)));
    await processor.stop();
    await store?.close();
    await postgres?.drop().catch(() => {}); // a stopped private server has nothing left to drop
    const redis = new Redis(options.redisUrl, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    try {
      await redis.connect();
      for await (const keys of redis.scanStream({ match: `${keyPrefix}*`, count: 500 }) as AsyncIterable<string[]>) {
        if (keys.length > 0) await redis.del(...keys);
      }
    } catch {
      // A stopped private Redis has nothing left to clean.
    } finally {
      redis.disconnect();
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    instances.push(await startChildGateway({ ...env, SEED_DEMO_DATA: 'true' }));
    store = openStore({ url: database, poolSize: 2 });
    instances.push(
      ...(await Promise.all(
        Array.from({ length: options.count - 1 }, () => startChildGateway({ ...env, SEED_DEMO_DATA: 'false' })),
      )),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const addInstance = async (extra: Record<string, string> = {}) => {
    const instance = await startChildGateway({ ...env, SEED_DEMO_DATA: 'false', ...extra });
    instances.push(instance);
    return instance;
  };
  return { instances, processor, database, store: store!, keyPrefix, addInstance, stop };
}

export interface PrivateRedis {
  url: string;
  port: number;
  start(): Promise<void>;
  /** SIGKILL: an outage, not a polite shutdown. */
  kill(): Promise<void>;
}

/** A redis-server of this test's own on a random port, which the test may stop and start again. */
export async function privateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn(
      REDIS_SERVER,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'],
      {
        stdio: 'ignore',
      },
    );
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
    probe.on('error', () => {}); // refused until the server listens
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await probe.connect();
        await probe.ping();
        probe.disconnect();
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    kill: async () => {
      if (child) await stopChild(child, 'SIGKILL');
      child = null;
    },
  };
}
