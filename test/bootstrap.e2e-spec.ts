import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { DEMO_CATEGORIES } from '../src/catalog/demo/demo-catalog.data';
import { DEMO_ORGANIZATION_NAME, DEMO_USERS } from '../src/identity/bootstrap.service';
import {
  AppProcess,
  killAppProcesses,
  type LogLine,
  START_TIMEOUT_MS,
  startAppProcess,
  testAppEnvironment,
} from './support/app-process';
import { withDatabase } from './support/raw-sql';
import { createTestDatabase, type TestDatabase } from './support/test-database';

/** Bootstrap acts on an empty users table: each test gets a fresh, migrated database. */
async function freshDatabase(): Promise<TestDatabase> {
  const runDatabase = process.env.DATABASE_URL;
  if (process.env.TEST_DATABASE_REAL !== 'true' || !runDatabase) return createTestDatabase(undefined);
  const server = new URL(runDatabase);
  server.pathname = '/postgres';
  return createTestDatabase(server.toString());
}

async function counts(url: string): Promise<{ users: number; organizations: number; demoOrganizations: number }> {
  const { rows } = await withDatabase(url, (client) =>
    client.query<{ users: string; organizations: string; demo: string }>(
      `SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM organizations) AS organizations,
              (SELECT count(*) FROM organizations WHERE name = $1) AS demo`,
      [DEMO_ORGANIZATION_NAME],
    ),
  );
  return {
    users: Number(rows[0].users),
    organizations: Number(rows[0].organizations),
    demoOrganizations: Number(rows[0].demo),
  };
}

/** The demo catalog's size, and the products whose stock its movements do not explain. */
async function catalogCounts(url: string): Promise<{ categories: number; products: number; unexplainedStock: number }> {
  const { rows } = await withDatabase(url, (client) =>
    client.query<{ categories: string; products: string; unexplained: string }>(
      `SELECT (SELECT count(*) FROM categories) AS categories, (SELECT count(*) FROM products) AS products,
              (SELECT count(*) FROM products p
                WHERE p.stock <> (SELECT coalesce(sum(delta), 0) FROM stock_movements m WHERE m.product_id = p.id))
                AS unexplained`,
    ),
  );
  return {
    categories: Number(rows[0].categories),
    products: Number(rows[0].products),
    unexplainedStock: Number(rows[0].unexplained),
  };
}

const DEMO_CATALOG = {
  categories: DEMO_CATEGORIES.length,
  products: DEMO_CATEGORIES.reduce((sum, category) => sum + category.items.length * category.variants.length, 0),
  unexplainedStock: 0,
};

/** The environment of a test app without the test admin of test/support/environment.ts. */
function environmentWithout(...names: string[]): Record<string, string> {
  const environment = testAppEnvironment();
  for (const name of names) delete environment[name];
  return environment;
}

function generatedPasswords(app: AppProcess): { email: string; password: string }[] {
  return app.stdout
    .split('\n')
    .flatMap((text) => {
      try {
        return [JSON.parse(text) as LogLine & { email?: string }];
      } catch {
        return [];
      }
    })
    .filter((line) => /^GENERATED PASSWORD/.test(line.msg))
    .map((line) => ({ email: line.email ?? '', password: /: (\S+)$/.exec(line.msg)?.[1] ?? '' }));
}

