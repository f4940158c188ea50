import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEVELOPMENT_JWT_SECRET } from '../src/platform/config/environment';
import { EmbeddedPostgres } from '../src/platform/database/embedded-postgres';
import {
  AppProcess,
  type ExitStatus,
  killAppProcesses,
  START_TIMEOUT_MS,
  startAppProcess,
  testAppEnvironment,
} from './support/app-process';
import { acceptsConnections, httpGet, httpPost, type HttpResponse, startSlowUpload } from './support/http-client';
import { withDatabase } from './support/raw-sql';

// main.ts imports the whole app before it validates (about 1 s built, far more on a busy machine):
// the bound catches a hang (e.g. on the database); the listener below shows nothing was tried.
const CONFIG_FAILURE_WITHIN_MS = 30_000;
const SHUTDOWN_WITHIN_MS = 15_000;
/** One start of the app, plus its requests and its shutdown. */
const ONE_START_TEST_TIMEOUT_MS = START_TIMEOUT_MS + 45_000;
const STACK_FRAME = /^\s+at\s/m;

function testDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is set by the Jest global setup');
  return url;
}

/** Variables named by the "  - NAME: reason" lines of the configuration error. */
function namedVariables(stderr: string): string[] {
  return [...stderr.matchAll(/^ {2}- ([A-Z_]+):/gm)].map((match) => match[1]).sort();
}

interface ConfigFailure {
  exit: ExitStatus;
  stderr: string;
  elapsedMs: number;
}

async function runWithBadConfig(env: Record<string, string>): Promise<ConfigFailure> {
  const started = Date.now();
  const app = AppProcess.spawn(env);
  const exit = await app.waitForExit(CONFIG_FAILURE_WITHIN_MS + 15_000);
  return { exit, stderr: app.stderr, elapsedMs: Date.now() - started };
}

function expectConfigFailure(failure: ConfigFailure, variables: string[]): void {
  expect(failure.exit).toEqual({ code: 1, signal: null });
  expect(failure.elapsedMs).toBeLessThan(CONFIG_FAILURE_WITHIN_MS);
  expect(failure.stderr).toMatch(/^Invalid configuration:$/m);
  expect(namedVariables(failure.stderr)).toEqual([...variables].sort());
  expect(failure.stderr).not.toMatch(STACK_FRAME);
}

async function expectReady(baseUrl: string): Promise<void> {
  const response = await httpGet(`${baseUrl}/health/ready`);
  expect({ status: response.status, body: JSON.parse(response.body) as unknown }).toMatchObject({
    status: 200,
    body: { status: 'ok' },
  });
}

async function stopGracefully(app: AppProcess): Promise<ExitStatus> {
  app.signal('SIGTERM');
  return app.waitForExit(SHUTDOWN_WITHIN_MS);
}

/** Opens a data directory the app has left, with the app's own embedded server, and counts its users. */
async function usersIn(dataDir: string, email: string): Promise<number> {
  const embedded = await EmbeddedPostgres.start({ dataDir, maxConnections: 2 });
  try {
    const result = await withDatabase(embedded.url, (client) =>
      client.query<{ count: string }>('SELECT count(*) FROM users WHERE lower(email) = lower($1)', [email]),
    );
    return Number(result.rows[0]?.count);
  } finally {
    await embedded.stop();
  }
}

interface ConnectionCounter {
  url: string;
  connections(): number;
  close(): Promise<void>;
}

/** A database address that only counts who connects to it. */
async function connectionCounter(): Promise<ConnectionCounter> {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `postgres://app@127.0.0.1:${port}/app`,
    connections: () => connections,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Everything production insists on, of its own, except what a test leaves out. */
function productionEnvironment(databaseUrl: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    PAYMENT_WEBHOOK_SECRET: randomBytes(32).toString('base64url'),
    AUDIT_SIGNING_KEY: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    ENCRYPTION_KEY_ID: 'k1',
  };
}

afterEach(killAppProcesses);

describe('configuration at start-up', () => {
  it('exits 1 at once, naming every bad variable, without a stack trace or a secret', async () => {
    const secrets = {
      JWT_SECRET: 'too-short-but-still-secret',
      DATABASE_URL: 'mysql://shop:hunter2-pass@db.internal/shop',
    };
    const failure = await runWithBadConfig({
      PORT: 'abc',
      DATABASE_POOL_SIZE: '0',
      CORS_ORIGINS: 'notaurl',
      ...secrets,
    });

    expectConfigFailure(failure, ['CORS_ORIGINS', 'DATABASE_POOL_SIZE', 'DATABASE_URL', 'JWT_SECRET', 'PORT']);
    expect(failure.stderr).toContain('"abc"');
    for (const value of [...Object.values(secrets), 'hunter2']) expect(failure.stderr).not.toContain(value);
  });

  it.each([
    ['no JWT_SECRET', {}],
    ['the development JWT_SECRET', { JWT_SECRET: DEVELOPMENT_JWT_SECRET }],
  ])('refuses production with %s', async (_case, secret: Record<string, string>) => {
    const database = await connectionCounter();
    const environment = { ...productionEnvironment(database.url), ...secret };
    const failure = await runWithBadConfig(environment);
    await database.close();

    expectConfigFailure(failure, ['JWT_SECRET']);
    expect(database.connections()).toBe(0);
    for (const value of [
      DEVELOPMENT_JWT_SECRET,
      environment.ENCRYPTION_KEYS.slice(3),
      environment.PAYMENT_WEBHOOK_SECRET,
    ]) {
      expect(failure.stderr).not.toContain(value);
    }
  });
});

