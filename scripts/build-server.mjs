// Compiles the gateway for `pnpm start`: one ES module, packages/server/dist/cli.js, with the
// workspace's own packages (@billing/*, TypeScript sources) bundled in and every npm dependency
// left in node_modules, plus the migrations the bundle reads beside itself. An npm import is
// written as the path of the file it resolves to from the package that imports it: pnpm gives each
// workspace package its own dependencies, so `drizzle-orm` is found from packages/schema, not from
// packages/server where the bundle lives. Node then starts plain
// JavaScript: no TypeScript compiler at start-up. esbuild takes well under a second, so `start`
// builds every time and can never run stale code.
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}packages/server/dist`;

mkdirSync(out, { recursive: true });
// Written aside and renamed into place, so a gateway starting while another command rebuilds (say
// `pnpm token` beside `pnpm start`) reads either the old bundle or the new one, never half of one.
const staging = `${out}/cli.${process.pid}.js`;
await build({
  entryPoints: [`${root}packages/server/src/cli.ts`],
  outfile: staging,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: 'inline',
  // Resolve as Node does: `exports` with the import/node conditions, else `main`. esbuild's extra
  // `module` condition and field (bundler-only ESM, often with extensionless imports) would name
  // files that Node cannot load; an empty list drops it.
  conditions: [],
  mainFields: ['main'],
  logLevel: 'warning',
  plugins: [
    {
      name: 'npm-dependencies-stay-external',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, async (args) => {
          if (args.path.startsWith('@billing/') || args.pluginData === 'resolving') return undefined;
          if (args.path.startsWith('node:')) return { path: args.path, external: true };
          const found = await b.resolve(args.path, {
            kind: args.kind,
            resolveDir: args.resolveDir,
            pluginData: 'resolving',
          });
          if (found.errors.length > 0) return { errors: found.errors };
          return { path: `./${relative(out, found.path)}`, external: true };
        });
      },
    },
  ],
});
renameSync(staging, `${out}/cli.js`);
// The bundle resolves `new URL('./migrations', import.meta.url)` (db/connection.ts, db/store.ts) here.
// Several instances started at once (`pnpm start &` three times) all build: a folder that already
// holds the same files is left alone, and a changed one is copied aside and swapped in by renames.
const listing = (dir) =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true })
        .map(String)
        .sort()
        .map((name) => `${name}:${statSync(join(dir, name)).size}`)
        .join('\n')
    : null;
for (const folder of ['migrations', 'migrations-pg']) {
  const source = `${root}packages/schema/src/db/${folder}`;
  const target = `${out}/${folder}`;
  if (listing(source) === listing(target)) continue;
  const aside = `${target}.${process.pid}`;
  cpSync(source, aside, { recursive: true });
  rmSync(target, { recursive: true, force: true });
  renameSync(aside, target);
}
