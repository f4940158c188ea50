import { createHmac, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { refreshTokenHash, TokensService } from '../src/identity/tokens.service';
import {
  adminSession,
  bearer,
  createUser,
  login,
  type Session,
  strongPassword,
  type TestUser,
} from './support/identity';
import { withDatabase } from './support/raw-sql';
import { onRealDatabase, startTestApp, type TestApp } from './support/test-app';

const INVALID_CREDENTIAL = 'https://problems.b2b-commerce.example/invalid-credential';
const INVALID_REFRESH_TOKEN = 'https://problems.b2b-commerce.example/invalid-refresh-token';

const base64url = (value: object | string) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A JWT made by hand, so each test controls every part of it. */
function jwt(header: object, payload: object, secret: string, algorithm = 'sha256'): string {
  const unsigned = `${base64url(header)}.${base64url(payload)}`;
  return `${unsigned}.${createHmac(algorithm, secret).update(unsigned).digest('base64url')}`;
}

function decode(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('access tokens', () => {
  let testApp: TestApp;
  let user: TestUser;
  let secret: string;
  let claims: () => Record<string, unknown>;

  beforeAll(async () => {
    testApp = await startTestApp();
    user = await createUser(testApp, { roles: ['buyer'] });
    secret = testApp.environment.JWT_SECRET;
    claims = () => {
      const now = Math.floor(Date.now() / 1000);
      return {
        sub: user.id,
        roles: user.roles,
        org: user.organizationId,
        jti: randomUUID(),
        sid: randomUUID(),
        iat: now,
        exp: now + 60,
        iss: testApp.environment.JWT_ISSUER,
        aud: testApp.environment.JWT_AUDIENCE,
      };
    };
  });
  afterAll(() => testApp.close());

  const me = (token: string) => testApp.http.get('/v1/me').set('Authorization', `Bearer ${token}`);

  async function expectRefused(token: string): Promise<void> {
    const response = await me(token).expect(401);
    expect(response.body.type).toBe(INVALID_CREDENTIAL);
  }

  it('carries sub, roles, org, jti, its session (sid), iss, aud and a short lifetime, signed HS256', () => {
    const header = JSON.parse(Buffer.from(user.accessToken.split('.')[0], 'base64url').toString('utf8'));
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    const payload = decode(user.accessToken);
    expect(payload).toEqual({
      sub: user.id,
      roles: ['buyer'],
      org: user.organizationId,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      sid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      iat: expect.any(Number),
      exp: (payload.iat as number) + testApp.environment.ACCESS_TOKEN_TTL_SECONDS,
      iss: 'b2b-commerce',
      aud: 'b2b-commerce-api',
    });
  });

  it('accepts a well-formed token made by hand (the control for the refusals below)', async () => {
    await me(jwt({ alg: 'HS256', typ: 'JWT' }, claims(), secret)).expect(200);
  });

  it('refuses an expired token, saying it expired', async () => {
    const now = Math.floor(Date.now() / 1000);
    const response = await me(
      jwt({ alg: 'HS256', typ: 'JWT' }, { ...claims(), iat: now - 120, exp: now - 60 }, secret),
    ).expect(401);
    expect(response.body).toMatchObject({
      type: INVALID_CREDENTIAL,
      detail: 'The access token has expired; refresh it.',
    });
  });

  it('refuses a tampered payload (roles raised to admin, signature kept)', async () => {
    const [header, , signature] = user.accessToken.split('.');
    const payload = { ...decode(user.accessToken), roles: ['admin'], org: null };
    await expectRefused(`${header}.${base64url(payload)}.${signature}`);
  });

  it('refuses a token signed with another secret', async () => {
    await expectRefused(jwt({ alg: 'HS256', typ: 'JWT' }, claims(), `${secret}-not-ours`));
  });

  it('refuses alg none, with or without a signature', async () => {
    const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims())}`;
    await expectRefused(`${unsigned}.`);
    await expectRefused(`${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`);
  });

  it('refuses another algorithm even with the right secret (HS512)', async () => {
    await expectRefused(jwt({ alg: 'HS512', typ: 'JWT' }, claims(), secret, 'sha512'));
  });

  it('refuses a wrong issuer and a wrong audience', async () => {
    await expectRefused(jwt({ alg: 'HS256', typ: 'JWT' }, { ...claims(), iss: 'someone-else' }, secret));
    await expectRefused(jwt({ alg: 'HS256', typ: 'JWT' }, { ...claims(), aud: 'another-api' }, secret));
  });

  it('refuses a token for a user that does not exist, and a malformed subject or session', async () => {
    await expectRefused(jwt({ alg: 'HS256', typ: 'JWT' }, { ...claims(), sub: randomUUID() }, secret));
    await expectRefused(jwt({ alg: 'HS256', typ: 'JWT' }, { ...claims(), sub: "x' OR 1=1 --" }, secret));
    await expectRefused(jwt({ alg: 'HS256', typ: 'JWT' }, { ...claims(), sid: 'not-a-session' }, secret));
  });

  it.each(['exp', 'iat', 'iss', 'aud', 'sub', 'sid', 'jti'])(
    'refuses a token without %s, though signed with the real key (every token of ours carries it)',
    async (claim) => {
      const { [claim]: _omitted, ...rest } = claims();
      await expectRefused(jwt({ alg: 'HS256', typ: 'JWT' }, rest, secret));
    },
  );

  it('refuses a token meant to live longer than the access-token lifetime, though signed with the real key', async () => {
    const now = Math.floor(Date.now() / 1000);
    const lifetime = testApp.environment.ACCESS_TOKEN_TTL_SECONDS;
    await me(jwt({ alg: 'HS256', typ: 'JWT' }, { ...claims(), iat: now, exp: now + lifetime }, secret)).expect(200);
    await expectRefused(jwt({ alg: 'HS256', typ: 'JWT' }, { ...claims(), iat: now, exp: now + lifetime + 1 }, secret));
  });

  it.each([
    ['garbage', 'Bearer not.a.jwt'],
    ['another scheme', `Basic ${base64url('user:password')}`],
    ['an empty bearer', 'Bearer '],
  ])('refuses %s in Authorization with 401, not 500', async (_case, header) => {
    const response = await testApp.http.get('/v1/me').set('Authorization', header).expect(401);
    expect(response.body.type).toBe(INVALID_CREDENTIAL);
  });

  it('refuses a token of an ended session issued earlier in the very second the sessions ended, and accepts one issued after', async () => {
    const changer = await createUser(testApp, { roles: ['buyer'] });
    await testApp.http
      .post('/v1/me/password')
      .set(bearer(changer))
      .send({ currentPassword: changer.password, newPassword: strongPassword() })
      .expect(204);
    const endedAt = await withDatabase(async (client) => {
      const { rows } = await client.query<{ endedAt: Date }>(
        'SELECT sessions_ended_at AS "endedAt" FROM users WHERE id = $1',
        [changer.id],
      );
      return rows[0].endedAt.getTime();
    });
    const tokenIssuedAt = (milliseconds: number) =>
      jwt(
        { alg: 'HS256', typ: 'JWT' },
        { ...claims(), sub: changer.id, iat: milliseconds / 1000, exp: milliseconds / 1000 + 60 },
        secret,
      );

    await expectRefused(tokenIssuedAt(endedAt - 1));
    await me(tokenIssuedAt(endedAt + 1)).expect(200);
  });

  it('refuses an unknown API key, and a request carrying both a bearer token and an API key', async () => {
    await testApp.http.get('/v1/me').set('X-API-Key', 'not-a-key').expect(401);
    const both = await testApp.http.get('/v1/me').set(bearer(user)).set('X-API-Key', 'not-a-key').expect(401);
    expect(both.body.detail).toBe('Send either a bearer token or an X-API-Key, not both.');
  });

  it('leaves anonymous callers anonymous: no credential on an authenticated route is 401 authentication-required', async () => {
    const response = await testApp.http.get('/v1/me').expect(401);
    expect(response.body.type).toBe('https://problems.b2b-commerce.example/authentication-required');
  });

  it("stops a disabled user's access token at once, and their refresh token, for good: enabling them again brings neither back", async () => {
    const admin = await adminSession(testApp);
    const victim = await createUser(testApp, { roles: ['buyer'] });
    await me(victim.accessToken).expect(200);
    await testApp.http.patch(`/v1/users/${victim.id}`).set(bearer(admin)).send({ disabled: true }).expect(200);
    await expectRefused(victim.accessToken);
    await testApp.http.post('/v1/auth/refresh').send({ refreshToken: victim.refreshToken }).expect(401);

    await testApp.http.patch(`/v1/users/${victim.id}`).set(bearer(admin)).send({ disabled: false }).expect(200);
    await expectRefused(victim.accessToken);
    await testApp.http.post('/v1/auth/refresh').send({ refreshToken: victim.refreshToken }).expect(401);
    await login(testApp, victim.email, victim.password);
  });
});

describe('refresh tokens', () => {
  let testApp: TestApp;
  let dataSource: DataSource;

  beforeAll(async () => {
    testApp = await startTestApp();
    dataSource = testApp.app.get(DataSource);
  });
  afterAll(() => testApp.close());

  const refresh = (refreshToken: string) => testApp.http.post('/v1/auth/refresh').send({ refreshToken });
  const logout = (refreshToken: string) => testApp.http.post('/v1/auth/logout').send({ refreshToken });

  async function expectRefused(refreshToken: string): Promise<void> {
    const response = await refresh(refreshToken).expect(401);
    expect(response.body.type).toBe(INVALID_REFRESH_TOKEN);
  }

  it('stores only the SHA-256 of a refresh token', async () => {
    const user = await createUser(testApp, { roles: ['buyer'] });
    const rows: { token_hash: string }[] = await dataSource.query(
      'SELECT token_hash FROM refresh_tokens WHERE user_id = $1',
      [user.id],
    );
    expect(rows).toEqual([{ token_hash: refreshTokenHash(user.refreshToken) }]);
    expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rotates: a refresh answers a new pair, and the old refresh token is spent', async () => {
    const user = await createUser(testApp, { roles: ['buyer'] });
    const response = await refresh(user.refreshToken).expect(200);
    expect(response.body).toEqual({
      accessToken: expect.any(String),
      refreshToken: expect.stringMatching(/^[\w-]{43}$/),
      tokenType: 'Bearer',
      expiresIn: testApp.environment.ACCESS_TOKEN_TTL_SECONDS,
    });
    expect(response.body.refreshToken).not.toBe(user.refreshToken);
    expect(decode(response.body.accessToken).jti).not.toBe(decode(user.accessToken).jti);
    await testApp.http.get('/v1/me').set(bearer(response.body)).expect(200);

    const next = await refresh(response.body.refreshToken).expect(200);
    expect(next.body.refreshToken).not.toBe(response.body.refreshToken);

    // One session throughout, and rotation does not lengthen it: every token of it ends when the first did.
    const session = decode(user.accessToken).sid;
    expect([response.body, next.body].map((pair) => decode(pair.accessToken).sid)).toEqual([session, session]);
    const ends: { expires_at: Date }[] = await dataSource.query(
      'SELECT DISTINCT expires_at FROM refresh_tokens WHERE family_id = $1',
      [session],
    );
    expect(ends).toHaveLength(1);
    const another = await login(testApp, user.email, user.password);
    expect(decode(another.accessToken).sid).not.toBe(session);
  });

  it('detects reuse: a spent token is refused and revokes every token of that login, not the others', async () => {
    const user = await createUser(testApp, { roles: ['buyer'] });
    const otherLogin = await login(testApp, user.email, user.password);
    const rotated = (await refresh(user.refreshToken).expect(200)).body as Session;

    await expectRefused(user.refreshToken);
    await expectRefused(rotated.refreshToken);
    await refresh(otherLogin.refreshToken).expect(200);

    const events: { action: string; outcome: string }[] = await dataSource.query(
      `SELECT action, outcome FROM audit_events WHERE resource_id = $1 AND action LIKE 'auth.%' ORDER BY occurred_at`,
      [user.id],
    );
    expect(events).toEqual(
      expect.arrayContaining([
        { action: 'auth.token_refreshed', outcome: 'success' },
        { action: 'auth.refresh_token_reused', outcome: 'denied' },
      ]),
    );
  });

  it('refuses an unknown and an expired refresh token without revoking anything', async () => {
    const user = await createUser(testApp, { roles: ['buyer'] });
    await expectRefused('A'.repeat(43));

    const second = await login(testApp, user.email, user.password);
    // Time passes: the first login's token reaches its expiry.
    await dataSource.query(`UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = $1`, [
      refreshTokenHash(user.refreshToken),
    ]);
    await expectRefused(user.refreshToken);
    await refresh(second.refreshToken).expect(200);
  });

  it('logout revokes the login (204), is silent for unknown tokens and repeats harmlessly', async () => {
    const user = await createUser(testApp, { roles: ['buyer'] });
    const rotated = (await refresh(user.refreshToken).expect(200)).body as Session;
    await logout(rotated.refreshToken).expect(204);
    await expectRefused(rotated.refreshToken);
    await logout(rotated.refreshToken).expect(204);
    await logout('B'.repeat(43)).expect(204);
    await logout(user.refreshToken).expect(204);
  });

  it('answers 400 for a malformed body, on refresh and logout', async () => {
    for (const path of ['/v1/auth/refresh', '/v1/auth/logout']) {
      await testApp.http.post(path).send({}).expect(400);
      await testApp.http.post(path).send({ refreshToken: 42 }).expect(400);
      await testApp.http
        .post(path)
        .send({ refreshToken: 'x'.repeat(257) })
        .expect(400);
    }
  });

  it('endSessions (password change, disabling) ends every login of the user', async () => {
    const user = await createUser(testApp, { roles: ['buyer'] });
    const second = await login(testApp, user.email, user.password);
    await testApp.app.get(TokensService).endSessions(user.id);
    await expectRefused(user.refreshToken);
    await expectRefused(second.refreshToken);
  });

  (onRealDatabase ? it : it.skip)(
    '10 concurrent refreshes with one token: exactly one wins; the losers revoke the family (strict reuse detection; needs the real server)',
    async () => {
      const user = await createUser(testApp, { roles: ['buyer'] });
      const responses = await Promise.all(Array.from({ length: 10 }, () => refresh(user.refreshToken)));
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses).toEqual([200, ...Array(9).fill(401)]);
      const winner = responses.find((response) => response.status === 200);
      // The losers presented a spent token: reuse, so the winner's new token went with the family.
      await expectRefused((winner?.body as Session).refreshToken);
    },
  );
});

describe('session lifetime', () => {
  /** Long enough that no rotation below can reach it on any machine; its end is reached by moving the login back. */
  const LIFETIME_S = 3_600;
  const ROTATIONS = 3;
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp({ SESSION_ABSOLUTE_LIFETIME_SECONDS: String(LIFETIME_S) });
  });
  afterAll(() => testApp.close());

  const refresh = (refreshToken: string) => testApp.http.post('/v1/auth/refresh').send({ refreshToken });

  it('ends a login at its absolute lifetime, however often it rotated; a new login starts a new one', async () => {
    const user = await createUser(testApp, { roles: ['buyer'] });
    const session = decode(user.accessToken).sid;
    let refreshToken = user.refreshToken;
    for (let rotation = 0; rotation < ROTATIONS; rotation += 1) {
      refreshToken = (await refresh(refreshToken).expect(200)).body.refreshToken;
    }

    const database = testApp.app.get(DataSource);
    const tokens: { created_at: Date; expires_at: Date }[] = await database.query(
      'SELECT created_at, expires_at FROM refresh_tokens WHERE family_id = $1 ORDER BY created_at',
      [session],
    );
    expect(tokens).toHaveLength(ROTATIONS + 1);
    // Every token of the login ends when the login does, LIFETIME_S after it began: rotating extends nothing.
    const end = tokens[0].expires_at.getTime();
    expect(tokens.every((token) => token.expires_at.getTime() === end)).toBe(true);
    expect(Math.abs(end - tokens[0].created_at.getTime() - LIFETIME_S * 1000)).toBeLessThan(1000);

    // The clock reaches the login's end: the database's now() is what refusals go by, so the login moves back.
    await database.query(
      `UPDATE refresh_tokens
          SET created_at = created_at - make_interval(secs => $2), expires_at = expires_at - make_interval(secs => $2),
              session_expires_at = session_expires_at - make_interval(secs => $2)
        WHERE family_id = $1`,
      [session, LIFETIME_S],
    );
    const refusal = await refresh(refreshToken);
    expect({ status: refusal.status, type: refusal.body.type }).toEqual({ status: 401, type: INVALID_REFRESH_TOKEN });

    const fresh = await login(testApp, user.email, user.password);
    await refresh(fresh.refreshToken).expect(200);
  });
});
