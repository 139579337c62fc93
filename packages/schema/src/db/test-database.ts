// Throwaway PostgreSQL databases for tests: one per test file or gateway, a random name, dropped
// afterwards, so files can run in parallel against one server.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server the PostgreSQL suites use (trust auth locally and in CI). */
export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestPostgresDatabase {
  url: string;
  drop(): Promise<void>;
}

async function admin<T>(server: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: server, connectionTimeoutMillis: 3_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A new empty database on `server` (default TEST_POSTGRES_URL), with the function that drops it. */
export async function createTestPostgresDatabase(server = TEST_POSTGRES_URL): Promise<TestPostgresDatabase> {
  const name = `billing_test_${randomBytes(6).toString('hex')}`;
  await admin(server, (c) => c.query(`CREATE DATABASE ${name} TEMPLATE template0`));
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin(server, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** Null when the server answers; otherwise why the PostgreSQL suites cannot run. */
export async function postgresUnavailableReason(): Promise<string | null> {
  try {
    await admin(TEST_POSTGRES_URL, (c) => c.query('SELECT 1'));
    return null;
  } catch (error) {
    return `PostgreSQL at ${TEST_POSTGRES_URL} is unreachable: ${error instanceof Error ? error.message : String(error)}`;
  }
}
