import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * The import-boundary rules of eslint.config.mjs (the architecture's arrows), run
 * as `npm run lint` runs them on files that do not exist: each names where it
 * would live and what it imports. Only the boundaries rules run, without type
 * information, so this takes a few seconds.
 */
const LINT_PROBES = `
import { ESLint } from 'eslint';
const eslint = new ESLint({
  overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: false } } },
  ruleFilter: ({ ruleId }) => ruleId.startsWith('boundaries/'),
});
const results = [];
for (const { filePath, code } of JSON.parse(process.argv[1])) {
  const [result] = await eslint.lintText(code, { filePath });
  results.push(result.messages.map((message) => message.ruleId ?? message.message));
}
process.stdout.write(JSON.stringify(results));
`;

interface Probe {
  filePath: string;
  code: string;
}

function ruleIdsReported(probes: Probe[]): string[][] {
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', LINT_PROBES, JSON.stringify(probes)], {
    cwd: resolve(__dirname, '..'),
    encoding: 'utf8',
  });
  return JSON.parse(output) as string[][];
}

const importing = (filePath: string, source: string): Probe => ({
  filePath,
  code: `import * as imported from '${source}';\nexport const probe = imported;\n`,
});

const refused: Array<[string, Probe]> = [
  ['platform → access', importing('src/platform/http/probe.ts', '../../access/authorize.decorator')],
  ['platform → a business module', importing('src/platform/probe.ts', '../catalog/stock.service')],
  ['access → audit', importing('src/access/probe.ts', '../audit/audit-recorder')],
  [
    'access → audit, type only',
    { filePath: 'src/access/probe.ts', code: "export type { AuditEntry } from '../audit/audit-recorder';\n" },
  ],
  ['audit → a business module', importing('src/audit/probe.ts', '../identity/users.service')],
  ['a business module → audit beyond its recorder', importing('src/catalog/probe.ts', '../audit/audit-sealer')],
  ['catalog → orders', importing('src/catalog/probe.ts', '../orders/orders.service')],
  ['billing → orders', importing('src/billing/probe.ts', '../orders/order-status')],
  ['orders → identity', importing('src/orders/probe.ts', '../identity/users.service')],
  [
    'orders → identity, by a dynamic import',
    { filePath: 'src/orders/probe.ts', code: "export const load = () => import('../identity/users.service');\n" },
  ],
  ['health → a business module', importing('src/health/probe.ts', '../billing/invoices.service')],
  ['application code → test', importing('src/identity/probe.ts', '../../test/support/identity')],
  [
    'a migration → application code',
    importing('migrations/1-Probe.ts', '../src/platform/database/column-transformers'),
  ],
];

const allowed: Array<[string, Probe]> = [
  ['access → platform', importing('src/access/probe.ts', '../platform/errors/domain-error')],
  ['audit → access', importing('src/audit/probe.ts', '../access/denial-recorder')],
  ['a business module → audit recorder', importing('src/catalog/probe.ts', '../audit/audit-recorder')],
  ['orders → catalog', importing('src/orders/probe.ts', '../catalog/stock.service')],
  ['health → platform', importing('src/health/probe.ts', '../platform/metrics/metrics.service')],
  ['the composition root → a module', importing('src/probe.ts', './orders/orders.module')],
  ['test → application code', importing('test/probe.ts', '../src/app.setup')],
];

describe('import boundaries (eslint.config.mjs)', () => {
  const unknownFolder: Probe = { filePath: 'src/shipping/probe.ts', code: 'export const probe = 1;\n' };
  let reported: string[][];

  // One ESLint process for every probe: a few seconds, longer on a busy machine.
  beforeAll(() => {
    reported = ruleIdsReported([...refused, ...allowed].map(([, probe]) => probe).concat(unknownFolder));
  }, 60_000);

  it.each(refused.map(([name], index) => [name, index] as const))('refuses %s', (_name, index) => {
    expect(reported[index]).toEqual(['boundaries/dependencies']);
  });

  it.each(allowed.map(([name], index) => [name, refused.length + index] as const))('allows %s', (_name, index) => {
    expect(reported[index]).toEqual([]);
  });

  it('refuses a file under src/ outside every declared module: a new module joins the graph first', () => {
    expect(reported.at(-1)).toEqual(['boundaries/no-unknown-files']);
  });
});