describe('start-up and shutdown', () => {
  const dataDirs: string[] = [];
  afterAll(() => {
    for (const dataDir of dataDirs) rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'serves on the database DATABASE_URL names and exits 0 on SIGTERM',
    async () => {
      const { app, baseUrl } = await startAppProcess({ ...testAppEnvironment(), DATABASE_URL: testDatabaseUrl() });
      await expectReady(baseUrl);
      expect(await stopGracefully(app)).toEqual({ code: 0, signal: null });
    },
    ONE_START_TEST_TIMEOUT_MS,
  );

  it(
    'serves on the embedded database when DATABASE_URL is empty, and keeps its data across restarts',
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'embedded-data-'));
      dataDirs.push(dataDir);
      const env: Record<string, string> = { ...testAppEnvironment(), DATABASE_URL: '', DATA_DIR: dataDir };

      const first = await startAppProcess(env);
      await expectReady(first.baseUrl);
      expect(await stopGracefully(first.app)).toEqual({ code: 0, signal: null });
      // The first start migrated an empty database and created the first admin: both reached the disk.
      expect(await usersIn(dataDir, env.ADMIN_EMAIL)).toBe(1);

      const second = await startAppProcess(env);
      await expectReady(second.baseUrl);
      expect(await stopGracefully(second.app)).toEqual({ code: 0, signal: null });
    },
    ONE_START_TEST_TIMEOUT_MS * 2,
  );
});

describe('graceful shutdown', () => {
  let agent: Agent | undefined;
  afterEach(() => agent?.destroy());

  interface ShutdownDuringRequest {
    app: AppProcess;
    response: HttpResponse;
    /** Whether the request had been answered when new connections were first refused. */
    answeredBeforeRefusing: boolean;
  }

  /**
   * Logs in as a client on a slow uplink: half the body, then SIGTERM; once
   * the app refuses new connections, the rest of the body.
   */
  async function shutDownDuringSlowLogin(client: Agent, shutdownTimeoutMs: number): Promise<ShutdownDuringRequest> {
    agent = client;
    const { app, baseUrl } = await startAppProcess({
      ...testAppEnvironment(),
      SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs),
    });
    const credentials = { email: `shutdown-${randomUUID()}@test.example.com`, password: strongPassword() };
    const registration = { ...credentials, organizationName: `Shutdown ${randomUUID()}`, displayName: 'Shutdown' };
    expect((await httpPost(`${baseUrl}/v1/auth/register`, registration)).status).toBe(201);

    const login = startSlowUpload(`${baseUrl}/v1/auth/login`, credentials, client);
    await login.started;
    app.signal('SIGTERM');
    await app.waitForLog(/^SIGTERM received/, 10_000);
    await waitUntil(async () => !(await acceptsConnections(baseUrl)), 15_000);
    expect(app.running).toBe(true);
    const answeredBeforeRefusing = login.settled;

    const response = await login.finish();
    return { app, response, answeredBeforeRefusing };
  }

  it(
    'finishes the request in flight, refuses new connections, then exits 0',
    async () => {
      const { app, response, answeredBeforeRefusing } = await shutDownDuringSlowLogin(
        new Agent({ keepAlive: false }),
        20_000,
      );

      expect(answeredBeforeRefusing).toBe(false);
      expect(Buffer.byteLength(response.body)).toBe(Number(response.headers['content-length']));
      expect({ status: response.status, body: JSON.parse(response.body) as unknown }).toMatchObject({
        status: 200,
        body: { accessToken: expect.any(String), refreshToken: expect.any(String), tokenType: 'Bearer' },
      });
      expect(await app.waitForExit(SHUTDOWN_WITHIN_MS)).toEqual({ code: 0, signal: null });
    },
    ONE_START_TEST_TIMEOUT_MS,
  );

  // The response must go out with "Connection: close": else the server waits for that idle
  // connection until the client drops it, and main.ts gives up with exit code 1.
  it(
    'exits 0 when the request in flight came over a keep-alive connection',
    async () => {
      const { app, response } = await shutDownDuringSlowLogin(new Agent({ keepAlive: true }), 8_000);

      expect(response.status).toBe(200);
      expect(response.headers.connection).toBe('close');
      expect(await app.waitForExit(SHUTDOWN_WITHIN_MS)).toEqual({ code: 0, signal: null });
    },
    ONE_START_TEST_TIMEOUT_MS,
  );
});

