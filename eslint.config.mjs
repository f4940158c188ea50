// @ts-check
import eslint from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** The business modules: each may use `access`, `platform` and audit's recording API; `orders` also two others. */
const BUSINESS = ['identity', 'catalog', 'orders', 'billing'];
const MODULES = ['platform', 'access', 'audit', ...BUSINESS, 'health'];
const elements = (...types) => ({ element: { types: { anyOf: types } } });
/** main.ts, app.module.ts, app.setup.ts, ormconfig.ts and src/cli: they wire the modules together and start them. */
const COMPOSITION = [elements('composition'), { file: { categories: 'composition' } }];
const APPLICATION = [elements(...MODULES), ...COMPOSITION];

/**
 * Which way imports may point (README, "Layout"; docs/architecture.md, "Which way imports point").
 * Every import between two places not allowed here is refused, and so is a file that belongs to
 * no place: a new module takes its place in this graph before it can be linted.
 */
const importBoundaries = {
  files: ['src/**/*.ts', 'migrations/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'ormconfig.ts'],
  plugins: { boundaries },
  settings: {
    'import/resolver': { node: { extensions: ['.ts', '.js', '.json'] } },
    'boundaries/elements': [
      ...MODULES.map((module) => ({ type: module, pattern: `src/${module}`, partialMatch: false })),
      { type: 'composition', pattern: 'src/cli', partialMatch: false },
      { type: 'migrations', pattern: 'migrations', partialMatch: false },
      { type: 'test', pattern: 'test', partialMatch: false },
      { type: 'bench', pattern: 'bench', partialMatch: false },
    ],
    'boundaries/files': [
      { category: 'composition', pattern: ['src/*.ts', 'ormconfig.ts'] },
      // Audit's API for the modules that record into it; the rest of audit is its own business.
      { category: 'audit-recording', pattern: ['src/audit/audit-recorder.ts', 'src/audit/audit-redaction.ts'] },
    ],
  },
  rules: {
    'boundaries/no-unknown-files': 'error',
    'boundaries/dependencies': [
      'error',
      {
        default: 'disallow',
        policies: [
          // platform: no policy, so it imports nothing outside itself.
          { from: elements('access'), allow: { to: elements('platform') } },
          { from: elements('audit'), allow: { to: elements('platform', 'access') } },
          {
            from: elements(...BUSINESS),
            allow: {
              to: [
                elements('platform', 'access'),
                { element: { type: 'audit' }, file: { categories: 'audit-recording' } },
              ],
            },
          },
          { from: elements('orders'), allow: { to: elements('catalog', 'billing') } },
          { from: elements('health'), allow: { to: elements('platform', 'access') } },
          { from: COMPOSITION, allow: { to: APPLICATION } },
          // migrations: no policy. A committed migration must not change because code it imported did.
          { from: elements('test'), allow: { to: [...APPLICATION, elements('test')] } },
          // Benchmarks start the app and databases the way the end-to-end tests do, with their helpers.
          { from: elements('bench'), allow: { to: [...APPLICATION, elements('test', 'bench')] } },
        ],
      },
    ],
  },
};

export default tseslint.config(
  // clients/typescript/schema.d.ts is generated (npm run client:generate): checked for drift, not linted.
  { ignores: ['dist/', 'node_modules/', 'data/', 'coverage/', 'clients/typescript/schema.d.ts'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', '*.mjs', 'test/support/*.cjs'] } },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/explicit-module-boundary-types': 'off',
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**/*.ts', '**/*.spec.ts'],
    rules: {
      // supertest bodies are `any` by design; assertions check their shape.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  importBoundaries,
  prettier,
);
