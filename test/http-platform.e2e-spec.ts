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

  const ALLOWED = 'https://app.example.com';
  const FOREIGN = 'https://evil.example.net';
  const REQUEST_HEADERS = [
    'authorization',
    'content-type',
    'if-match',
    'if-none-match',
    'idempotency-key',
    'x-api-key',
    'x-request-id',
  ];
  const EXPOSED_HEADERS = [
    'etag',
    'idempotent-replayed',
    'location',
    'ratelimit',
    'ratelimit-policy',
    'retry-after',
    'x-request-id',
  ];
  const listOf = (value: string | undefined): string[] =>
    (value ?? '')
      .split(',')
      .map((item) => item.trim().toLowerCase())
      .filter(Boolean)
      .sort();
  const preflight = (origin: string, method: string, headers = REQUEST_HEADERS) =>
    testApp.http
      .options(`/v1/test-probes/${randomUUID()}`)
      .set('Origin', origin)
      .set('Access-Control-Request-Method', method)
      .set('Access-Control-Request-Headers', headers.join(', '));

  it('answers a preflight from an allowed origin for every method the API uses, with the headers clients send', async () => {
    const document = (await testApp.http.get('/docs-json').expect(200)).body as { paths: Record<string, object> };
    const documented = new Set(
      Object.values(document.paths).flatMap((pathItem) => Object.keys(pathItem).map((m) => m.toUpperCase())),
    );
    expect([...documented]).toEqual(expect.arrayContaining(['GET', 'POST', 'PATCH', 'DELETE']));
    for (const method of [...documented, 'HEAD']) {
      const response = await preflight(ALLOWED, method).expect(204);
      expect(response.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(listOf(response.headers['access-control-allow-methods'])).toContain(method.toLowerCase());
      expect(listOf(response.headers['access-control-allow-headers'])).toEqual(expect.arrayContaining(REQUEST_HEADERS));
      expect(Number(response.headers['access-control-max-age'])).toBeGreaterThanOrEqual(600);
      expect(listOf(response.headers.vary)).toContain('origin');
    }
  });

  it('lets a cross-origin client from an allowed origin read the response headers it needs', async () => {
    const response = await testApp.http.get(`/v1/test-probes/${randomUUID()}`).set('Origin', ALLOWED).expect(200);
    expect(response.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(listOf(response.headers['access-control-expose-headers'])).toEqual(EXPOSED_HEADERS);
    const refused = await testApp.http.get('/v1/test-probes/not-a-uuid').set('Origin', ALLOWED).expect(400);
    expect(listOf(refused.headers['access-control-expose-headers'])).toEqual(EXPOSED_HEADERS);
  });

  it('grants nothing to another origin, in a preflight or a request', async () => {
    const answers = [
      await preflight(FOREIGN, 'PATCH'),
      await testApp.http.get(`/v1/test-probes/${randomUUID()}`).set('Origin', FOREIGN).expect(200),
    ];
    for (const response of answers) {
      const granted = Object.keys(response.headers).filter((name) => name.startsWith('access-control-'));
      expect(granted).toEqual([]);
    }
  });
});

describe('CORS without allowed origins', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await startTestApp({ CORS_ORIGINS: '' }, [ProbeModule]);
  });
  afterAll(() => testApp.close());

  it('grants no origin anything', async () => {
    const response = await testApp.http
      .options(`/v1/test-probes/${randomUUID()}`)
      .set('Origin', 'https://app.example.com')
      .set('Access-Control-Request-Method', 'PATCH');
    const read = await testApp.http.get(`/v1/test-probes/${randomUUID()}`).set('Origin', 'https://app.example.com');
    for (const answer of [response, read]) {
      expect(Object.keys(answer.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
    }
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
