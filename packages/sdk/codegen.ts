// Typed documents from the committed schema and the SDK's .graphql operations.
// The client preset also writes the trusted-documents manifest (hash -> document) the server can enforce.
// Every selection set asks for __typename (addTypenameSelectionDocumentTransform), in the documents and in the
// manifest alike: the gateway runs the manifest's text for a hash, and a normalized cache such as
// @urql/exchange-graphcache needs __typename in every object it stores.
import type { CodegenConfig } from '@graphql-codegen/cli';
import { addTypenameSelectionDocumentTransform } from '@graphql-codegen/client-preset';

const config: CodegenConfig = {
  schema: '../schema/schema.graphql',
  documents: ['src/operations/**/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    './src/generated/': {
      preset: 'client',
      documentTransforms: [addTypenameSelectionDocumentTransform],
      presetConfig: {
        fragmentMasking: false,
        persistedDocuments: { mode: 'embedHashInDocument', hashAlgorithm: 'sha256' },
      },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
        nonOptionalTypename: true,
        skipTypeNameForRoot: true,
        scalars: {
          ID: { input: 'string', output: 'string' },
          Date: { input: 'string', output: 'string' },
          DateTime: { input: 'string', output: 'string' },
          MinorUnits: { input: 'number', output: 'number' },
        },
        importExtension: '.js',
      },
    },
    // The schema's types, interfaces and unions, minified for @urql/exchange-graphcache: with it the cache matches
    // fragments on unions and interfaces (every mutation's result, `...ErrorFields`) exactly instead of guessing.
    './src/generated/introspection.ts': {
      plugins: ['urql-introspection'],
      config: { module: 'es2015', useTypeImports: true },
    },
  },
  hooks: {},
};

export default config;
