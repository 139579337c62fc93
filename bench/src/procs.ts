// Child processes: every server under test runs in its own process (spawned through tsx, as
// `pnpm start` does), so autocannon in this process and the server get a core each.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { REPO_DIR } from './options.js';

export const TSX = `${REPO_DIR}/node_modules/.bin/tsx`;
/** The gateway as `pnpm start` runs it: compiled (scripts/build-server.mjs, which the bench runs first). */
export const GATEWAY_CLI = `${REPO_DIR}/packages/server/dist/cli.js`;
export const SERVERS_DIR = `${REPO_DIR}/bench/src/servers`;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Parent pid of every process, read from /proc (Linux). */
function parentPids(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid ...; comm may contain spaces and parentheses: read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(name), ppid);
    } catch {
      // the process ended meanwhile
    }
  }
  return parents;
}

export function descendantsOf(pid: number): number[] {
  const parents = parentPids();
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const [child, parent] of parents) {
      if (parent === current) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

/** CPU time (user + system) a process has used, in ms; null once it is gone. Linux: 100 clock ticks a second. */
export function cpuMsOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

export interface ProcessMemory {
  rssMB: number;
  /** Peak RSS since the process started (VmHWM). */
  hwmMB: number;
}

export function memoryOf(pid: number): ProcessMemory | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMB: kb('VmRSS') / 1024, hwmMB: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

export interface ServerChild {
  name: string;
  child: ChildProcess;
  /** Base URL the server answers on. */
  url: string;
  /** Milliseconds from spawn to ready. */
  readyMs: number;
  /** CPU milliseconds the serving processes had used when ready: start-up's cost, whatever else runs. */
  readyCpuMs: number;
  output(): string;
  /** The processes doing the serving: everything below the tsx wrapper. */
  serverPids(): number[];
  /** RSS of the serving processes (sum), and of the tsx wrapper on its own. */
  memory(): { serverMB: number; serverHwmMB: number; wrapperMB: number };
  stop(): Promise<void>;
}

export interface StartOptions {
  name: string;
  /** Script with its arguments: compiled JavaScript (`.js`) runs on node, TypeScript on tsx. */
  args: string[];
  /** Another executable to run `args` with (the PostGraphile peer's own Node 22). */
  command?: string;
  env: Record<string, string>;
  /** Node flags for the server process (tsx passes them on), e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** Ready when this resolves true; polled every `pollMs` from the moment of spawn. */
  ready: (output: string) => Promise<string | null> | string | null;
  pollMs?: number;
  timeoutMs?: number;
}

export async function startServer(options: StartOptions): Promise<ServerChild> {
  const started = performance.now();
  const env: Record<string, string> = { ...(process.env as Record<string, string>), ...options.env };
  const runner = options.command ?? (options.args[0]?.endsWith('.js') ? process.execPath : TSX);
  const child = spawn(runner, [...(options.nodeArgs ?? []), ...options.args], {
    cwd: REPO_DIR,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Always drained, so a chatty server never blocks on a full pipe; only the tail is kept.
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 64_000) output = output.slice(-32_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );

  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let url: string | null = null;
  while (url === null) {
    if (exited) throw new Error(`${options.name} exited during start:\n${output.slice(-4_000)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.name} was not ready in ${options.timeoutMs ?? 60_000} ms:\n${output.slice(-4_000)}`);
    }
    url = await options.ready(output);
    if (url === null) await sleep(options.pollMs ?? 20);
  }
  const readyMs = performance.now() - started;
  const wrapperPid = child.pid!;
  // Compiled JavaScript (and any other command) runs in the spawned process itself; tsx runs the server
  // in a child of its own.
  const direct = runner !== TSX;
  const serverPids = () => (direct ? [wrapperPid, ...descendantsOf(wrapperPid)] : descendantsOf(wrapperPid));
  const readyCpuMs = serverPids().reduce((sum, pid) => sum + (cpuMsOf(pid) ?? 0), 0);

  return {
    name: options.name,
    child,
    url,
    readyMs,
    readyCpuMs,
    output: () => output,
    serverPids,
    memory() {
      let serverMB = 0;
      let serverHwmMB = 0;
      for (const pid of serverPids()) {
        const m = memoryOf(pid);
        if (m) {
          serverMB += m.rssMB;
          serverHwmMB += m.hwmMB;
        }
      }
      return { serverMB, serverHwmMB, wrapperMB: direct ? 0 : (memoryOf(wrapperPid)?.rssMB ?? 0) };
    },
    async stop() {
      if (exited) return;
      const pids = serverPids();
      child.kill('SIGTERM'); // tsx relays it to the server, which closes and exits
      const timeout = sleep(8_000).then(() => 'timeout' as const);
      if ((await Promise.race([exit, timeout])) === 'timeout') {
        for (const pid of [wrapperPid, ...pids]) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        await exit;
      }
    },
  };
}

/** Ready when the server printed `LISTENING <url>` (the bench's own servers do). */
export const listeningLine = (output: string): string | null => /^LISTENING (\S+)$/m.exec(output)?.[1] ?? null;
