// The whole test run: generated files fresh, typecheck clean, then every vitest suite.
// Ends with one plain "N passed, N failed" line so CI can read the count.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

function step(label, command, args) {
  process.stdout.write(`\n== ${label}\n`);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  return result.status ?? 1;
}

const results = '.vitest-results.json';
rmSync(results, { force: true });
let failed = step('generated files are fresh', 'pnpm', ['run', 'check:generated']);
failed ||= step('typecheck', 'pnpm', ['run', 'typecheck']);
const vitestStatus = failed
  ? 1
  : step('tests', 'pnpm', ['exec', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile=${results}`, ...process.argv.slice(2)]);

if (existsSync(results)) {
  const report = JSON.parse(readFileSync(results, 'utf8'));
  const skipped = report.numPendingTests + report.numTodoTests;
  // Suites that failed to load count as failures too.
  const failedSuites = report.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0).length;
  process.stdout.write(`\n${report.numPassedTests} passed, ${report.numFailedTests + failedSuites} failed, ${skipped} skipped\n`);
} else {
  process.stdout.write('\n0 passed, 1 failed\n');
}
process.exit(failed || vitestStatus);
