/**
 * Everything (`npm test`, as CI runs it): both tiers, each a Jest project of
 * its own — jest.unit.config.js (`npm run test:unit`) and jest.e2e.config.js
 * (`npm run test:e2e`).
 * @type {import('jest').Config}
 */
module.exports = {
  projects: ['<rootDir>/jest.unit.config.js', '<rootDir>/jest.e2e.config.js'],
  // The end-to-end tier's: Jest reads the timeout of a run with projects from here.
  testTimeout: 180_000,
};
