// Lint rules, including the dependency direction of the layers:
// the emulator and the gateway/platform client never import each other,
// the platform client never imports graphql, resolvers never do HTTP.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const noImports = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: patterns.map((pattern) => ({ group: [pattern], message })) }],
});

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'src/generated/', 'playground/dist/', 'bench/.peers/', 'bench/.work/', 'test-artifacts/', 'examples/**/dist/', 'examples/frontend/src/gql/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/emulator/**/*.ts'],
    rules: noImports(['**/gateway/**', '**/platform/**', '**/resolvers/**', 'graphql', 'graphql/*', '@apollo/*'],
      'The emulator checks the contract; it must not share code with the gateway or the platform client.'),
  },
  {
    files: ['src/platform/**/*.ts'],
    rules: noImports(['**/emulator/**', '**/gateway/**', '**/resolvers/**', 'graphql', 'graphql/*', '@apollo/*'],
      'The platform client is plain HTTP: no GraphQL, no gateway, no emulator.'),
  },
  {
    files: ['src/gateway/**/*.ts', 'resolvers/**/*.ts'],
    rules: noImports(['**/emulator/**'], 'The gateway only reaches the emulator over HTTP.'),
  },
  {
    files: ['resolvers/**/*.ts'],
    rules: noImports(['**/emulator/**', 'undici', 'node:http', 'node:https'],
      'Resolvers are thin: HTTP lives in src/platform.'),
  },
);
