/**
 * The unit tier (`npm run test:unit`): the specs next to the code
 * (`src/**\/*.spec.ts`), pure logic; no database and no build.
 *
 * NestJS 12 packages are ESM-only: Jest transforms them to CommonJS with SWC.
 * Our TypeScript goes through ts-jest so the @nestjs/swagger plugin runs, as it
 * does in `nest build`, and the tested OpenAPI document is the served one.
 * @type {import('jest').Config}
 */
module.exports = {
  displayName: 'unit',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
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
