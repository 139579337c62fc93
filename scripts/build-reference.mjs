// Builds the static API reference, docs/reference/index.html, with SpectaQL from the committed
// packages/schema/schema.graphql: every type, field, argument and enum the schema holds, after the guide
// sections in docs/reference/sections/ with the example operations of docs/reference/examples/ pasted in
// (a test runs those examples against a real gateway). `--check` fails when the committed file is stale.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadReferenceExamples } from './reference-examples.mjs';

const root = new URL('../', import.meta.url).pathname;
const referenceDir = join(root, 'docs/reference');
const schemaFile = join(root, 'packages/schema/schema.graphql');
const target = join(referenceDir, 'index.html');
const check = process.argv.includes('--check');
// The schema package's graphql, the one that printed schema.graphql.
const { buildSchema, isEnumType, isObjectType } = createRequire(join(root, 'packages/schema/package.json'))('graphql');

const examples = loadReferenceExamples();

function renderExample(file) {
  const example = examples.get(file);
  if (!example) throw new Error(`docs/reference/sections: no example ${file}`);
  const cases = example.cases.map((c, i) => {
    const who = c.as === 'ada' ? 'as the billing account admin' : `as ${c.as} (a reader)`;
    const outcome = c.expect === 'ok' ? 'answers with data' : `answers \`${c.expect}\``;
    const json = JSON.stringify(c.variables, null, 2).replace(/\n/g, '\n   ');
    return `${i + 1}. Variables ${who}, ${outcome}:\n\n   \`\`\`json\n   ${json}\n   \`\`\``;
  });
  return [
    example.description,
    `\`\`\`graphql\n${example.document}\n\`\`\``,
    `Run by the test suite (\`docs/reference/examples/${file}\`):`,
    cases.join('\n'),
  ].join('\n\n');
}

/** One entry per type implementing `Error`, with the example case that produces it. */
function renderErrors(schema) {
  const produced = new Map();
  for (const [file, example] of examples) {
    example.cases.forEach((c, i) => {
      if (!produced.has(c.expect)) produced.set(c.expect, `${file}, case ${i + 1}`);
    });
  }
  return Object.values(schema.getTypeMap())
    .filter((type) => isObjectType(type) && type.getInterfaces().some((i) => i.name === 'Error'))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((type) => {
      const extra = Object.keys(type.getFields()).filter((f) => !['code', 'errorCode', 'message'].includes(f));
      const fields = extra.length > 0 ? ` (also ${extra.map((f) => `\`${f}\``).join(', ')})` : '';
      const description = (type.description ?? 'See its reason field.').replace(/\n/g, ' ');
      const example = produced.get(type.name)
        ? `Example: ${produced.get(type.name)}.`
        : 'Needs two concurrent requests, so no example runs it.';
      return `- **\`${type.name}\`**${fields}: ${description} ${example}`;
    })
    .join('\n');
}

/** Every value of the ErrorCode enum with what the client should do (its description), in the schema's order. */
function renderErrorCodes(schema) {
  const codes = schema.getType('ErrorCode');
  if (!isEnumType(codes)) throw new Error('schema.graphql: no ErrorCode enum');
  return codes
    .getValues()
    .map((value) => `- **\`${value.name}\`**: ${(value.description ?? '').replace(/\n/g, ' ')}`)
    .join('\n');
}

function introItems(schema) {
  return readdirSync(join(referenceDir, 'sections'))
    .filter((file) => file.endsWith('.md'))
    .sort()
    .map((file) => {
      const [heading, ...rest] = readFileSync(join(referenceDir, 'sections', file), 'utf8').split('\n');
      const description = rest
        .join('\n')
        .replace(/^@example (\S+)$/gm, (_, name) => renderExample(name))
        .replace(/^@errors$/gm, () => renderErrors(schema))
        .replace(/^@error-codes$/gm, () => renderErrorCodes(schema))
        .trim();
      // SpectaQL substitutes environment variables for `$NAME` in its config: escape every `$`
      // (GraphQL variables, shell examples) so the text is printed as written and no variable leaks in.
      return { title: heading.replace(/^# /, ''), description: description.replace(/\$/g, '\\$') };
    });
}

/** SpectaQL invents example values with Math.random; a fixed seed keeps the output byte-stable. */
function seedRandom(seed) {
  let state = seed;
  Math.random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const schema = buildSchema(readFileSync(schemaFile, 'utf8'));
const workDir = mkdtempSync(join(tmpdir(), 'billing-reference-'));
try {
  const config = {
    spectaql: { oneFile: true, targetDir: join(workDir, 'out'), errorOnInterpolationReferenceNotFound: true },
    introspection: { schemaFile, removeTrailingPeriodFromDescriptions: false, fieldExpansionDepth: 2 },
    info: {
      title: 'Billing gateway API reference',
      description:
        'Generated from `packages/schema/schema.graphql` by `pnpm reference`. Every type, field, argument and enum value the schema holds is listed below the guide.',
      'x-introItems': introItems(schema),
    },
    servers: [{ url: 'http://127.0.0.1:4000/graphql', description: 'Local gateway (`pnpm start`)', production: true }],
  };
  const configFile = join(workDir, 'spectaql.json');
  writeFileSync(configFile, JSON.stringify(config));
  seedRandom(14);
  const spectaql = createRequire(import.meta.url)('spectaql');
  const { html } = await spectaql.run({ specFile: configFile, quiet: true });
  if (check) {
    if (readFileSync(target, 'utf8') !== html) {
      process.stderr.write('docs/reference/index.html is stale: run `pnpm reference`\n');
      process.exit(1);
    }
  } else {
    writeFileSync(target, html);
  }
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
