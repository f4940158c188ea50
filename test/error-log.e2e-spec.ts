import { randomUUID } from 'node:crypto';
import { type AppProcess, killAppProcesses, startAppProcess, testAppEnvironment } from './support/app-process';
import { withDatabase } from './support/raw-sql';
import { targetOf, TcpProxy } from './support/tcp-proxy';

interface ErrorLogLine {
  msg: string;
  err?: Record<string, unknown>;
}

function testDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is set by the Jest global setup');
  return url;
}

/** The lines the app wrote with this message. */
function linesWith(app: AppProcess, msg: string): ErrorLogLine[] {
  return app.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as ErrorLogLine)
    .filter((line) => line.msg === msg);
}

/** A name the trigger below refuses: a 500 whose failed INSERT carried it as a parameter. */
const REFUSED_NAME_PREFIX = 'error-log-refused-';

describe('logged database errors', () => {
  let proxy: TcpProxy;
  let app: AppProcess;
  let baseUrl: string;

  beforeAll(async () => {
    await withDatabase(async (client) => {
      await client.query(`
        CREATE OR REPLACE FUNCTION error_log_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.name LIKE '${REFUSED_NAME_PREFIX}%' THEN RAISE EXCEPTION 'refused by the error-log test'; END IF;
          RETURN NEW;
        END $$`);
      await client.query(`
        CREATE OR REPLACE TRIGGER error_log_test_refuse BEFORE INSERT ON organizations
        FOR EACH ROW EXECUTE FUNCTION error_log_test_refuse()`);
    });
    proxy = await TcpProxy.start(targetOf(testDatabaseUrl()));
    ({ app, baseUrl } = await startAppProcess({
      ...testAppEnvironment(),
      DATABASE_URL: proxy.urlFor(testDatabaseUrl()),
      DATABASE_QUERY_TIMEOUT_MS: '2000',
      DATABASE_STATEMENT_TIMEOUT_MS: '1000',
    }));
  });
  afterAll(async () => {
    proxy?.resume();
    await killAppProcesses();
    await proxy?.close();
    await withDatabase(async (client) => {
      await client.query('DROP TRIGGER IF EXISTS error_log_test_refuse ON organizations');
      await client.query('DROP FUNCTION IF EXISTS error_log_test_refuse()');
    });
  });

  it("writes a 500's message, code and SQL, never the query's parameters", async () => {
    const login = await fetch(`${baseUrl}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: process.env.ADMIN_EMAIL, password: process.env.ADMIN_PASSWORD }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const name = `${REFUSED_NAME_PREFIX}${randomUUID()}`;

    const logged = app.waitForLog(/^Unhandled error$/);
    const response = await fetch(`${baseUrl}/v1/organizations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ name }),
    });
    expect(response.status).toBe(500);
    await logged;

    expect(app.stdout).not.toContain(name);
    const [line] = linesWith(app, 'Unhandled error');
    expect(line.err).toMatchObject({
      message: 'refused by the error-log test',
      code: 'P0001',
      query: expect.stringMatching(/^INSERT INTO "organizations"/),
    });
    expect(line.err).not.toHaveProperty('parameters');
    expect(line.err).not.toHaveProperty('driverError');
  });

  it('writes an outage without the parameters of the query it cut', async () => {
    // Looked up by TypeORM, whose error carries the query's parameters.
    const email = `outage-secret-${randomUUID()}@example.com`;
    const logged = app.waitForLog(/^Database unavailable$/);
    proxy.stall();
    try {
      const response = await fetch(`${baseUrl}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: 'not the password of anyone here' }),
      });
      expect(response.status).toBe(503);
    } finally {
      proxy.resume();
    }
    await logged;

    expect(app.stdout).not.toContain(email);
    const [line] = linesWith(app, 'Database unavailable');
    expect(line.err).toMatchObject({ message: expect.any(String), query: expect.stringMatching(/^SELECT /) });
    expect(line.err).not.toHaveProperty('parameters');
  });
});
