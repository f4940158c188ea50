import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import {
  AppProcess,
  killAppProcesses,
  START_TIMEOUT_MS,
  startAppProcess,
  testAppEnvironment,
} from './support/app-process';
import { httpGet } from './support/http-client';

const ROOT = resolve(__dirname, '..');
const NODE_MODULES = join(ROOT, 'node_modules');

/** The packages `npm ci --omit=dev --omit=optional` installs (the Dockerfile's production stage), as paths here. */
function productionTree(): string[] {
  const output = execFileSync('npm', ['ls', '--omit=dev', '--omit=optional', '--all', '--parseable'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return output.split('\n').filter((path) => path.startsWith(NODE_MODULES + sep));
}

/**
 * What the production image holds, without Docker (which cannot run here): the
 * build, package.json, and a node_modules of only the production tree's
 * top-level packages (links to this checkout's), in a directory with no
 * node_modules above it. The app's own imports resolve there, and only there.
 */
function productionInstall(): string {
  const directory = mkdtempSync(join(tmpdir(), 'production-install-'));
  cpSync(join(ROOT, 'dist'), join(directory, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(directory, 'package.json'));
  for (const path of productionTree()) {
    const name = relative(NODE_MODULES, path);
    if (name.split(sep).includes('node_modules')) continue; // nested: comes with its parent's link
    mkdirSync(dirname(join(directory, 'node_modules', name)), { recursive: true });
    symlinkSync(path, join(directory, 'node_modules', name));
  }
  return directory;
}

describe('The production install (Dockerfile: npm ci --omit=dev --omit=optional)', () => {
  let directory: string;
  let main: string;

  beforeAll(() => {
    directory = productionInstall();
    main = join(directory, 'dist', 'src', 'main.js');
  });
  afterEach(() => killAppProcesses());
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('holds no embedded database: PGlite and pglite-socket are optional dependencies', () => {
    const tree = productionTree().map((path) => relative(NODE_MODULES, path));
    expect(tree).toEqual(expect.arrayContaining(['typeorm', 'pg', join('@nestjs', 'core')]));
    expect(tree.filter((name) => name.includes('@electric-sql'))).toEqual([]);
    expect(() => require.resolve('@electric-sql/pglite', { paths: [dirname(main)] })).toThrow();
  });

  it('starts against DATABASE_URL, answers ready, and stops cleanly on SIGTERM', async () => {
    const { app, baseUrl } = await startAppProcess(testAppEnvironment(), main);
    expect((await httpGet(`${baseUrl}/health/ready`)).status).toBe(200);
    app.signal('SIGTERM');
    expect(await app.waitForExit(START_TIMEOUT_MS)).toEqual({ code: 0, signal: null });
  });

  it('without DATABASE_URL refuses to start, and says why', async () => {
    const { DATABASE_URL: _database, ...withoutDatabase } = testAppEnvironment();
    const app = AppProcess.spawn(withoutDatabase, main);
    expect(await app.waitForExit(START_TIMEOUT_MS)).toEqual({ code: 1, signal: null });
    expect(app.stdout + app.stderr).toContain(
      'DATABASE_URL is not set, and the embedded PostgreSQL it would fall back to is not installed',
    );
  });
});
