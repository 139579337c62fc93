// Typed documents from the committed schema and the SDK's .graphql operations.
// The client preset also writes the trusted-documents manifest (hash -> document) the server can enforce.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../schema/schema.graphql',
  documents: ['src/operations/**/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    './src/generated/': {
      preset: 'client',
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
  },
  hooks: {},
};

export default config;
