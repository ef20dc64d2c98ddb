import { defineConfig } from 'vitest/config';

export default defineConfig({
  // One copy of graphql: vite would give our code its ESM build while Yoga and Pothos require its
  // CommonJS build, and two GraphQLError classes make Yoga mask our own errors as unexpected ones.
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration suites each start servers and databases; two cores, so keep the pool small.
    maxWorkers: 2,
  },
});
