// A PDF's text as poppler's `pdftotext -layout` reads it (runs of blanks folded to one), for the
// suites that download invoice documents. The PDF goes in on stdin: no scratch file.
import { execFileSync } from 'node:child_process';

export function pdfText(pdf: ArrayBuffer): string {
  return execFileSync('pdftotext', ['-layout', '-', '-'], { input: Buffer.from(pdf), encoding: 'utf8' }).replace(
    /[ \t]+/g,
    ' ',
  );
}
