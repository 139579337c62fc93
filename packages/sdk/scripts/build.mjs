// Writes dist/ for publishing: ESM + .d.ts from src/, the trusted-documents manifest, and a copy of the
// committed schema.graphql (so consumers can run their own codegen against the schema this SDK was built on).
// Runs on `prepack`, so `pnpm pack` / `pnpm publish` never ship a missing or stale dist/.
import { execFileSync } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
rmSync('dist', { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
copyFileSync('src/generated/persisted-documents.json', 'dist/generated/persisted-documents.json');
copyFileSync('../schema/schema.graphql', 'dist/schema.graphql');
