import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { refreshTokenHash } from '../src/identity/tokens.service';
import { AppProcess, killAppProcesses, testAppEnvironment } from './support/app-process';
import {
  adminSession,
  bearer,
  createUser,
  login,
  type Session,
  strongPassword,
  type TestUser,
  uniqueEmail,
} from './support/identity';
import { withDatabase } from './support/raw-sql';
import { onRealDatabase, startTestApp, type TestApp } from './support/test-app';

const PROBLEM = 'application/problem+json';
const INVALID_CREDENTIALS = 'https://problems.b2b-commerce.example/invalid-credentials';

/** A problem body without what differs per request. */
const comparable = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });

function registration(overrides: Record<string, unknown> = {}) {
  return {
    organizationName: `Registered Org ${randomUUID()}`,
    email: uniqueEmail('registrant'),
    displayName: 'Rita Registrant',
    password: strongPassword(),
    ...overrides,
  };
}

async function disable(testApp: TestApp, admin: TestUser, user: TestUser): Promise<void> {
  await testApp.http.patch(`/v1/users/${user.id}`).set(bearer(admin)).send({ disabled: true }).expect(200);
}

describe('auth (register, login)', () => {
  let testApp: TestApp;
  let dataSource: DataSource;
  let admin: TestUser;

  beforeAll(async () => {
    testApp = await startTestApp();
    dataSource = testApp.app.get(DataSource);
    admin = await adminSession(testApp);
  });
  afterAll(() => testApp.close());

  const organizationsNamed = async (name: string) =>
    Number((await dataSource.query('SELECT count(*) AS n FROM organizations WHERE name = $1', [name]))[0].n);

  describe('POST /v1/auth/register', () => {
    it('creates a customer organization and its first user, an org_admin who can sign in', async () => {
      const body = registration();
      const response = await testApp.http.post('/v1/auth/register').send(body).expect(201);
      expect(response.body).toEqual({
        organization: { id: expect.any(String), name: body.organizationName },
        user: {
          id: expect.any(String),
          email: body.email,
          displayName: body.displayName,
          roles: ['org_admin'],
          organizationId: response.body.organization.id,
        },
      });
      expect(JSON.stringify(response.body)).not.toContain(body.password);
      expect(JSON.stringify(response.body)).not.toContain('argon2');

      const session = await login(testApp, body.email, body.password);
      const me = await testApp.http.get('/v1/me').set(bearer(session)).expect(200);
      expect(me.body).toMatchObject({ id: response.body.user.id, roles: ['org_admin'] });
    });

    it('stores the password only as an argon2id hash', async () => {
      const body = registration();
      const { body: account } = await testApp.http.post('/v1/auth/register').send(body).expect(201);
      const [row] = await dataSource.query('SELECT password_hash FROM users WHERE id = $1', [account.user.id]);
      expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$/);
      expect(row.password_hash).not.toContain(body.password);
    });

    it.each([
      ['too short', 'short-pass', /at least 15 characters/],
      ['common', 'password12345678', /too easy to guess/],
      ['built from the email', null, /too close to your email/],
    ])('refuses a %s password with the reason, and writes nothing', async (_case, password, reason) => {
      const body = registration();
      const sent = { ...body, password: password ?? `${body.email}${body.email}` };
      const response = await testApp.http.post('/v1/auth/register').send(sent).expect(400);
      expect(response.headers['content-type']).toContain(PROBLEM);
      expect(response.body.type).toBe('https://problems.b2b-commerce.example/weak-password');
      expect(response.body.errors).toEqual([{ field: 'password', message: expect.stringMatching(reason) }]);
      expect(JSON.stringify(response.body)).not.toContain(sent.password);
      expect(await organizationsNamed(body.organizationName)).toBe(0);
    });

    it('answers 409 for an email taken in any letter case, and leaves no organization behind', async () => {
      const first = registration();
      await testApp.http.post('/v1/auth/register').send(first).expect(201);
      const second = registration({ email: first.email.toUpperCase() });
      const response = await testApp.http.post('/v1/auth/register').send(second).expect(409);
      expect(response.body.type).toBe('https://problems.b2b-commerce.example/email-taken');
      expect(await organizationsNamed(second.organizationName)).toBe(0);
    });

    it.each([
      ['no body', undefined],
      ['a bad email', registration({ email: 'not-an-email' })],
      ['an unknown field', registration({ roles: ['admin'] })],
      ['a password over 256 characters', registration({ password: 'x'.repeat(257) })],
      ['an organization name with a NUL', registration({ organizationName: 'Acme\u0000' })],
      ['a two-line display name', registration({ displayName: 'a\nb' })],
    ])('answers 400 for %s', async (_case, body) => {
      const response = await testApp.http.post('/v1/auth/register').send(body).expect(400);
      expect(response.headers['content-type']).toContain(PROBLEM);
    });
  });

  describe('POST /v1/auth/login', () => {
    it('answers a token pair', async () => {
      const user = await createUser(testApp, { roles: ['buyer'] });
      const response = await testApp.http
        .post('/v1/auth/login')
        .send({ email: user.email, password: user.password })
        .expect(200);
      expect(response.body).toEqual({
        accessToken: expect.stringMatching(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/),
        refreshToken: expect.stringMatching(/^[\w-]{43}$/),
        tokenType: 'Bearer',
        expiresIn: 900,
      });
      await testApp.http.get('/v1/me').set(bearer(response.body)).expect(200);
    });

    it('compares the email case-insensitively', async () => {
      const user = await createUser(testApp, { roles: ['buyer'] });
      await login(testApp, user.email.toUpperCase(), user.password);
    });

    it('answers unknown email, wrong password and disabled user alike: same status, same body', async () => {
      const wrongPassword = await createUser(testApp, { roles: ['buyer'] });
      const disabled = await createUser(testApp, { roles: ['buyer'] });
      await disable(testApp, admin, disabled);

      const attempts = [
        { email: uniqueEmail('nobody'), password: strongPassword() },
        { email: wrongPassword.email, password: `${wrongPassword.password}x` },
        { email: disabled.email, password: disabled.password },
      ];
      const responses = [];
      for (const attempt of attempts) responses.push(await testApp.http.post('/v1/auth/login').send(attempt));
      for (const response of responses) {
        expect(response.status).toBe(401);
        expect(response.headers['content-type']).toContain(PROBLEM);
        expect(comparable(response.body)).toEqual(comparable(responses[0].body));
      }
      expect(responses[0].body).toMatchObject({
        type: INVALID_CREDENTIALS,
        detail: 'The email or password is incorrect.',
      });
    });

    it('takes as long for an unknown email as for a wrong password (argon2 runs either way)', async () => {
      const user = await createUser(testApp, { roles: ['buyer'] });
      const timed = async (email: string) => {
        const started = process.hrtime.bigint();
        await testApp.http.post('/v1/auth/login').send({ email, password: 'wrong password, long enough' }).expect(401);
        return Number(process.hrtime.bigint() - started) / 1e6;
      };
      const unknown: number[] = [];
      const known: number[] = [];
      // Interleaved, so machine load hits both alike; below the lockout threshold.
      for (let round = 0; round < 4; round += 1) {
        unknown.push(await timed(uniqueEmail('nobody')));
        known.push(await timed(user.email));
      }
      const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
      // Both are dominated by one argon2 verification; a skipped verification would be 10x faster.
      expect(median(unknown)).toBeGreaterThan(median(known) * 0.5);
      expect(median(known)).toBeGreaterThan(median(unknown) * 0.5);
    });

    it('answers 400 for a malformed body, never 500', async () => {
      await testApp.http.post('/v1/auth/login').send({ email: 'a@b.co' }).expect(400);
      await testApp.http.post('/v1/auth/login').send({ email: 'a@b.co', password: 'x', otp: 123456 }).expect(400);
      await testApp.http
        .post('/v1/auth/login')
        .send({ email: 'a@b.co', password: 'p'.repeat(257) })
        .expect(400);
    });

    it('refuses an invalid bearer token even on this public route', async () => {
      const user = await createUser(testApp, { roles: ['buyer'] });
      const response = await testApp.http
        .post('/v1/auth/login')
        .set('Authorization', 'Bearer not-a-token')
        .send({ email: user.email, password: user.password })
        .expect(401);
      expect(response.body.type).toBe('https://problems.b2b-commerce.example/invalid-credential');
    });

    it('records successes and failures in the audit trail, without the password', async () => {
      const user = await createUser(testApp, { roles: ['buyer'] });
      const wrong = `${user.password}-wrong`;
      await testApp.http.post('/v1/auth/login').send({ email: user.email, password: wrong }).expect(401);
      const events: { action: string; outcome: string; details: unknown }[] = await dataSource.query(
        `SELECT action, outcome, details FROM audit_events WHERE resource_id = $1 ORDER BY occurred_at`,
        [user.id],
      );
      expect(events.map(({ action, outcome }) => `${action}:${outcome}`)).toEqual([
        'auth.login_succeeded:success',
        'auth.login_failed:failure',
      ]);
      expect(events[1].details).toMatchObject({ reason: 'wrong_password' });
      expect(JSON.stringify(events)).not.toContain(wrong);
      expect(JSON.stringify(events)).not.toContain(user.password);
    });
  });
});

