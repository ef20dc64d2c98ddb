/**
 * GraphQL Code Generator (client-preset): typed documents from the committed schema.graphql (printed by
 * `npm run schema`), never from a running server. `npm run codegen` writes both outputs.
 *   tests/gql/    for documents written with graphql() in tests/**\/*.ts
 *   web/src/gql/  for documents written with graphql() in the console's web/src/**\/*.tsx
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

const presetConfig = {
  // DateTime travels as an ISO 8601 string.
  scalars: { DateTime: 'string' },
  enumsAsTypes: true,
  useTypeImports: true,
  skipTypename: false,
};

const config: CodegenConfig = {
  schema: 'schema.graphql',
  ignoreNoDocuments: true,
  // Both tsconfigs allow .ts imports; Node (tsx) and Vite both resolve them.
  importExtension: '.ts',
  generates: {
    'tests/gql/': {
      documents: ['tests/**/*.ts', '!tests/gql/**'],
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: presetConfig,
    },
    'web/src/gql/': {
      documents: ['web/src/**/*.{ts,tsx}', '!web/src/gql/**'],
      preset: 'client',
      config: presetConfig,
    },
  },
};

export default config;
