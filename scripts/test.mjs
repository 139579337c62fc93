// The whole test run: generated files fresh, typecheck clean, then every vitest suite.
// Ends with one plain "N passed, N failed" line so CI can read the count.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

function step(label, command, args) {
  process.stdout.write(`\n== ${label}\n`);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  return result.status ?? 1;
}

// The browser suites drive a real Chromium (Debian's package; browser downloads are not possible
// here). Installing it is machine set-up, done by .ci/run, never by a test run. Without it: under
// CI=true the run fails, saying so; elsewhere those suites are skipped, saying why.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const BROWSER_SUITES = ['examples/web/test/web.test.ts', 'examples/graphiql/test/graphiql.test.ts'];
const chromiumMissing = !existsSync(CHROMIUM);
const missingMessage =
  `Chromium is missing at ${CHROMIUM}, which the browser suites need (${BROWSER_SUITES.join(', ')}). ` +
  'Install it with `apt-get update && apt-get install -y chromium` (.ci/run does), or set CHROMIUM_PATH.';

const results = '.vitest-results.json';
rmSync(results, { force: true });
let failed = 0;
if (chromiumMissing && process.env.CI === 'true') {
  process.stderr.write(`\nFAIL: ${missingMessage}\n`);
  failed = 1;
} else if (chromiumMissing) {
  process.stdout.write(`\n== skipping the browser suites: ${missingMessage}\n`);
}
failed ||= step('generated files are fresh', 'pnpm', ['run', 'check:generated']);
failed ||= step('typecheck', 'pnpm', ['run', 'typecheck']);
failed ||= step('lint', 'pnpm', ['run', 'lint']);
const vitestStatus = failed
  ? 1
  : step('tests', 'pnpm', [
      'exec',
      'vitest',
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile=${results}`,
      ...(chromiumMissing ? BROWSER_SUITES.map((suite) => `--exclude=${suite}`) : []),
      ...process.argv.slice(2),
    ]);

let summary = '0 passed, 1 failed';
if (existsSync(results)) {
  const report = JSON.parse(readFileSync(results, 'utf8'));
  const skipped = report.numPendingTests + report.numTodoTests;
  // Suites that failed to load count as failures too.
  const failedSuites = report.testResults.filter(
    (s) => s.status === 'failed' && s.assertionResults.length === 0,
  ).length;
  summary = `${report.numPassedTests} passed, ${report.numFailedTests + failedSuites} failed, ${skipped} skipped`;
}
process.stdout.write(`\n${summary}\n`);
// Kept for .ci/run, which prints it again as its very last line after the benchmark.
writeFileSync('.test-summary', `${summary}\n`);
process.exit(failed || vitestStatus);
