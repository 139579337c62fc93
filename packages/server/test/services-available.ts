// Suites that need a real server (Redis, PostgreSQL) run only when it answers. Elsewhere they are
// reported skipped with the reason in the suite's name; under CI=true a missing service is a
// failure instead, since CI promises those suites ran.
//
//   const redis = await probeRedis(REDIS_URL);
//   describeWithService(redis, 'shared rate limits', () => { ... });
import { connect } from 'node:net';
import { describe, it } from 'vitest';

export type ServiceAvailability =
  | { name: string; available: true }
  | { name: string; available: false; reason: string };

/** The first line a server sends back to `hello`, or an error; bounded by `timeoutMs`. */
function exchange(host: string, port: number, hello: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => socket.write(hello));
    socket.once('data', (data) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(data);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Redis answers PING at `url` (redis://host:port). */
export async function probeRedis(url: string, timeoutMs = 1_000): Promise<ServiceAvailability> {
  const { hostname, port } = new URL(url);
  try {
    const answer = (await exchange(hostname, Number(port || 6379), Buffer.from('PING\r\n'), timeoutMs)).toString();
    if (answer.startsWith('+PONG') || answer.startsWith('-NOAUTH')) return { name: 'Redis', available: true };
    return { name: 'Redis', available: false, reason: `Redis at ${url} answered "${answer.trim()}"` };
  } catch (error) {
    return { name: 'Redis', available: false, reason: `Redis at ${url} unreachable: ${(error as Error).message}` };
  }
}

/** PostgreSQL accepts a connection at `url` (postgres://host:port/...): it answers an SSLRequest with S or N. */
export async function probePostgres(url: string, timeoutMs = 1_000): Promise<ServiceAvailability> {
  const { hostname, port } = new URL(url);
  const sslRequest = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);
  try {
    const answer = await exchange(hostname, Number(port || 5432), sslRequest, timeoutMs);
    if (answer[0] === 0x4e || answer[0] === 0x53) return { name: 'PostgreSQL', available: true };
    return { name: 'PostgreSQL', available: false, reason: `PostgreSQL at ${url} answered unexpectedly` };
  } catch (error) {
    return {
      name: 'PostgreSQL',
      available: false,
      reason: `PostgreSQL at ${url} unreachable: ${(error as Error).message}`,
    };
  }
}

/** A binary this suite runs (redis-server, initdb, ...) exists. */
export async function probeExecutable(path: string): Promise<ServiceAvailability> {
  const { access, constants } = await import('node:fs/promises');
  try {
    await access(path, constants.X_OK);
    return { name: path, available: true };
  } catch {
    return { name: path, available: false, reason: `${path} is not installed` };
  }
}

/** `describe` when every service is available; otherwise skipped with the reason (a failure under CI=true). */
export function describeWithService(
  services: ServiceAvailability | ServiceAvailability[],
  name: string,
  body: () => void,
): void {
  const missing = [services]
    .flat()
    .filter((s): s is Extract<ServiceAvailability, { available: false }> => !s.available);
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  const reason = missing.map((s) => s.reason).join('; ');
  if (process.env.CI === 'true') {
    describe(name, () => {
      it(`needs ${missing.map((s) => s.name).join(' and ')}`, () => {
        throw new Error(`CI=true and a required service is missing: ${reason}`);
      });
    });
    return;
  }
  process.stderr.write(`skipped "${name}": ${reason}\n`);
  describe.skip(`${name} (skipped: ${reason})`, body);
}
