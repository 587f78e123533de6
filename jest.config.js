/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      {
        tsconfig: { isolatedModules: true, module: 'CommonJS', moduleResolution: 'Node10', ignoreDeprecations: '6.0' },
        diagnostics: false,
      },
    ],
  },
  testTimeout: 20000,
  setupFiles: ['<rootDir>/test/support/setupIndexedDb.ts'],
  globalSetup: '<rootDir>/test/support/globalSetup.cjs',
};