describe('auth lockout', () => {
  const MAX_FAILURES = 3;
  const LOCKOUT_SECONDS = 2;
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp({
      LOGIN_MAX_FAILURES: String(MAX_FAILURES),
      LOGIN_LOCKOUT_SECONDS: String(LOCKOUT_SECONDS),
    });
  });
  afterAll(() => testApp.close());

  const attempt = (email: string, password: string) => testApp.http.post('/v1/auth/login').send({ email, password });

  it('locks after N consecutive failures, answering exactly like a wrong password, and unlocks after the time', async () => {
    const user = await createUser(testApp, { roles: ['buyer'] });
    const failures = [];
    for (let i = 0; i < MAX_FAILURES; i += 1) failures.push(await attempt(user.email, `wrong-${i}-${user.password}`));
    const locked = await attempt(user.email, user.password);
    const unknown = await attempt(uniqueEmail('nobody'), user.password);
    for (const response of [...failures, locked, unknown]) {
      expect(response.status).toBe(401);
      expect(comparable(response.body)).toEqual(comparable(unknown.body));
    }

    await new Promise((resolve) => setTimeout(resolve, LOCKOUT_SECONDS * 1000 + 300));
    expect((await attempt(user.email, user.password)).status).toBe(200);
  });

  it('counts consecutive failures only: a success resets the count', async () => {
    const user = await createUser(testApp, { roles: ['buyer'] });
    for (let round = 0; round < 2; round += 1) {
      for (let i = 0; i < MAX_FAILURES - 1; i += 1)
        expect((await attempt(user.email, 'wrong but long enough')).status).toBe(401);
      expect((await attempt(user.email, user.password)).status).toBe(200);
    }
  });

  it('locks one account only', async () => {
    const locked = await createUser(testApp, { roles: ['buyer'] });
    const other = await createUser(testApp, { roles: ['buyer'], organizationId: locked.organizationId ?? undefined });
    for (let i = 0; i < MAX_FAILURES; i += 1) await attempt(locked.email, 'wrong but long enough');
    expect((await attempt(locked.email, locked.password)).status).toBe(401);
    expect((await attempt(other.email, other.password)).status).toBe(200);
  });

  (onRealDatabase ? it : it.skip)(
    'counts concurrent failures atomically: N parallel wrong passwords lock the account (needs the real server)',
    async () => {
      const user = await createUser(testApp, { roles: ['buyer'] });
      const responses = await Promise.all(
        Array.from({ length: MAX_FAILURES }, (_, i) => attempt(user.email, `parallel-wrong-${i}-password`)),
      );
      expect(responses.map((response) => response.status)).toEqual(Array(MAX_FAILURES).fill(401));
      expect((await attempt(user.email, user.password)).status).toBe(401);
    },
  );
});

