import { DataSource } from 'typeorm';
import { AuditEvent } from '../src/audit/audit-event.entity';
import { bearer, createUser, strongPassword, type TestUser } from './support/identity';
import { onRealDatabase, startTestApp, type TestApp } from './support/test-app';

const PROBLEM_BASE = 'https://problems.b2b-commerce.example/';

describe('/v1/me', () => {
  let testApp: TestApp;
  let database: DataSource;

  const login = (email: string, password: string) => testApp.http.post('/v1/auth/login').send({ email, password });
  const changePassword = (user: TestUser, body: Record<string, unknown>) =>
    testApp.http.post('/v1/me/password').set(bearer(user)).send(body);
  const liveRefreshTokens = async (userId: string) =>
    (
      await database.query<unknown[]>('SELECT 1 FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL', [
        userId,
      ])
    ).length;
  const eventsFor = (userId: string) =>
    database.getRepository(AuditEvent).find({ where: { resourceId: userId }, order: { occurredAt: 'ASC' } });

  beforeAll(async () => {
    testApp = await startTestApp();
    database = testApp.app.get(DataSource);
  });
  afterAll(() => testApp.close());

  describe('GET /v1/me', () => {
    it('shows the caller their own profile and nothing secret', async () => {
      const user = await createUser(testApp, { roles: ['org_admin', 'buyer'], displayName: 'Ada Buyer' });
      const response = await testApp.http.get('/v1/me').set(bearer(user)).expect(200);
      expect(response.body).toEqual({
        id: user.id,
        email: user.email,
        displayName: 'Ada Buyer',
        roles: ['org_admin', 'buyer'],
        organizationId: user.organizationId,
        mfaEnabled: false,
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      });
    });

    it('shows staff no organization', async () => {
      const auditor = await createUser(testApp, { roles: ['auditor'] });
      const response = await testApp.http.get('/v1/me').set(bearer(auditor)).expect(200);
      expect(response.body).toMatchObject({ id: auditor.id, roles: ['auditor'], organizationId: null });
    });

    it('answers an API key with the profile of the user it acts for', async () => {
      const user = await createUser(testApp, { roles: ['buyer'] });
      const created = await testApp.http
        .post('/v1/api-keys')
        .set(bearer(user))
        .send({ name: 'machine', roles: ['buyer'] })
        .expect(201);
      const response = await testApp.http.get('/v1/me').set('X-API-Key', created.body.key).expect(200);
      expect(response.body).toMatchObject({ id: user.id, email: user.email });
    });

    it('is 401 without a credential and with a bad one', async () => {
      const anonymous = await testApp.http.get('/v1/me').expect(401);
      expect(anonymous.body.type).toBe(`${PROBLEM_BASE}authentication-required`);
      await testApp.http.get('/v1/me').set({ Authorization: 'Bearer not.a.token' }).expect(401);
      await testApp.http.get('/v1/me').set('X-API-Key', 'bk_nothing_here').expect(401);
    });
  });

  describe('POST /v1/me/password', () => {
    it('changes the password: the old one stops working, every session ends, the new one signs in', async () => {
      const user = await createUser(testApp, { roles: ['buyer'] });
      const otherSession = (await login(user.email, user.password).expect(200)).body;
      const newPassword = strongPassword();

      await changePassword(user, { currentPassword: user.password, newPassword }).expect(204);

      expect(await liveRefreshTokens(user.id)).toBe(0);
      const oldPassword = await login(user.email, user.password).expect(401);
      expect(oldPassword.body.type).toBe(`${PROBLEM_BASE}invalid-credentials`);
      for (const session of [user, otherSession]) {
        await testApp.http.post('/v1/auth/refresh').send({ refreshToken: session.refreshToken }).expect(401);
        await testApp.http.get('/v1/me').set(bearer(session)).expect(401);
      }
      const fresh = await login(user.email, newPassword).expect(200);
      await testApp.http.get('/v1/me').set(bearer(fresh.body)).expect(200);

      const [row] = await database.query<{ password_hash: string; password_changed_at: Date }[]>(
        'SELECT password_hash, password_changed_at FROM users WHERE id = $1',
        [user.id],
      );
      expect(row.password_hash).toMatch(/^\$argon2id\$/);
      expect(Date.now() - row.password_changed_at.getTime()).toBeLessThan(60_000);
      const changed = (await eventsFor(user.id)).filter((event) => event.action === 'user.password_changed');
      expect(changed).toHaveLength(1);
      expect(changed[0]).toMatchObject({ actorId: user.id, outcome: 'success' });
      expect(JSON.stringify(changed)).not.toContain(newPassword);
      expect(JSON.stringify(changed)).not.toContain(row.password_hash);
    });

    it('refuses a wrong current password (400, named field) and changes nothing', async () => {
      const user = await createUser(testApp, { roles: ['buyer'] });
      const response = await changePassword(user, {
        currentPassword: `${user.password}-not`,
        newPassword: strongPassword(),
      }).expect(400);
      expect(response.body.type).toBe(`${PROBLEM_BASE}current-password-incorrect`);
      expect(response.body.errors).toEqual([{ field: 'currentPassword', message: 'is incorrect' }]);
      await login(user.email, user.password).expect(200);
      expect(await liveRefreshTokens(user.id)).toBe(2);
      await testApp.http.post('/v1/auth/refresh').send({ refreshToken: user.refreshToken }).expect(200);
      const failed = (await eventsFor(user.id)).filter((event) => event.action === 'user.reauthentication_failed');
      expect(failed).toHaveLength(1);
      expect(failed[0].outcome).toBe('failure');
    });

    it('locks the account after repeated wrong current passwords, like failed logins', async () => {
      const user = await createUser(testApp, { roles: ['buyer'] });
      for (let attempt = 0; attempt < testApp.environment.LOGIN_MAX_FAILURES; attempt += 1) {
        await changePassword(user, { currentPassword: `wrong-${attempt}`, newPassword: strongPassword() }).expect(400);
      }
      await changePassword(user, { currentPassword: user.password, newPassword: strongPassword() }).expect(400);
      await login(user.email, user.password).expect(401);
    });

    it.each([
      ['too short', () => 'short-pass', /at least 15 characters/],
      ['a repeated pattern', () => 'passwordpassword', /too easy to guess/],
      ['a keyboard walk', () => 'qwertyuiopasdfgh', /too easy to guess/],
      ['the email', (user: TestUser) => user.email, /too close to your email/],
      ['the email with a suffix', (user: TestUser) => `${user.email}!`, /too close to your email/],
      ['the service name', () => 'b2b-commerce-backend', /name of this service/],
      ['longer than 256 characters', () => 'x'.repeat(257), /256/],
    ])('refuses a new password that is %s, with the reason', async (_case, newPassword, reason) => {
      const user = await createUser(testApp, { roles: ['buyer'] });
      const response = await changePassword(user, { currentPassword: user.password, newPassword: newPassword(user) });
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([
        { field: expect.stringMatching(/^(newPassword|password)$/), message: expect.stringMatching(reason) },
      ]);
      expect(JSON.stringify(response.body)).not.toContain(user.password);
      await login(user.email, user.password).expect(200);
    });

    it('refuses a password built from the organization name', async () => {
      const user = await createUser(testApp, { roles: ['buyer'] });
      const [organization] = await database.query<{ name: string }[]>('SELECT name FROM organizations WHERE id = $1', [
        user.organizationId,
      ]);
      const response = await changePassword(user, {
        currentPassword: user.password,
        newPassword: `${organization.name}!`,
      }).expect(400);
      expect(response.body.type).toBe(`${PROBLEM_BASE}weak-password`);
    });

    it.each([
      [{}],
      [{ currentPassword: 'x' }],
      [{ newPassword: strongPassword() }],
      [{ currentPassword: '', newPassword: strongPassword() }],
      [{ currentPassword: 42, newPassword: strongPassword() }],
    ])('refuses the malformed body %j', async (body) => {
      const user = await createUser(testApp, { roles: ['buyer'] });
      const response = await changePassword(user, body).expect(400);
      expect(response.body.errors.length).toBeGreaterThan(0);
    });

    it('is 401 without a credential, 403 with an API key', async () => {
      const user = await createUser(testApp, { roles: ['buyer'] });
      const body = { currentPassword: user.password, newPassword: strongPassword() };
      await testApp.http.post('/v1/me/password').send(body).expect(401);
      const created = await testApp.http
        .post('/v1/api-keys')
        .set(bearer(user))
        .send({ name: 'machine', roles: ['buyer'] })
        .expect(201);
      const response = await testApp.http.post('/v1/me/password').set('X-API-Key', created.body.key).send(body);
      expect(response.status).toBe(403);
      expect(response.body.type).toBe(`${PROBLEM_BASE}user-session-required`);
      await login(user.email, user.password).expect(200);
    });

    (onRealDatabase ? it : it.skip)(
      'applies one of two concurrent changes with the same current password (needs the real PostgreSQL server)',
      async () => {
        const user = await createUser(testApp, { roles: ['buyer'] });
        const candidates = [strongPassword(), strongPassword()];
        const responses = await Promise.all(
          candidates.map((newPassword) => changePassword(user, { currentPassword: user.password, newPassword })),
        );
        expect(responses.filter((response) => response.status === 204)).toHaveLength(1);
        const statuses = responses.map((response) => response.status).sort();
        expect([
          [204, 400],
          [204, 409],
        ]).toContainEqual(statuses);
        const signIns = await Promise.all(candidates.map((candidate) => login(user.email, candidate)));
        expect(signIns.map((response) => response.status).sort()).toEqual([200, 401]);
      },
    );
  });
});
