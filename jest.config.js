/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  // A sample's own modules import the package by name: in tests that is the sources (the same
  // entries as tsconfig.json's paths).
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    '^rxsync$': '<rootDir>/lib/index.ts',
    '^rxsync/operators$': '<rootDir>/operators/index.ts',
    '^rxsync/transports$': '<rootDir>/transports/index.ts',
    '^rxsync/storage$': '<rootDir>/lib/storage/entry.ts',
    '^rxsync/protocol$': '<rootDir>/lib/protocol/index.ts',
    '^rxsync/node$': '<rootDir>/node/index.ts',
    '^rxsync/server$': '<rootDir>/server/index.ts',
    '^rxsync/testing$': '<rootDir>/testing/index.ts',
    '^rxsync/yjs$': '<rootDir>/yjs/index.ts',
    '^rxsync/angular$': '<rootDir>/angular/index.ts',
    '^rxsync/svelte$': '<rootDir>/svelte/index.ts',
    '^rxsync/react$': '<rootDir>/react/index.ts',
  },
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      {
        tsconfig: { isolatedModules: true, module: 'CommonJS', moduleResolution: 'Node10', ignoreDeprecations: '6.0' },
        diagnostics: false,
      },
    ],
    // Components of the Svelte adapter's tests: compiled by the real svelte/compiler.
    '^.+\\.svelte$': '<rootDir>/test/svelte/support/svelteTransform.cjs',
    // svelte, jose and Angular ship ESM only: compiled to CommonJS so tests use the real `svelte/store`, `jose` and `@angular/core`.
    '^.+/node_modules/(svelte|esm-env|jose|@angular/[^/]+)/.+\\.m?js$': [
      'ts-jest',
      {
        tsconfig: { allowJs: true, isolatedModules: true, module: 'CommonJS', moduleResolution: 'Node10', ignoreDeprecations: '6.0' },
        diagnostics: false,
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(svelte|esm-env|jose|@angular)/)'],
  // The deep tier (FC_RUNS=…) runs long property tests on purpose; the default tier stays strict.
  testTimeout: process.env.FC_RUNS ? 900_000 : 20_000,
  setupFiles: ['<rootDir>/test/support/setupIndexedDb.ts'],
  globalSetup: '<rootDir>/test/support/globalSetup.cjs',
};