async function canLogin(baseUrl: string, email: string, password: string): Promise<boolean> {
  const response = await fetch(`${baseUrl}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  return response.status === 200;
}

const TWO_STARTS_MS = 2 * START_TIMEOUT_MS + 30_000;

describe('bootstrap', () => {
  const databases: TestDatabase[] = [];
  const fresh = async () => {
    const database = await freshDatabase();
    databases.push(database);
    return database.url;
  };
  afterEach(() => killAppProcesses());
  afterAll(async () => {
    for (const database of databases) await database.drop();
  });

  it(
    'outside production with nothing configured: makes the admin, the demo users and the demo catalog, logs each generated password once; a restart adds nothing',
    async () => {
      const url = await fresh();
      const environment = {
        ...environmentWithout('ADMIN_EMAIL', 'ADMIN_PASSWORD', 'DEMO_PASSWORD'),
        DATABASE_URL: url,
        DEMO_SEED: 'true',
      };
      const first = await startAppProcess(environment);
      const generated = generatedPasswords(first.app);
      expect(generated.map(({ email }) => email)).toEqual([
        'admin@example.com',
        DEMO_USERS.map((user) => user.email).join(' and '),
      ]);
      expect(await canLogin(first.baseUrl, 'admin@example.com', generated[0].password)).toBe(true);
      for (const user of DEMO_USERS)
        expect(await canLogin(first.baseUrl, user.email, generated[1].password)).toBe(true);
      expect(await counts(url)).toEqual({ users: 3, organizations: 1, demoOrganizations: 1 });
      expect(await catalogCounts(url)).toEqual(DEMO_CATALOG);
      await first.app.kill();

      const second = await startAppProcess(environment);
      expect(generatedPasswords(second.app)).toEqual([]);
      expect(await counts(url)).toEqual({ users: 3, organizations: 1, demoOrganizations: 1 });
      expect(await catalogCounts(url)).toEqual(DEMO_CATALOG);
      // A password is logged in that one labelled line only.
      expect(first.app.stdout.split(generated[0].password).length - 1).toBe(1);
    },
    TWO_STARTS_MS,
  );

  it(
    'uses ADMIN_EMAIL and ADMIN_PASSWORD when given, and logs no password; no demo seed in test by default',
    async () => {
      const url = await fresh();
      const password = `configured admin ${randomBytes(9).toString('base64url')}`;
      const { app, baseUrl } = await startAppProcess({
        ...environmentWithout('DEMO_SEED'),
        DATABASE_URL: url,
        ADMIN_EMAIL: 'boss@bootstrap.example.com',
        ADMIN_PASSWORD: password,
      });
      expect(generatedPasswords(app)).toEqual([]);
      expect(app.stdout).not.toContain(password);
      expect(await canLogin(baseUrl, 'boss@bootstrap.example.com', password)).toBe(true);
      expect(await counts(url)).toEqual({ users: 1, organizations: 0, demoOrganizations: 0 });
      expect(await catalogCounts(url)).toEqual({ categories: 0, products: 0, unexplainedStock: 0 });
    },
    TWO_STARTS_MS,
  );

  it(
    'is safe when two processes start at once on an empty database: one admin, one demo organization, one catalog',
    async () => {
      const url = await fresh();
      const environment = { ...environmentWithout('DEMO_PASSWORD'), DATABASE_URL: url, DEMO_SEED: 'true' };
      await Promise.all([startAppProcess(environment), startAppProcess(environment)]);
      expect(await counts(url)).toEqual({ users: 3, organizations: 1, demoOrganizations: 1 });
      expect(await catalogCounts(url)).toEqual(DEMO_CATALOG);
    },
    TWO_STARTS_MS,
  );

  it(
    'refuses to start in production on an empty database without ADMIN_EMAIL and ADMIN_PASSWORD, saying so',
    async () => {
      const url = await fresh();
      const app = AppProcess.spawn({
        NODE_ENV: 'production',
        DATABASE_URL: url,
        JWT_SECRET: randomBytes(32).toString('base64url'),
        PAYMENT_WEBHOOK_SECRET: randomBytes(32).toString('base64url'),
        AUDIT_SIGNING_KEY: generateKeyPairSync('ed25519')
          .privateKey.export({ type: 'pkcs8', format: 'pem' })
          .toString(),
        ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
        ENCRYPTION_KEY_ID: 'k1',
        PORT: '0',
        HOST: '127.0.0.1',
      });
      const status = await app.waitForExit(START_TIMEOUT_MS);
      expect(status.code).not.toBe(0);
      expect(app.stdout + app.stderr).toContain('set ADMIN_EMAIL and ADMIN_PASSWORD to create the first admin');
      expect(await counts(url)).toEqual({ users: 0, organizations: 0, demoOrganizations: 0 });
    },
    TWO_STARTS_MS,
  );
});
