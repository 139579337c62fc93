// Fails when a generated, committed file no longer matches its source:
// schema.graphql (from the Pothos builder), the Drizzle migrations (from the tables), the SDK's
// generated documents (from schema.graphql and the operations), the API reference docs/reference/index.html
// (from schema.graphql and docs/reference/); and the schema must not break
// partners without an acknowledgement.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

function run(label, command, args, cwd, expectOutput) {
  try {
    const out = execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (expectOutput && !expectOutput.test(out)) {
      process.stderr.write(`${label}: stale\n${out}\n`);
      process.exit(1);
    }
    process.stdout.write(`${label}: up to date\n`);
  } catch (error) {
    process.stderr.write(`${label}: ${error.stderr || error.message}\n`);
    process.exit(1);
  }
}

run('schema.graphql', 'pnpm', ['exec', 'tsx', 'scripts/print-schema.ts', '--check'], 'packages/schema');
run('drizzle migrations (SQLite)', 'pnpm', ['exec', 'drizzle-kit', 'generate'], 'packages/schema', /No schema changes/);
run(
  'drizzle migrations (PostgreSQL)',
  'pnpm',
  ['exec', 'drizzle-kit', 'generate', '--config', 'drizzle.pg.config.ts'],
  'packages/schema',
  /No schema changes/,
);
run('schema breaking changes', 'pnpm', ['exec', 'tsx', 'scripts/check-breaking-changes.ts'], 'packages/schema');
if (existsSync('packages/sdk/codegen.ts')) {
  run('sdk generated documents', 'pnpm', ['run', 'codegen:check'], 'packages/sdk');
}
run('api reference', 'node', ['scripts/build-reference.mjs', '--check'], '.');
