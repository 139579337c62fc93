// The README's commands exactly as printed, on a real process: `npx -y pnpm@10.34.9 start` stops on
// Ctrl+C (SIGINT to the whole process group, as a terminal sends it) without pnpm's failure noise, the
// token command it prints works as printed, and the data folder is the repository root's `data/`.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { TOKEN_COMMAND } from '../src/graphiql.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'billing-start-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const env = { ...process.env, PORT: '0', BILLING_DATA_DIR: dataDir, LOG_LEVEL: 'info' };

describe('the start command', () => {
  it('Ctrl+C: the gateway stops cleanly and pnpm prints no failure', async () => {
    const launched = Date.now();
    const child = spawn('npx', ['-y', 'pnpm@10.34.9', 'start'], { cwd: ROOT, env, detached: true });
    let output = '';
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
      child.on('exit', (code, signal) => done({ code, signal }));
    });
    const started = new Promise<void>((done) => {
      const read = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('gateway listening') || output.includes('Demo users:')) done();
      };
      child.stdout.on('data', read);
      child.stderr.on('data', read);
    });
    await started;
    await new Promise((r) => setTimeout(r, 500));
    process.kill(-child.pid!, 'SIGINT');
    const { code, signal } = await exited;
    expect(output).toContain('gateway stopped');
    // It ran the gateway compiled just now (scripts/build-server.mjs), not TypeScript through tsx.
    expect(statSync(join(ROOT, 'packages/server/dist/cli.js')).mtimeMs).toBeGreaterThanOrEqual(launched - 1_000);
    expect(output).not.toMatch(/ERR_PNPM|ELIFECYCLE|Command failed/);
    // The gateway exits 0; pnpm, which got the same SIGINT, ends by that signal, silently.
    expect(code === 0 || signal === 'SIGINT', `${code} ${signal}`).toBe(true);
    // The banner prints the token command exactly as it is run below.
    expect(output).toContain(`new ones: ${TOKEN_COMMAND} <email>`);
  }, 90_000);

  it('the printed token command works as printed', () => {
    const [command, ...args] = `${TOKEN_COMMAND} ada@contoso.example`.split(' ');
    const result = spawnSync(command!, args, { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n').at(-1)).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
  }, 90_000);

  it("the default data folder is the repository root's data/, whatever the current directory", () => {
    const config = loadConfig({});
    expect(config.databasePath).toBe(resolve(ROOT, 'data', 'billing.db'));
    expect(loadConfig({ BILLING_DATA_DIR: 'elsewhere', INIT_CWD: '/tmp' }).databasePath).toBe(
      '/tmp/elsewhere/billing.db',
    );
  });
});
