import { randomInt } from 'node:crypto';
import { uniqueEmail } from './support/identity';
import { startTestApp, type TestApp } from './support/test-app';

const RATE_LIMITED = 'https://problems.b2b-commerce.example/rate-limited';

/** A client address of its own for each test (read from X-Forwarded-For: TRUST_PROXY=1). */
const clientAddress = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

/** What the throttler used to send: none of it may be left. */
const LEGACY_HEADER = /^(x-ratelimit-|retry-after-)/;

/**
 * The limits as a client sees them: one budget per client IP for the whole
 * API and a stricter one for the credential endpoints, announced with the
 * IETF RateLimit-Policy and RateLimit fields, and a Retry-After on 429 that
 * says how long the block really lasts.
 */
/** Every timer fake timers would replace, but Date. */
const TIMERS_BUT_DATE = [
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'setTimeout',
  'clearTimeout',
] as const;

describe('rate limits', () => {
  const GLOBAL = 5;
  const AUTH = 3;
  // Not the throttler's usual 60 s: the figures below must come from the configuration.
  const WINDOW_S = 45;
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp({
      RATE_LIMIT_MAX: String(GLOBAL),
      AUTH_RATE_LIMIT_MAX: String(AUTH),
      RATE_LIMIT_TTL_MS: String(WINDOW_S * 1000),
      TRUST_PROXY: '1',
    });
  });
  afterAll(() => testApp.close());

  // The limiter's clock is Date.now(), stopped here and moved only by the tests: a window's figures are exact
  // however slow the machine (timers and I/O run as usual).
  beforeEach(() => jest.useFakeTimers({ doNotFake: [...TIMERS_BUT_DATE], now: Date.now() }));
  afterEach(() => jest.useRealTimers());

  const get = (path: string, from: string) => testApp.http.get(path).set('X-Forwarded-For', from);
  const post = (path: string, body: object, from: string) =>
    testApp.http.post(path).set('X-Forwarded-For', from).send(body);
  const legacyHeaders = (headers: Record<string, string>) =>
    Object.keys(headers).filter((name) => LEGACY_HEADER.test(name));

  it('announces the policy and what is left of it on a successful answer', async () => {
    const from = clientAddress();
    const first = await get('/v1/products?limit=1', from).expect(200);
    expect(first.headers['ratelimit-policy']).toBe(`"default";q=${GLOBAL};w=${WINDOW_S}`);
    expect(first.headers.ratelimit).toBe(`"default";r=${GLOBAL - 1};t=${WINDOW_S}`);
    expect(legacyHeaders(first.headers)).toEqual([]);

    const second = await get('/v1/categories', from).expect(200);
    expect(second.headers.ratelimit).toBe(`"default";r=${GLOBAL - 2};t=${WINDOW_S}`);
  });

  it('sends no rate-limit fields where no limit applies (probes)', async () => {
    const response = await get('/health/live', clientAddress()).expect(200);
    expect(response.headers['ratelimit-policy']).toBeUndefined();
    expect(response.headers.ratelimit).toBeUndefined();
  });

  it('counts one budget per client across every route, and answers 429 with the real wait', async () => {
    const from = clientAddress();
    const paths = ['/v1/products?limit=1', '/v1/categories', '/v1/products?limit=2', '/v1/categories?limit=3'];
    for (let i = 0; i < GLOBAL; i += 1) await get(paths[i % paths.length], from).expect(200);

    const limited = await get('/v1/categories?limit=5', from).expect(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited.headers['retry-after']).toBe(String(WINDOW_S));
    expect(limited.headers['ratelimit-policy']).toBe(`"default";q=${GLOBAL};w=${WINDOW_S}`);
    expect(limited.headers.ratelimit).toBe(`"default";r=0;t=${WINDOW_S}`);
    expect(legacyHeaders(limited.headers)).toEqual([]);
    expect(limited.body).toMatchObject({ type: RATE_LIMITED, status: 429, title: 'Too Many Requests' });
    expect(limited.body.detail).toBe(
      `Too many requests from your address; try again in ${WINDOW_S} seconds (Retry-After).`,
    );

    // Another client is not held back by the first.
    await get('/v1/categories', clientAddress()).expect(200);
  });

  it('counts the credential endpoints together against the auth budget, on top of the global one', async () => {
    const from = clientAddress();
    const wrongLogin = { email: uniqueEmail('nobody'), password: 'wrong but long enough' };
    const unknownToken = { refreshToken: 'A'.repeat(43) };

    const login = await post('/v1/auth/login', wrongLogin, from).expect(401);
    expect(login.headers['ratelimit-policy']).toBe(
      `"default";q=${GLOBAL};w=${WINDOW_S}, "auth";q=${AUTH};w=${WINDOW_S}`,
    );
    expect(login.headers.ratelimit).toBe(`"default";r=${GLOBAL - 1};t=${WINDOW_S}, "auth";r=${AUTH - 1};t=${WINDOW_S}`);
    await post('/v1/auth/refresh', unknownToken, from).expect(401);
    await post('/v1/auth/logout', unknownToken, from).expect(204);

    // A fourth auth route, not yet called by this client: the budget is the client's, not the route's.
    const limited = await post('/v1/auth/register', {}, from).expect(429);
    expect(limited.headers['retry-after']).toBe(String(WINDOW_S));
    expect(limited.headers.ratelimit).toBe(`"default";r=${GLOBAL - AUTH - 1};t=${WINDOW_S}, "auth";r=0;t=${WINDOW_S}`);
    expect(legacyHeaders(limited.headers)).toEqual([]);
    expect(limited.body).toMatchObject({ type: RATE_LIMITED, status: 429 });
    expect(limited.body.detail).not.toMatch(/Throttler/);

    // The rest of the API still answers that client, within the global budget.
    await get('/v1/products?limit=1', from).expect(200);
  });

  it('tells the longest wait when several limits block, each in its RateLimit member', async () => {
    const from = clientAddress();
    const logout = () => post('/v1/auth/logout', { refreshToken: 'A'.repeat(43) }, from);
    for (let i = 0; i < GLOBAL; i += 1) await get('/v1/categories', from).expect(200);
    await get('/v1/categories', from).expect(429);
    // Whole seconds: the global block, begun first, now ends a second or more before one begun now.
    jest.setSystemTime(Date.now() + 1_100);

    // Refused by the global block, yet counted by the auth policy too.
    for (let i = 0; i < AUTH; i += 1) {
      const refused = await logout().expect(429);
      expect(refused.headers['retry-after']).toBe(String(WINDOW_S - 1));
    }
    const both = await logout().expect(429);
    const [global, auth] = String(both.headers.ratelimit).split(', ');
    expect(global).toBe(`"default";r=0;t=${WINDOW_S - 1}`);
    expect(auth).toBe(`"auth";r=0;t=${WINDOW_S}`);
    expect(both.headers['retry-after']).toBe(String(WINDOW_S));
    expect(both.body.detail).toContain(`try again in ${WINDOW_S} seconds`);
  });
});
