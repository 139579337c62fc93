// Partners depend on the schema: fail when schema.graphql breaks the previous committed version,
// unless the change is acknowledged in breaking-changes.json ({ "acknowledged": [{ "change", "reason" }] });
// dangerous changes are listed too (see schema-changes.ts).
// "Previous" is the version before the last commit that touched the file (or the working copy's HEAD
// version when the file has uncommitted edits), so the latest schema change is always checked.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { schemaChanges, type Acknowledgement } from './schema-changes.js';

const FILE = 'packages/schema/schema.graphql';
const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', cwd: '../..' }).trim();

function previousVersion(): { sdl: string; commit: string } | null {
  const dirty = git('status', '--porcelain', '--', FILE) !== '';
  const commits = git('log', '--format=%H', '-n', '2', '--', FILE).split('\n').filter(Boolean);
  const commit = dirty ? commits[0] : commits[1];
  if (!commit) return null;
  return { sdl: git('show', `${commit}:${FILE}`), commit };
}

const acknowledged = (JSON.parse(readFileSync('breaking-changes.json', 'utf8')) as { acknowledged: Acknowledgement[] })
  .acknowledged;
const previous = previousVersion();
if (!previous) {
  process.stdout.write('no earlier schema.graphql in history: nothing to compare\n');
  process.exit(0);
}
const against = previous.commit.slice(0, 10);
const changes = await schemaChanges(previous.sdl, readFileSync('schema.graphql', 'utf8'), acknowledged);
for (const change of changes) {
  process.stdout.write(`${change.acknowledged ? 'acknowledged' : change.level}: ${change.type}: ${change.message}\n`);
}
const blocking = changes.filter((c) => c.level === 'BREAKING' && !c.acknowledged);
if (blocking.length > 0) {
  process.stderr.write(
    `\n${blocking.length} breaking change(s) against ${against}. Make the change additive, or acknowledge it in packages/schema/breaking-changes.json with the reason partners were told.\n`,
  );
  process.exit(1);
}
process.stdout.write(`no unacknowledged breaking changes against ${against}\n`);
