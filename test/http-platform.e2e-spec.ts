import { randomUUID } from 'node:crypto';
import { ProbeModule } from './support/fixtures/probe.module';
import { startTestApp, type TestApp } from './support/test-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('request id', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await startTestApp({}, [ProbeModule]);
  });
  afterAll(() => testApp.close());

  it('keeps a sane caller id and echoes it', async () => {
    const response = await testApp.http.get('/health/live').set('X-Request-Id', 'trace-7f3a.span:42').expect(200);
    expect(response.headers['x-request-id']).toBe('trace-7f3a.span:42');
  });

  it.each([
    ['too long', 'a'.repeat(129)],
    ['with spaces', 'drop table users'],
    ['with a forged log line', 'abc\\n{"level":50}'],
  ])('replaces an id %s with a fresh one', async (_case, id) => {
    const response = await testApp.http.get('/health/live').set('X-Request-Id', id).expect(200);
    expect(response.headers['x-request-id']).toMatch(UUID);
  });

  it('makes one when none is sent, and quotes it in problem bodies', async () => {
    const response = await testApp.http.get('/v1/test-probes/not-a-uuid').expect(400);
    expect(response.headers['x-request-id']).toMatch(UUID);
    expect(response.body.requestId).toBe(response.headers['x-request-id']);
  });
});

describe('security headers and CORS', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await startTestApp({ CORS_ORIGINS: 'https://app.example.com' }, [ProbeModule]);
  });
  afterAll(() => testApp.close());

  it('sends the helmet headers on every response, errors included', async () => {
    for (const path of ['/health/live', '/v1/missing']) {
      const response = await testApp.http.get(path);
      expect(response.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        'strict-transport-security': expect.stringContaining('max-age='),
        'content-security-policy': expect.stringContaining("default-src 'self'"),
        'referrer-policy': 'no-referrer',
      });
      expect(response.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('allows an origin on the allowlist', async () => {
    const response = await testApp.http
      .options(`/v1/test-probes/${randomUUID()}`)
      .set('Origin', 'https://app.example.com')
      .set('Access-Control-Request-Method', 'GET')
      .expect(204);
    expect(response.headers['access-control-allow-origin']).toBe('https://app.example.com');
  });

  it('grants nothing to another origin', async () => {
    const response = await testApp.http
      .get(`/v1/test-probes/${randomUUID()}`)
      .set('Origin', 'https://evil.example.net')
      .expect(200);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('rate limiting', () => {
  const LIMIT = 3;
  const probe = () => `/v1/test-probes/${randomUUID()}`;

  it('answers 429 problem+json with Retry-After past the limit, and spoofed X-Forwarded-For does not reset it', async () => {
    const testApp = await startTestApp({ RATE_LIMIT_MAX: String(LIMIT) }, [ProbeModule]);
    try {
      for (let i = 0; i < LIMIT; i++) {
        await testApp.http.get(probe()).set('X-Forwarded-For', `10.0.0.${i}`).expect(200);
      }
      const limited = await testApp.http.get(probe()).set('X-Forwarded-For', '10.0.0.99').expect(429);
      expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.body).toMatchObject({ status: 429, type: expect.stringMatching(/rate-limited$/) });
    } finally {
      await testApp.close();
    }
  });

  it('counts per client behind a trusted proxy', async () => {
    const testApp = await startTestApp({ RATE_LIMIT_MAX: String(LIMIT), TRUST_PROXY: '1' }, [ProbeModule]);
    try {
      for (let i = 0; i < LIMIT; i++) {
        await testApp.http.get(probe()).set('X-Forwarded-For', '203.0.113.1').expect(200);
      }
      await testApp.http.get(probe()).set('X-Forwarded-For', '203.0.113.1').expect(429);
      await testApp.http.get(probe()).set('X-Forwarded-For', '203.0.113.2').expect(200);
    } finally {
      await testApp.close();
    }
  });
});

describe('metrics', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await startTestApp({}, [ProbeModule]);
  });
  afterAll(() => testApp.close());

  it('labels request latency by route template and status, never by raw URL', async () => {
    const id = randomUUID();
    await testApp.http.get(`/v1/test-probes/${id}`).expect(200);
    await testApp.http.get('/v1/test-probes/not-a-uuid').expect(400);
    await testApp.http.get(`/v1/nowhere/${id}`).expect(404);

    const response = await testApp.http.get('/metrics').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    const text = response.text;
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/v1\/test-probes\/:id",status="200"\} [1-9]/,
    );
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/v1\/test-probes\/:id",status="400"\} [1-9]/,
    );
    expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="unmatched",status="404"\} [1-9]/);
    expect(text).not.toContain(id);
    expect(text).toMatch(/db_pool_connections\{state="total"\} \d+/);
    expect(text).toContain('process_cpu_user_seconds_total');
  });
});
