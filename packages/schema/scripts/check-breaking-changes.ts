// Partners depend on the schema: fail when schema.graphql breaks the previous committed version,
// unless the change is acknowledged in breaking-changes.json ({ "acknowledged": [{ "change", "reason" }] }).
// "Previous" is the version before the last commit that touched the file (or the working copy's HEAD
// version when the file has uncommitted edits), so the latest schema change is always checked.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { buildSchema, findBreakingChanges } from 'graphql';

const FILE = 'packages/schema/schema.graphql';
const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', cwd: '../..' }).trim();

function previousVersion(): { sdl: string; commit: string } | null {
  const dirty = git('status', '--porcelain', '--', FILE) !== '';
  const commits = git('log', '--format=%H', '-n', '2', '--', FILE).split('\n').filter(Boolean);
  const commit = dirty ? commits[0] : commits[1];
  if (!commit) return null;
  return { sdl: git('show', `${commit}:${FILE}`), commit };
}

const acknowledged = (
  JSON.parse(readFileSync('breaking-changes.json', 'utf8')) as { acknowledged: { change: string; reason: string }[] }
).acknowledged;
const previous = previousVersion();
if (!previous) {
  process.stdout.write('no earlier schema.graphql in history: nothing to compare\n');
  process.exit(0);
}
const changes = findBreakingChanges(buildSchema(previous.sdl), buildSchema(readFileSync('schema.graphql', 'utf8')));
const unacknowledged = changes.filter((c) => !acknowledged.some((a) => a.change === c.description));
for (const change of changes) {
  const ok = !unacknowledged.includes(change);
  process.stdout.write(`${ok ? 'acknowledged' : 'BREAKING'}: ${change.type}: ${change.description}\n`);
}
if (unacknowledged.length > 0) {
  process.stderr.write(
    `\n${unacknowledged.length} breaking change(s) against ${previous.commit.slice(0, 10)}. Make the change additive, or acknowledge it in packages/schema/breaking-changes.json with the reason partners were told.\n`,
  );
  process.exit(1);
}
process.stdout.write(`no unacknowledged breaking changes against ${previous.commit.slice(0, 10)}\n`);