describe('shutdown order', () => {
  /** Long enough to see readiness go 503 while the instance still serves, on a busy machine too. */
  const SHUTDOWN_DELAY_MS = 5_000;
  let agent: Agent | undefined;
  afterEach(() => agent?.destroy());

  /** Each audit event the requests with these ids wrote, and its place in the chain (null: unsealed). */
  function sealedEventsOf(requestIds: string[]): Promise<{ requestId: string; seq: string | null }[]> {
    return withDatabase(async (client) => {
      const result = await client.query<{ requestId: string; seq: string | null }>(
        `SELECT event.request_id AS "requestId", link.seq::text AS seq
           FROM audit_events event LEFT JOIN audit_chain link ON link.event_id = event.id
          WHERE event.request_id = ANY($1)`,
        [requestIds],
      );
      return result.rows;
    });
  }

  it(
    'cuts a request still open when the drain budget is spent, then seals and exits 0 within SHUTDOWN_TIMEOUT_MS',
    async () => {
      const shutdownTimeoutMs = 6_000;
      const { app, baseUrl } = await startAppProcess({
        ...testAppEnvironment(),
        AUDIT_SEAL_INTERVAL_MS: '60000',
        SHUTDOWN_DELAY_MS: '0',
        SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs),
      });
      const deniedId = randomUUID();
      const denied = await httpPost(
        `${baseUrl}/v1/auth/login`,
        { email: `nobody-${randomUUID()}@test.example.com`, password: 'not the password of anyone at all' },
        { 'x-request-id': deniedId },
      );
      expect(denied.status).toBe(401);
      // A client that never sends the rest of its body: the drain would wait for it forever.
      const stuck = startSlowUpload(
        `${baseUrl}/v1/auth/login`,
        { email: 'stuck@test.example.com', password: 'x' },
        new Agent(),
      );
      await stuck.started;

      app.signal('SIGTERM');
      await app.waitForLog(/^Draining took longer than/, shutdownTimeoutMs);
      expect(await app.waitForExit(shutdownTimeoutMs)).toEqual({ code: 0, signal: null });

      await expect(stuck.finish()).rejects.toThrow();
      expect(await sealedEventsOf([deniedId])).toEqual([{ requestId: deniedId, seq: expect.stringMatching(/^\d+$/) }]);
    },
    ONE_START_TEST_TIMEOUT_MS,
  );

  it(
    'goes unready at once, serves through the delay, drains, then seals what the last requests wrote, and exits 0',
    async () => {
      agent = new Agent({ keepAlive: true });
      const { app, baseUrl } = await startAppProcess({
        ...testAppEnvironment(),
        // No sealing of its own during the test: only the final seal can chain the last events.
        AUDIT_SEAL_INTERVAL_MS: '60000',
        SHUTDOWN_DELAY_MS: String(SHUTDOWN_DELAY_MS),
        SHUTDOWN_TIMEOUT_MS: '30000',
      });
      const credentials = { email: `drain-${randomUUID()}@test.example.com`, password: strongPassword() };
      const registration = { ...credentials, organizationName: `Drain ${randomUUID()}`, displayName: 'Drain' };
      expect((await httpPost(`${baseUrl}/v1/auth/register`, registration)).status).toBe(201);
      expect((await httpGet(`${baseUrl}/health/ready`, agent)).status).toBe(200);

      const inFlightId = randomUUID();
      const login = startSlowUpload(`${baseUrl}/v1/auth/login`, credentials, new Agent({ keepAlive: false }), {
        'x-request-id': inFlightId,
      });
      await login.started;
      app.signal('SIGTERM');
      await app.waitForLog(/^SIGTERM received/, 10_000);

      // Readiness says "stop sending" at once, over the connection the balancer already holds...
      const ready = await httpGet(`${baseUrl}/health/ready`, agent);
      expect(ready.status).toBe(503);
      expect(JSON.parse(ready.body)).toMatchObject({ status: 'error', error: { serving: { status: 'down' } } });
      // ...while requests that still arrive are served, and liveness holds.
      expect((await httpGet(`${baseUrl}/health/live`, agent)).status).toBe(200);
      const lateId = randomUUID();
      const late = await httpPost(
        `${baseUrl}/v1/auth/login`,
        { email: credentials.email, password: 'not the password of this account at all' },
        { 'x-request-id': lateId },
      );
      expect(late.status).toBe(401);

      const response = await login.finish();
      expect(response.status).toBe(200);
      expect(await app.waitForExit(SHUTDOWN_DELAY_MS + SHUTDOWN_WITHIN_MS)).toEqual({ code: 0, signal: null });

      const events = await sealedEventsOf([inFlightId, lateId]);
      expect(events.map((event) => event.requestId).sort()).toEqual([inFlightId, lateId].sort());
      expect(events.filter((event) => event.seq === null)).toEqual([]);
    },
    ONE_START_TEST_TIMEOUT_MS,
  );
});

/** Random, long and in no dictionary: passes the password policy. */
function strongPassword(): string {
  return `pw-${randomBytes(18).toString('base64url')}`;
}

async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
