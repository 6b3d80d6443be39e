import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Node loads graphql's CommonJS entry (the package has no "exports"), and
    // so do Apollo and graphql-upload-minimal; Vite would pick index.mjs for our
    // own imports, and two copies of graphql refuse each other's schemas.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Integration suites start real servers; two cores do not like more.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: process.env.CI ? ['default', './test/helpers/summary-reporter.ts'] : ['default'],
  },
});
