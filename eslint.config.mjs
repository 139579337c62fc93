// ESLint lints only GraphQL here (TypeScript, React and CSS are Biome's): the SDK's operations against the
// printed schema (operations-recommended), and the schema itself against the Relay conventions.
import graphql from '@graphql-eslint/eslint-plugin';

// graphql-eslint caches the first graphQLConfig per process, so every block gets this same one.
const graphQLConfig = {
  schema: 'packages/schema/schema.graphql',
  documents: 'packages/sdk/src/operations/**/*.graphql',
};

export default [
  {
    files: ['packages/sdk/src/operations/**/*.graphql'],
    languageOptions: { parser: graphql.parser, parserOptions: { graphQLConfig } },
    plugins: { '@graphql-eslint': graphql },
    rules: graphql.configs['flat/operations-recommended'].rules,
  },
  {
    files: ['packages/schema/schema.graphql'],
    languageOptions: { parser: graphql.parser, parserOptions: { graphQLConfig } },
    plugins: { '@graphql-eslint': graphql },
    rules: {
      ...graphql.configs['flat/schema-relay'].rules,
      // Short bounded lists (line items, scopes, a profile's cards) are plain lists on purpose; only
      // unbounded collections are connections.
      '@graphql-eslint/relay-edge-types': ['error', { withEdgeSuffix: true, listTypeCanWrapOnlyEdgeType: false }],
    },
  },
];
