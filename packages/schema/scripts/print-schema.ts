// Prints the SDL to schema.graphql. With --check, fails instead when the committed file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printSchema } from 'graphql';
import { printBillingSchema } from '../src/graphql/index.js';

const target = fileURLToPath(new URL('../schema.graphql', import.meta.url));
const sdl = `${printBillingSchema(printSchema)}\n`;

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(target, 'utf8');
  } catch {
    // Missing counts as stale.
  }
  if (committed !== sdl) {
    process.stderr.write('packages/schema/schema.graphql is stale: run `pnpm codegen` and commit the result.\n');
    process.exit(1);
  }
  process.stdout.write('schema.graphql is up to date\n');
} else {
  writeFileSync(target, sdl);
  process.stdout.write(`wrote ${target}\n`);
}
