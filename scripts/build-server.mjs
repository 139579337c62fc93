// Compiles the gateway for `pnpm start`: one ES module, packages/server/dist/cli.js, with the
// workspace's own packages (@billing/*, TypeScript sources) AND the npm dependencies bundled in, plus
// the migrations the bundle reads beside itself. Bundling the dependencies is what makes start-up
// fast: Node's ESM loader resolving, reading and compiling ~900 separate files cost about twice as
// much as everything else start-up does (measured on the 1M-invoice bench database: ~1.6 s with the
// dependencies left in node_modules, ~0.55 s bundled, on a loaded 2-core machine). A few packages
// stay files in node_modules (STAY_IN_NODE_MODULES), imported by the path of the file they resolve
// to from the package that imports them: pnpm gives each workspace package its own dependencies, so
// `better-sqlite3` is found from packages/schema, not from packages/server where the bundle lives.
// Node then starts plain JavaScript: no TypeScript compiler at start-up. esbuild takes well under a
// second, so `start` builds every time and can never run stale code.
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}packages/server/dist`;

mkdirSync(out, { recursive: true });
// Written aside and renamed into place, so a gateway starting while another command rebuilds (say
// `pnpm token` beside `pnpm start`) reads either the old bundle or the new one, never half of one.
// (In a folder of its own, so that the source map keeps its final name, cli.js.map, and at the same
// depth as dist/, so that the map's relative source paths stay right after the move.)
const staging = `${root}packages/server/.build-${process.pid}`;
/**
 * Left in node_modules: a native addon, a package that reads data files beside its own code, and
 * GraphiQL's 9 MB page, which app.ts imports only when GraphiQL is on (bundled, V8 would parse it at
 * every start); pg-native is pg's optional driver, not installed.
 */
const STAY_IN_NODE_MODULES = /^(better-sqlite3|pdfkit|@graphql-yoga\/render-graphiql|pg-native)(\/|$)/;
await build({
  entryPoints: [`${root}packages/server/src/cli.ts`],
  outfile: `${staging}/cli.js`,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // Beside the bundle (cli.js.map), not inline: an inline map is several MB that V8 scans at every start.
  sourcemap: true,
  // Resolve as Node does: `exports` with the import/node conditions, else `main`. esbuild's extra
  // `module` condition and field (bundler-only ESM, often with extensionless imports) would name
  // files that Node cannot load; an empty list drops it.
  conditions: [],
  mainFields: ['main'],
  logLevel: 'warning',
  // Bundled CommonJS packages `require` Node's built-ins, which an ES module has no `require` for.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  plugins: [
    {
      // graphql 16 ships CommonJS (`main`) and the same code as ES modules (`.mjs` beside each file,
      // named by `module` only). Bundled as CommonJS, every read of a graphql export from an ES module
      // (the executor calls isNonNullType, isListType... per field) goes through esbuild's interop
      // getter: 5% of the invoices page's CPU. The `.mjs` files are plain ES modules Node could load.
      name: 'graphql-as-es-modules',
      setup(b) {
        b.onResolve({ filter: /^graphql(\/|$)/ }, async (args) => {
          if (args.pluginData === 'resolving') return undefined;
          const found = await b.resolve(args.path, {
            kind: args.kind,
            resolveDir: args.resolveDir,
            pluginData: 'resolving',
          });
          if (found.errors.length > 0) return { errors: found.errors };
          const esm = found.path.replace(/\.js$/, '.mjs');
          return { path: existsSync(esm) ? esm : found.path };
        });
      },
    },
    {
      name: 'some-npm-dependencies-stay-in-node-modules',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, async (args) => {
          if (args.pluginData === 'resolving' || !STAY_IN_NODE_MODULES.test(args.path)) return undefined;
          if (args.path === 'pg-native') return { path: args.path, external: true };
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
renameSync(`${staging}/cli.js.map`, `${out}/cli.js.map`);
renameSync(`${staging}/cli.js`, `${out}/cli.js`);
rmSync(staging, { recursive: true, force: true });
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
