/** End-to-end suite: real nx CLI in fresh workspaces, real container engine, real registry. */
module.exports = {
  displayName: 'nx-fleet-e2e',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/tests/**/*.spec.ts'],
  globalSetup: '<rootDir>/src/global-setup.ts',
  globalTeardown: '<rootDir>/src/global-teardown.ts',
  // Each test drives real builds; two workers keep a 2-core machine busy without thrashing.
  maxWorkers: 2,
  testTimeout: 600000,
};
