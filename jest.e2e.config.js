const unit = require('./jest.unit.config');

/**
 * The end-to-end tier (`npm run test:e2e`, which builds first): `test/**\/*.e2e-spec.ts`
 * drive the real app over HTTP against a real PostgreSQL, made once per run by
 * test/support/global-setup.ts; some start the built app as a child process.
 * Transforms and setup as the unit tier's.
 * @type {import('jest').Config}
 */
module.exports = {
  ...unit,
  displayName: 'e2e',
  testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // Generous: several tests start the app as a child process, slow on a busy 2-core machine.
  testTimeout: 180_000,
};
