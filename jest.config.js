/**
 * One Jest run for everything: unit specs next to the code (`src/**\/*.spec.ts`)
 * and end-to-end specs (`test/**\/*.e2e-spec.ts`) that drive the real app over
 * HTTP against a real PostgreSQL (see test/support/global-setup.ts).
 *
 * NestJS 12 packages are ESM-only: Jest transforms them to CommonJS with SWC.
 * Our TypeScript goes through ts-jest so the @nestjs/swagger plugin runs, as it
 * does in `nest build`, and the tested OpenAPI document is the served one.
 * @type {import('jest').Config}
 */
module.exports = {
  rootDir: '.',
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  testRegex: ['src/.*\\.spec\\.ts$', 'test/.*\\.e2e-spec\\.ts$'],
  testEnvironment: 'node',
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      {
        tsconfig: 'tsconfig.json',
        // "hybrid module kind" advice (TS151002) is about isolatedModules; we type-check whole programs.
        diagnostics: { ignoreCodes: ['TS151002'] },
        astTransformers: { before: ['<rootDir>/test/support/swagger-plugin-transformer.cjs'] },
      },
    ],
    '^.+\\.m?js$': ['@swc/jest', { module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: [
    '/node_modules/(?!(@nestjs|uid|load-esm|file-type|content-disposition|@otplib|@scure|@noble|canonicalize)/)',
  ],
  setupFiles: ['<rootDir>/test/support/environment.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // Generous: several tests start the app as a child process, slow on a busy 2-core machine.
  testTimeout: 180_000,
};