describe('auth rate limit', () => {
  const LIMIT = 3;
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp({ AUTH_RATE_LIMIT_MAX: String(LIMIT) });
  });
  afterAll(() => testApp.close());

  it('limits auth routes per client IP more strictly than the rest; a spoofed X-Forwarded-For changes nothing', async () => {
    const body = { email: uniqueEmail('nobody'), password: 'wrong but long enough' };
    for (let i = 0; i < LIMIT; i += 1) await testApp.http.post('/v1/auth/login').send(body).expect(401);
    const limited = await testApp.http
      .post('/v1/auth/login')
      .set('X-Forwarded-For', `203.0.113.${Math.floor(Math.random() * 200)}`)
      .send(body)
      .expect(429);
    expect(limited.headers['retry-after']).toBeDefined();
    expect(limited.headers['content-type']).toContain(PROBLEM);

    for (let i = 0; i < LIMIT + 2; i += 1) await testApp.http.get('/health/live').expect(200);
  });
});

describe('registration disabled', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp({ SIGNUP_ENABLED: 'false' });
  });
  afterAll(() => testApp.close());

  it('answers 404 signup-disabled and creates nothing', async () => {
    const body = registration();
    const response = await testApp.http.post('/v1/auth/register').send(body).expect(404);
    expect(response.body.type).toBe('https://problems.b2b-commerce.example/signup-disabled');
    const [row] = await testApp.app
      .get(DataSource)
      .query('SELECT count(*) AS n FROM users WHERE lower(email) = lower($1)', [body.email]);
    expect(Number(row.n)).toBe(0);
  });
});

