// The whole test run: generated files fresh, typecheck clean, then every vitest suite.
// Ends with one plain "N passed, N failed" line so CI can read the count.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

function step(label, command, args) {
  process.stdout.write(`\n== ${label}\n`);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  return result.status ?? 1;
}

/**
 * The web example's tests drive a real Chromium (Debian's package: browser downloads are not
 * possible here). Install it when missing and we may (root with apt-get), as CI does.
 */
function ensureChromium() {
  if (existsSync('/usr/bin/chromium')) return 0;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !existsSync('/usr/bin/apt-get')) {
    process.stderr.write(
      'Chromium is missing at /usr/bin/chromium: install Debian\'s "chromium" package for the browser tests.\n',
    );
    return 0; // the browser test itself fails with the same explanation
  }
  process.stdout.write("\n== installing Debian's chromium for the browser tests\n");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  if (update.status !== 0) return update.status ?? 1;
  return spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env }).status ?? 1;
}

const results = '.vitest-results.json';
rmSync(results, { force: true });
let failed = ensureChromium();
failed ||= step('generated files are fresh', 'pnpm', ['run', 'check:generated']);
failed ||= step('typecheck', 'pnpm', ['run', 'typecheck']);
const vitestStatus = failed
  ? 1
  : step('tests', 'pnpm', [
      'exec',
      'vitest',
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile=${results}`,
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
