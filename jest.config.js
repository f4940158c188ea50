/**
 * Two tiers, as Jest projects (`--selectProjects unit` or `e2e`; both without it):
 * - unit: specs next to the code (`src/**\/*.spec.ts`), pure logic, no database
 *   and no build: `npm run test:unit`, seconds.
 * - e2e: specs in test/ (`test/**\/*.e2e-spec.ts`) that drive the real app over
 *   HTTP against a real PostgreSQL, made once per run by test/support/global-setup.ts;
 *   some start the built app: `npm run test:e2e` builds first.
 *
 * NestJS 12 packages are ESM-only: Jest transforms them to CommonJS with SWC.
 * Our TypeScript goes through ts-jest so the @nestjs/swagger plugin runs, as it
 * does in `nest build`, and the tested OpenAPI document is the served one.
 * @type {import('jest').Config}
 */
const shared = {
  rootDir: '.',
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
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
};

module.exports = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
  // Read from here, not from a project. Generous: several end-to-end tests start the app as a
  // child process, slow on a busy 2-core machine.
  testTimeout: 180_000,
};