describe('secrets in logs', () => {
  afterAll(() => killAppProcesses());

  it('never writes a password, hash or token to the log, at debug level, through register, login, refresh, reuse and logout', async () => {
    const app = AppProcess.spawn({
      ...testAppEnvironment(),
      LOG_LEVEL: 'debug',
      PORT: '0',
      HOST: '127.0.0.1',
    });
    const listening = await app.waitForLog(/^Listening on /);
    const baseUrl = /^Listening on (http:\/\/\S+)/.exec(listening.msg)?.[1] ?? '';
    const post = async (path: string, body: object, headers: Record<string, string> = {}) => {
      const response = await fetch(`${baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      const answer = response.status === 204 ? {} : ((await response.json()) as Partial<Session>);
      return { status: response.status, body: { accessToken: '', refreshToken: '', ...answer } };
    };

    const account = registration();
    const wrongPassword = `${account.password}-but-wrong`;
    expect((await post('/v1/auth/register', account)).status).toBe(201);
    const first = await post('/v1/auth/login', { email: account.email, password: account.password });
    expect(first.status).toBe(200);
    expect((await post('/v1/auth/login', { email: account.email, password: wrongPassword })).status).toBe(401);
    expect((await post('/v1/auth/login', { email: uniqueEmail('nobody'), password: wrongPassword })).status).toBe(401);
    const me = await fetch(`${baseUrl}/v1/me`, { headers: { authorization: `Bearer ${first.body.accessToken}` } });
    expect(me.status).toBe(200);
    const second = await post('/v1/auth/refresh', { refreshToken: first.body.refreshToken });
    expect(second.status).toBe(200);
    expect((await post('/v1/auth/refresh', { refreshToken: first.body.refreshToken })).status).toBe(401);
    const third = await post('/v1/auth/login', { email: account.email, password: account.password });
    expect((await post('/v1/auth/logout', { refreshToken: third.body.refreshToken })).status).toBe(204);
    const tampered = `${third.body.accessToken.slice(0, -4)}AAAA`;
    expect((await post('/v1/auth/logout', { refreshToken: 'x' }, { authorization: `Bearer ${tampered}` })).status).toBe(
      401,
    );

    const {
      rows: [stored],
    } = await withDatabase((client) =>
      client.query('SELECT id, password_hash FROM users WHERE lower(email) = lower($1)', [account.email]),
    );
    // Let the last lines reach the pipe.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const output = app.stdout + app.stderr;

    expect(output).toContain('"level":20');
    expect(output).toContain('auth.login_failed');
    expect(output).toContain('auth.token_refreshed');
    expect(output).toContain('auth.refresh_token_reused');
    expect(output).toContain(stored.id);
    const secrets = {
      password: account.password,
      wrongPassword,
      passwordHash: stored.password_hash,
      hashDigest: String(stored.password_hash).split('$').at(-1),
      ...Object.fromEntries(
        [first, second, third].flatMap((pair, i) => [
          [`accessToken${i}`, pair.body.accessToken],
          [`accessSignature${i}`, String(pair.body.accessToken).split('.')[2]],
          [`refreshToken${i}`, pair.body.refreshToken],
          [`refreshTokenHash${i}`, refreshTokenHash(pair.body.refreshToken)],
        ]),
      ),
    };
    for (const [name, secret] of Object.entries(secrets)) {
      expect({ name, found: output.includes(secret) }).toEqual({ name, found: false });
    }
  });
});
