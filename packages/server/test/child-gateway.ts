// Runs the gateway CLI (`start`) as a child process, as an operator would, for crash and shutdown tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface ChildGateway {
  child: ChildProcess;
  graphqlUrl: string;
  /** Bearer tokens the start banner printed, by email. */
  tokens: Map<string, string>;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startChildGateway(env: Record<string, string>, timeoutMs = 30_000): Promise<ChildGateway> {
  // `node --import tsx`, as `pnpm start` runs it: the child is the gateway itself, so a SIGKILL kills
  // the gateway (the tsx CLI would be a wrapper process, and its gateway would outlive it).
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'start'], {
    cwd: ROOT,
    // The card-testing limits are off, as in harness.ts: races send many payments per principal.
    env: { ...process.env, PORT: '0', PAY_INVOICE_PER_MINUTE: '0', ADD_PAYMENT_METHOD_PER_MINUTE: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const deadline = Date.now() + timeoutMs;
  while (!/GraphQL:\s+(\S+)/.test(output) || !output.includes('@')) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`gateway exited during start:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`gateway did not start in ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // The banner lists one token per demo user after the URL; give it a moment to be flushed whole.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const tokens = new Map(
    [...output.matchAll(/^\s+(\S+@\S+)\s+(\S+\.\S+\.\S+)$/gm)].map((m) => [m[1]!, m[2]!] as [string, string]),
  );
  return { child, graphqlUrl: /GraphQL:\s+(\S+)/.exec(output)![1]!, tokens, output: () => output, exited };
}

/** A GraphQL request to a child gateway as one of its demo users (by email). */
export async function childGql(
  gateway: ChildGateway,
  query: string,
  variables: Record<string, unknown> = {},
  email = 'ada@contoso.example',
) {
  const response = await fetch(gateway.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.tokens.get(email)}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data: Record<string, any>; errors?: unknown[] };
}
