// The API reference's example operations (docs/reference/examples/*.graphql): one operation per file,
// a leading comment that describes it, and `# case <Typename|ok> [as <demo user>]: <variables JSON>`
// lines. The reference prints them; a test runs every case against a real gateway.
import { readdirSync, readFileSync } from 'node:fs';

export const examplesDir = new URL('../docs/reference/examples/', import.meta.url);

/** Every example file by name, parsed (types in reference-examples.d.mts). */
export function loadReferenceExamples() {
  const examples = new Map();
  for (const file of readdirSync(examplesDir)
    .filter((name) => name.endsWith('.graphql'))
    .sort()) {
    const cases = [];
    const comment = [];
    const body = [];
    for (const line of readFileSync(new URL(file, examplesDir), 'utf8').split('\n')) {
      const found = /^# case (\w+)(?: as (\w+))?: (.*)$/.exec(line);
      if (found) cases.push({ expect: found[1], as: found[2] ?? 'ada', variables: JSON.parse(found[3]) });
      else if (line.startsWith('#') && body.length === 0) comment.push(line.replace(/^# ?/, ''));
      else body.push(line);
    }
    examples.set(file, { description: comment.join(' '), cases, document: body.join('\n').trim() });
  }
  return examples;
}
