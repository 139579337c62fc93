// The SDK as an outside team gets it: `pnpm pack` (prepack builds dist/), the tarball installed into a
// scratch project outside the workspace from the local store, a strict typecheck of a small consumer
// (sdk-consumer/), and that consumer run as its own Node process against a real gateway.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { accountId, startTestGateway, type TestGateway } from '@billing/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const sdkDir = join(repoRoot, 'packages/sdk');
const consumerDir = fileURLToPath(new URL('../sdk-consumer/', import.meta.url));
const rootPackage = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  /** `pnpm@<exact version>`: the one pnpm this project runs through npx. */
  packageManager: string;
  devDependencies: Record<string, string>;
};

/** The workspace's pnpm settings (npm_config_*) must not leak into the scratch project's install. */
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));

async function pnpm(cwd: string, ...args: string[]) {
  return run('npx', ['-y', rootPackage.packageManager, ...args], { cwd, env: cleanEnv, maxBuffer: 16 * 1024 * 1024 });
}

/** Runs a command that may fail; returns its exit code and output instead of throwing. */
async function attempt(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  try {
    const { stdout, stderr } = await run(command, args, { ...options, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

let scratch: string;
let tarball: string;
let files: string[];
let gw: TestGateway;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'billing-sdk-consumer-'));
  await pnpm(sdkDir, 'pack', '--pack-destination', scratch);
  const packed = readdirSync(scratch).find((file) => file.endsWith('.tgz'));
  if (!packed) throw new Error(`pnpm pack wrote no tarball into ${scratch}`);
  tarball = join(scratch, packed);
  files = (await run('tar', ['-tzf', tarball])).stdout.split('\n').filter(Boolean);

  cpSync(consumerDir, scratch, { recursive: true });
  writeFileSync(
    join(scratch, 'package.json'),
    JSON.stringify({
      name: 'sdk-consumer',
      private: true,
      type: 'module',
      dependencies: { '@billing/sdk': `file:./${packed}` },
      // The same compiler and Node types the workspace uses, so the install is served by the local store.
      devDependencies: {
        typescript: rootPackage.devDependencies.typescript,
        '@types/node': rootPackage.devDependencies['@types/node'],
      },
    }),
  );
  await pnpm(scratch, 'install', '--prefer-offline', '--ignore-workspace');
  gw = await startTestGateway();
}, 300_000);

afterAll(async () => {
  await gw?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('the packed @billing/sdk', () => {
  it('is installed outside the workspace', () => {
    expect(scratch.startsWith(repoRoot)).toBe(false);
    expect(readdirSync(join(scratch, 'node_modules/@billing/sdk/dist'))).toContain('index.js');
  });

  it('ships the built code, the schema and the trusted-documents manifest, and no sources or tests', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'package/package.json',
        'package/README.md',
        'package/CHANGELOG.md',
        'package/dist/index.js',
        'package/dist/index.d.ts',
        'package/dist/schema.graphql',
        'package/dist/generated/persisted-documents.json',
      ]),
    );
    expect(files.filter((file) => file.startsWith('package/src/') || file.includes('.test.'))).toEqual([]);

    const installed = join(scratch, 'node_modules/@billing/sdk');
    expect(readFileSync(join(installed, 'dist/schema.graphql'), 'utf8')).toBe(
      readFileSync(join(repoRoot, 'packages/schema/schema.graphql'), 'utf8'),
    );
    expect(JSON.parse(readFileSync(join(installed, 'dist/generated/persisted-documents.json'), 'utf8'))).toEqual(
      JSON.parse(readFileSync(join(sdkDir, 'src/generated/persisted-documents.json'), 'utf8')),
    );
  });

  it('has an exports map whose every target is in the package', () => {
    const manifest = JSON.parse(readFileSync(join(scratch, 'node_modules/@billing/sdk/package.json'), 'utf8')) as {
      exports: Record<string, string | Record<string, string>>;
    };
    const targets = Object.values(manifest.exports).flatMap((target) =>
      typeof target === 'string' ? [target] : Object.values(target),
    );
    expect(Object.keys(manifest.exports)).toEqual(
      expect.arrayContaining(['.', './trusted-documents.json', './schema.graphql']),
    );
    for (const target of targets) expect(files).toContain(`package/${target.replace(/^\.\//, '')}`);
  });

  it('typechecks a consumer under strict settings with NodeNext resolution, library declarations included', async () => {
    const result = await attempt(join(scratch, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: scratch });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.code).toBe(0);
  }, 180_000);

  it('answers a real call from the consumer process with what the gateway holds', async () => {
    const { stdout } = await run(process.execPath, ['dist/consumer.js'], {
      cwd: scratch,
      env: { ...cleanEnv, BILLING_GATEWAY_URL: gw.url, BILLING_TOKEN: gw.tokens.ada },
    });
    const report = JSON.parse(stdout) as Record<string, unknown>;

    const truth = await gw.gql<{
      billingAccount: {
        displayName: string;
        billingProfiles: {
          displayName: string;
          defaultPaymentMethod: { brand: string; last4: string } | null;
          paymentMethods: unknown[];
        }[];
      };
    }>(
      `query($id: ID!) { billingAccount(id: $id) { displayName billingProfiles {
         displayName defaultPaymentMethod { brand last4 } paymentMethods { id } } } }`,
      { id: accountId(1) },
    );
    const profile = truth.data!.billingAccount.billingProfiles[0]!;
    expect(report).toMatchObject({
      account: truth.data!.billingAccount.displayName,
      profile: profile.displayName,
      defaultCard: `${profile.defaultPaymentMethod!.brand} ${profile.defaultPaymentMethod!.last4}`,
      cardCount: profile.paymentMethods.length,
      invoiceCount: 2,
      missingInvoice: 'not found: Invoice',
      refused: 'http 401',
      schemaHasQuery: true,
    });
    expect(report.trustedDocuments).toBe(
      Object.keys(JSON.parse(readFileSync(join(sdkDir, 'src/generated/persisted-documents.json'), 'utf8'))).length,
    );
  }, 60_000);

  it('fails under moduleResolution node10 with a message that names the settings to use', async () => {
    const result = await attempt(join(scratch, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.node10.json'], {
      cwd: scratch,
    });
    expect(result.code).not.toBe(0);
    expect(result.stdout).toContain("Cannot find module '@billing/sdk'");
    expect(result.stdout).toContain("Consider updating to 'node16', 'nodenext', or 'bundler'");
  }, 180_000);
});
