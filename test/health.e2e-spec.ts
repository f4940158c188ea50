import { randomUUID } from 'node:crypto';
import { AppLifecycle } from '../src/health/app-lifecycle';
import { ProbeModule } from './support/fixtures/probe.module';
import { targetOf, TcpProxy } from './support/tcp-proxy';
import { startTestApp, type TestApp } from './support/test-app';

const RATE_LIMIT_MAX = 3;
const HEALTH_DATABASE_TIMEOUT_MS = 1_000;

function testDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is set by the Jest global setup');
  return url;
}

describe('health', () => {
  let proxy: TcpProxy;
  let testApp: TestApp;

  beforeAll(async () => {
    proxy = await TcpProxy.start(targetOf(testDatabaseUrl()));
    testApp = await startTestApp(
      {
        DATABASE_URL: proxy.urlFor(testDatabaseUrl()),
        HEALTH_DATABASE_TIMEOUT_MS: String(HEALTH_DATABASE_TIMEOUT_MS),
        DATABASE_CONNECT_TIMEOUT_MS: '1000',
        RATE_LIMIT_MAX: String(RATE_LIMIT_MAX),
      },
      [ProbeModule],
    );
  });
  afterAll(async () => {
    await testApp?.close();
    await proxy?.close();
  });
  afterEach(() => {
    proxy.restore();
    proxy.setLatency(0);
  });

  it('answers liveness from the process alone: its heap, no dependency', async () => {
    proxy.cut();
    const response = await testApp.http.get('/health/live').expect(200);
    expect(response.body).toEqual({
      status: 'ok',
      info: { heap: expect.objectContaining({ status: 'up' }) },
      error: {},
      details: { heap: expect.objectContaining({ status: 'up' }) },
    });
  });

  it('answers the startup probe once started, without checking the database', async () => {
    proxy.cut();
    const response = await testApp.http.get('/health/startup').expect(200);
    expect(response.body).toEqual({
      status: 'ok',
      info: { startup: { status: 'up' } },
      error: {},
      details: { startup: { status: 'up' } },
    });
  });

  it('is ready when it serves, the database answers and migrations are applied; the heap is not its concern', async () => {
    const response = await testApp.http.get('/health/ready').expect(200);
    const up = expect.objectContaining({ status: 'up' });
    expect(response.body).toEqual({
      status: 'ok',
      info: { serving: up, database: up, migrations: up },
      error: {},
      details: { serving: up, database: up, migrations: up },
    });
  });

  it('is not ready while the database is unreachable, and ready again once it is back', async () => {
    proxy.cut();
    const down = await testApp.http.get('/health/ready').expect(503);
    expect(down.body).toMatchObject({
      status: 'error',
      error: { database: { status: 'down' } },
      info: { serving: { status: 'up' } },
    });
    // The body is public: no driver message naming the database's host or port.
    expect(JSON.stringify(down.body)).not.toMatch(/ECONN|127\.0\.0\.1|:\d{4,5}/);

    proxy.restore();
    const up = await testApp.http.get('/health/ready').expect(200);
    expect(up.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
  });

  it('is not ready while the database answers slower than HEALTH_DATABASE_TIMEOUT_MS', async () => {
    proxy.setLatency(HEALTH_DATABASE_TIMEOUT_MS * 2);
    const started = Date.now();
    const slow = await testApp.http.get('/health/ready').expect(503);
    expect(slow.body).toMatchObject({
      status: 'error',
      error: { database: { status: 'down', message: expect.stringMatching(/timeout/) } },
    });
    // Both database checks give up at the timeout instead of waiting for the answer.
    expect(Date.now() - started).toBeLessThan(HEALTH_DATABASE_TIMEOUT_MS * 2);

    proxy.setLatency(0);
    await testApp.http.get('/health/ready').expect(200);
  });

  it('does not rate limit health checks, although other routes are', async () => {
    for (let attempt = 0; attempt < RATE_LIMIT_MAX * 3; attempt++) {
      await testApp.http.get('/health/live').expect(200);
    }
    // The same client on a business route runs into the limit, so the limit is real.
    const probe = `/v1/test-probes/${randomUUID()}`;
    for (let attempt = 0; attempt < RATE_LIMIT_MAX; attempt++) {
      await testApp.http.get(probe).expect(200);
    }
    await testApp.http.get(probe).expect(429);
  });
});

describe('health with a heap bound below the heap in use', () => {
  const MIN_HEAP_LIMIT_MB = 16;
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp({ HEALTH_HEAP_LIMIT_MB: String(MIN_HEAP_LIMIT_MB) });
  });
  afterAll(() => testApp?.close());

  it('is not live, naming the heap (a restart is the cure), yet still ready', async () => {
    // The app shares this process's heap; the bound means something only if the heap is above it.
    expect(process.memoryUsage().heapUsed).toBeGreaterThan(MIN_HEAP_LIMIT_MB * 1024 * 1024);
    const live = await testApp.http.get('/health/live').expect(503);
    expect(live.body).toMatchObject({ status: 'error', error: { heap: { status: 'down' } } });
    await testApp.http.get('/health/ready').expect(200);
  });
});

describe('health once shutdown has begun', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp();
  });
  afterAll(() => testApp?.close());

  it('is not ready at once, naming the shutdown, while alive and started', async () => {
    await testApp.http.get('/health/ready').expect(200);
    testApp.app.get(AppLifecycle).beginDraining();

    const ready = await testApp.http.get('/health/ready').expect(503);
    expect(ready.body).toEqual({
      status: 'error',
      info: {},
      error: { serving: { status: 'down', message: 'shutting down' } },
      details: { serving: { status: 'down', message: 'shutting down' } },
    });
    await testApp.http.get('/health/live').expect(200);
    await testApp.http.get('/health/startup').expect(200);
  });
});
