import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { GatedWriteModule, TransactionGate } from './support/fixtures/gated-write.module';
import { bearer, createUser, type TestUser } from './support/identity';
import { withDatabase } from './support/raw-sql';
import { targetOf, TcpProxy } from './support/tcp-proxy';
import { onRealDatabase, startTestApp, type TestApp } from './support/test-app';

/** Small bounds, so that each test waits seconds, not the production defaults' tens of seconds. */
const BOUNDS = {
  DATABASE_POOL_SIZE: '3',
  AUDIT_EXPORT_MAX_CONCURRENT: '1',
  DATABASE_CONNECT_TIMEOUT_MS: '1000',
  DATABASE_STATEMENT_TIMEOUT_MS: '1000',
  DATABASE_QUERY_TIMEOUT_MS: '2000',
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '1000',
  HEALTH_DATABASE_TIMEOUT_MS: '500',
};

/** A stall well beyond every bound above, as the 22-second one of the review was; then the network comes back. */
const STALL_MS = 15_000;

function testDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is set by the Jest global setup');
  return url;
}

/** A query straight to the test database, around the proxy. */
function queryDirectly<Row extends object>(sql: string, parameters: unknown[]): Promise<Row[]> {
  return withDatabase(async (client) => (await client.query<Row>(sql, parameters)).rows);
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function expectDatabaseUnavailable(response: Response): void {
  expect({ status: response.status, type: response.headers['content-type'] }).toEqual({
    status: 503,
    type: expect.stringMatching(/^application\/problem\+json/),
  });
  expect(response.headers['retry-after']).toMatch(/^[1-9]\d*$/);
  expect(response.body).toMatchObject({
    type: expect.stringMatching(/\/database-unavailable$/),
    title: 'Service Unavailable',
    status: 503,
    detail: expect.any(String),
    requestId: expect.any(String),
  });
  // Never the driver's words, nor where the database is.
  expect(JSON.stringify(response.body)).not.toMatch(/terminated|timeout|ECONN|pool|query|127\.0\.0\.1|:\d{4,5}/i);
}

describe('the database out of reach', () => {
  let proxy: TcpProxy;
  let testApp: TestApp;
  let buyer: TestUser;

  beforeAll(async () => {
    proxy = await TcpProxy.start(targetOf(testDatabaseUrl()));
    testApp = await startTestApp({ ...BOUNDS, DATABASE_URL: proxy.urlFor(testDatabaseUrl()) }, [GatedWriteModule]);
    buyer = await createUser(testApp, { roles: ['buyer'] });
  });
  afterAll(async () => {
    proxy?.resume();
    await testApp?.close();
    await proxy?.close();
  });

  /** Stalls the network for `ms` at most; returns what resumes it sooner. */
  function stallFor(ms: number): () => void {
    proxy.stall();
    const timer = setTimeout(() => proxy.resume(), ms);
    return () => {
      clearTimeout(timer);
      proxy.resume();
    };
  }

  it('answers 503 database-unavailable with Retry-After while the network stalls, then serves again', async () => {
    await testApp.http.get('/v1/products?limit=1').expect(200);
    const resume = stallFor(STALL_MS);
    try {
      // More requests than the pool has connections: some wait for one and give up too.
      const responses = await Promise.all([
        ...Array.from({ length: 5 }, () => testApp.http.get('/v1/products?limit=1')),
        testApp.http.get('/v1/me').set(bearer(buyer)),
        testApp.http.post('/v1/auth/login').send({ email: buyer.email, password: buyer.password }),
      ]);
      for (const response of responses) expectDatabaseUnavailable(response);
      const ready = await testApp.http.get('/health/ready').expect(503);
      expect(ready.body).toMatchObject({ error: { database: { status: 'down' } } });
    } finally {
      resume();
    }

    await testApp.http.get('/v1/products?limit=1').expect(200);
    await testApp.http.get('/v1/me').set(bearer(buyer)).expect(200);
  });

  it('rolls back a transaction the stall cut in the middle: no partial write, and the pool serves again', async () => {
    const gate = testApp.app.get(TransactionGate);
    const name = `gated-${randomUUID()}`;
    const answer = testApp.http
      .post('/v1/test-gated-writes')
      .send({ name })
      .then((response) => response);
    // The organization is written; its audit event, the next statement, will not get through.
    const backendPid = await gate.arrived;
    const resume = stallFor(STALL_MS);
    gate.open();
    try {
      expectDatabaseUnavailable(await answer);
      if (onRealDatabase) {
        // The server ends the orphaned transaction itself (idle_in_transaction_session_timeout), and with
        // it its locks, although the news that the app gave up never reached it.
        await waitUntil(
          async () =>
            (await queryDirectly<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE pid = $1', [backendPid]))
              .length === 0,
          STALL_MS,
        );
      }
    } finally {
      resume();
    }

    await testApp.http.get('/v1/products?limit=1').expect(200);
    expect(await queryDirectly('SELECT id FROM organizations WHERE name = $1', [name])).toEqual([]);
  });

  it('answers 503 database-unavailable while the database refuses connections, then serves again', async () => {
    await proxy.refuseConnections();
    try {
      expectDatabaseUnavailable(await testApp.http.get('/v1/products?limit=1'));
      expectDatabaseUnavailable(await testApp.http.get('/v1/me').set(bearer(buyer)));
    } finally {
      await proxy.acceptConnections();
    }
    await testApp.http.get('/v1/products?limit=1').expect(200);
    await testApp.http.get('/health/ready').expect(200);
  });
});
