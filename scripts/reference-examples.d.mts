// Types for reference-examples.mjs (a plain script shared by the reference build and its test).
export interface ReferenceExampleCase {
  /** `ok` for data without errors, else the `__typename` the mutation answers. */
  expect: string;
  /** A demo user's name (the harness's tokens); `ada` when not given. */
  as: 'ada' | 'carlos' | 'rita' | 'ivan' | 'olga';
  variables: Record<string, unknown>;
}
export interface ReferenceExample {
  description: string;
  document: string;
  cases: ReferenceExampleCase[];
}
export const examplesDir: URL;
export function loadReferenceExamples(): Map<string, ReferenceExample>;
