// Reads a V8 .cpuprofile (node --cpu-prof) and attributes self time to packages and layers.
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Which samples to count: those between `fromEndMs[0]` and `fromEndMs[1]` before the profile's end. */
export interface ProfileWindow {
  fromEndMs: [number, number];
}

export interface ProfileSummary {
  file: string;
  /** Non-idle sampled time. */
  busyMs: number;
  idleMs: number;
  layers: { layer: string; ms: number; share: number }[];
  packages: { name: string; ms: number; share: number }[];
  topFunctions: { name: string; where: string; ms: number; share: number }[];
}

const SQLITE_NATIVE = new Set([
  'all',
  'get',
  'run',
  'iterate',
  'prepare',
  'raw',
  'pluck',
  'expand',
  'columns',
  'exec',
  'pragma',
]);

function packageOf(url: string): string | null {
  const at = url.lastIndexOf('/node_modules/');
  if (at === -1) return null;
  const rest = url.slice(at + '/node_modules/'.length).split('/');
  return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
}

function nameOf(frame: CallFrame, parent: CallFrame | undefined): string {
  const { url, functionName } = frame;
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(idle)') return '(idle)';
  if (functionName === '(program)') return 'V8 (program)';
  if (!url) {
    const parentPackage = parent ? packageOf(parent.url) : null;
    if (SQLITE_NATIVE.has(functionName) && (parentPackage === 'drizzle-orm' || parentPackage === 'better-sqlite3'))
      return 'SQLite (native)';
    if (functionName === 'stringify' || functionName === 'parse') return `JSON.${functionName}`;
    return 'other native';
  }
  const pkg = packageOf(url);
  if (pkg) return pkg;
  if (url.includes('/packages/schema/src/')) return '@billing/schema';
  if (url.includes('/packages/server/src/')) return '@billing/server';
  if (url.startsWith('node:')) return 'node core';
  return 'other';
}

const LAYERS: [string, (name: string) => boolean][] = [
  ['SQLite execution (native)', (n) => n === 'SQLite (native)'],
  ['better-sqlite3 + drizzle-orm (SQL building, row mapping)', (n) => n === 'drizzle-orm' || n === 'better-sqlite3'],
  ['graphql-js (execute, validate, parse)', (n) => n === 'graphql'],
  ['Pothos core + plugins (resolver wrappers, scope-auth, drizzle planning)', (n) => n.startsWith('@pothos/')],
  [
    'Yoga, envelop, whatwg-node (HTTP as fetch API)',
    (n) =>
      n.startsWith('@whatwg-node/') ||
      n.startsWith('@envelop/') ||
      n.startsWith('@graphql-yoga/') ||
      n === 'graphql-yoga' ||
      n.startsWith('@graphql-tools/') ||
      n.startsWith('@escape.tech/'),
  ],
  ['schema code (resolvers, access rules)', (n) => n === '@billing/schema'],
  ['server code + jose (auth)', (n) => n === '@billing/server' || n === 'jose'],
  ['JSON stringify/parse', (n) => n.startsWith('JSON.')],
  ['node core (http, net, streams)', (n) => n === 'node core'],
  ['GC', (n) => n === 'GC'],
];

/**
 * The gateway runs bundled (dist/cli.js): without its source map every frame would be one file.
 * Each bundled frame gets the url and line of the source it came from, so packages and layers read
 * as they do unbundled.
 */
function unbundle(profile: CpuProfile): void {
  const maps = new Map<string, SourceMap | null>();
  for (const { callFrame } of profile.nodes) {
    if (!callFrame.url.endsWith('.js')) continue;
    let map = maps.get(callFrame.url);
    if (map === undefined) {
      const mapFile = `${callFrame.url.startsWith('file:') ? fileURLToPath(callFrame.url) : callFrame.url}.map`;
      map = existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))) : null;
      maps.set(callFrame.url, map);
    }
    const entry = map?.findEntry(callFrame.lineNumber, callFrame.columnNumber);
    if (!entry || !('originalSource' in entry) || !entry.originalSource) continue;
    callFrame.url = new URL(
      entry.originalSource,
      callFrame.url.startsWith('file:') ? callFrame.url : `file://${callFrame.url}`,
    ).href;
    callFrame.lineNumber = entry.originalLine;
  }
}

export function summarizeProfile(file: string, window?: ProfileWindow): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  unbundle(profile);
  // The profile covers the whole process (start-up included); keep the load window only.
  const from = window ? profile.endTime - window.fromEndMs[0] * 1000 : -Infinity;
  const to = window ? profile.endTime - window.fromEndMs[1] * 1000 : Infinity;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

  const selfUs = new Map<number, number>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at < from || at > to) continue;
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  }
  const byName = new Map<string, number>();
  const byFunction = new Map<string, { name: string; where: string; us: number }>();
  let idleUs = 0;
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    const parent = parentOf.has(id) ? byId.get(parentOf.get(id)!)?.callFrame : undefined;
    const name = nameOf(node.callFrame, parent);
    if (name === '(idle)') {
      idleUs += us;
      continue;
    }
    busyUs += us;
    byName.set(name, (byName.get(name) ?? 0) + us);
    const where = node.callFrame.url
      ? `${node.callFrame.url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*\/packages\//, 'packages/')}:${node.callFrame.lineNumber + 1}`
      : name;
    const key = `${node.callFrame.functionName}@${where}`;
    const entry = byFunction.get(key) ?? { name: node.callFrame.functionName || '(anonymous)', where, us: 0 };
    entry.us += us;
    byFunction.set(key, entry);
  }
  const share = (us: number) => (busyUs ? us / busyUs : 0);
  const layers = LAYERS.map(([layer, test]) => {
    const us = [...byName].filter(([n]) => test(n)).reduce((sum, [, v]) => sum + v, 0);
    return { layer, ms: us / 1000, share: share(us) };
  });
  const classified = new Set([...byName.keys()].filter((n) => LAYERS.some(([, test]) => test(n))));
  const otherUs = [...byName].filter(([n]) => !classified.has(n)).reduce((sum, [, v]) => sum + v, 0);
  layers.push({ layer: 'other (V8, native, unclassified)', ms: otherUs / 1000, share: share(otherUs) });
  return {
    file,
    busyMs: busyUs / 1000,
    idleMs: idleUs / 1000,
    layers: layers.sort((a, b) => b.ms - a.ms),
    packages: [...byName]
      .map(([name, us]) => ({ name, ms: us / 1000, share: share(us) }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 20),
    topFunctions: [...byFunction.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, 20)
      .map((f) => ({ name: f.name, where: f.where, ms: f.us / 1000, share: share(f.us) })),
  };
}
