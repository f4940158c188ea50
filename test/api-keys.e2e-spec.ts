import { createHash, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ApiKeysService } from '../src/identity/api-keys.service';
import { ApiKey } from '../src/identity/entities/api-key.entity';
import { AppProcess, killAppProcesses, testAppEnvironment } from './support/app-process';
import { adminSession, bearer, createUser, strongPassword, type TestUser, uniqueEmail } from './support/identity';
import { auditEventsAbout } from './support/audit-trail';
import { idsOf } from './support/pages';
import { withDatabase } from './support/raw-sql';
import { onRealDatabase, startTestApp, type TestApp } from './support/test-app';

const KEY_FORMAT = /^bk_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/;

describe('API keys', () => {
  let testApp: TestApp;
  let admin: TestUser;
  let orgAdmin: TestUser;
  let buyer: TestUser;

  const createKey = async (owner: TestUser, body: Record<string, unknown> = {}) =>
    (
      await testApp.http
        .post('/v1/api-keys')
        .set(bearer(owner))
        .send({ name: 'integration', roles: owner.roles, ...body })
        .expect(201)
    ).body as { id: string; key: string; prefix: string };
  const storedKey = (id: string) => testApp.app.get(DataSource).getRepository(ApiKey).findOneByOrFail({ id });
  const eventsFor = (resourceId: string) => auditEventsAbout(testApp, resourceId);

  beforeAll(async () => {
    testApp = await startTestApp();
    admin = await adminSession(testApp);
    orgAdmin = await createUser(testApp, { roles: ['org_admin', 'buyer'] });
    buyer = await createUser(testApp, { roles: ['buyer'], organizationId: orgAdmin.organizationId ?? undefined });
  });
  afterAll(() => testApp.close());

  describe('creation', () => {
    it('shows the key once, stores only its SHA-256, and lists it by prefix without the secret', async () => {
      const response = await testApp.http
        .post('/v1/api-keys')
        .set(bearer(buyer))
        .send({ name: 'ERP sync', roles: ['buyer'] })
        .expect(201);
      const { key, ...listed } = response.body as { key: string; id: string };
      expect(key).toMatch(KEY_FORMAT);
      expect(listed).toEqual({
        id: expect.any(String),
        name: 'ERP sync',
        prefix: key.slice(0, 15),
        userId: buyer.id,
        organizationId: buyer.organizationId,
        roles: ['buyer'],
        expiresAt: null,
        lastUsedAt: null,
        revokedAt: null,
        createdAt: expect.any(String),
      });
      const stored = await storedKey(listed.id);
      expect(stored.secretHash).toBe(createHash('sha256').update(key).digest('hex'));

      const list = await testApp.http.get('/v1/api-keys').set(bearer(buyer)).expect(200);
      expect(list.body.items).toContainEqual(listed);
      expect(JSON.stringify(list.body)).not.toContain(key.slice(16));
      const [event] = await eventsFor(listed.id);
      expect(event).toMatchObject({ action: 'api_key.created', actorId: buyer.id });
      expect(JSON.stringify(event)).not.toContain(key.slice(16));
      expect(JSON.stringify(event)).not.toContain(stored.secretHash);
    });

    it('makes every key different', async () => {
      const keys = await Promise.all([1, 2, 3].map(() => createKey(buyer)));
      expect(new Set(keys.map((created) => created.key)).size).toBe(3);
      expect(new Set(keys.map((created) => created.prefix)).size).toBe(3);
    });

    it.each([
      ['a role the creator does not hold', ['org_admin'], 403],
      ['a staff role', ['admin'], 403],
    ])('refuses %s with %i', async (_what, roles, status) => {
      await testApp.http.post('/v1/api-keys').set(bearer(buyer)).send({ name: 'x', roles }).expect(status);
    });

    it.each([
      ['no roles', { name: 'x', roles: [] }],
      ['an unknown role', { name: 'x', roles: ['root'] }],
      ['no name', { roles: ['buyer'] }],
      ['a blank name', { name: ' ', roles: ['buyer'] }],
      ['a name with a NUL', { name: 'a\u0000b', roles: ['buyer'] }],
      ['an expiry in the past', { name: 'x', roles: ['buyer'], expiresAt: '2020-01-01T00:00:00Z' }],
      ['an expiry that is no date', { name: 'x', roles: ['buyer'], expiresAt: 'tomorrow' }],
    ])('refuses %s with 400', async (_what, body) => {
      await testApp.http.post('/v1/api-keys').set(bearer(buyer)).send(body).expect(400);
    });

    it('refuses a request authenticated by an API key creating another key with 403', async () => {
      const { key } = await createKey(buyer);
      await testApp.http
        .post('/v1/api-keys')
        .set('X-API-Key', key)
        .send({ name: 'spawn', roles: ['buyer'] })
        .expect(403);
    });
  });

  describe('authentication', () => {
    it('acts for its user with only its own roles', async () => {
      const { key } = await createKey(orgAdmin, { roles: ['buyer'] });
      // org_admin may list users; this key holds only buyer.
      await testApp.http.get('/v1/users').set(bearer(orgAdmin)).expect(200);
      await testApp.http.get('/v1/users').set('X-API-Key', key).expect(403);
      await testApp.http.get(`/v1/organizations/${orgAdmin.organizationId}`).set('X-API-Key', key).expect(200);
    });

    it('loses the roles its user loses', async () => {
      const user = await createUser(testApp, { roles: ['org_admin', 'buyer'] });
      const { key } = await createKey(user, { roles: ['org_admin'] });
      await testApp.http.get('/v1/users').set('X-API-Key', key).expect(200);
      await testApp.http
        .patch(`/v1/users/${user.id}`)
        .set(bearer(admin))
        .send({ roles: ['buyer'] })
        .expect(200);
      // Its only role is gone: the key no longer authenticates at all.
      await testApp.http.get('/v1/users').set('X-API-Key', key).expect(401);
    });

    it.each([
      ['garbage', 'nonsense'],
      ['an unknown key of the right shape', `bk_${'a'.repeat(12)}_${'A'.repeat(43)}`],
    ])('refuses %s with 401', async (_what, key) => {
      const response = await testApp.http.get('/v1/organizations').set('X-API-Key', key).expect(401);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    });

    it('refuses a known prefix with a wrong secret', async () => {
      const { key } = await createKey(buyer);
      const tampered = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
      await testApp.http.get('/v1/organizations').set('X-API-Key', tampered).expect(401);
    });

    it('refuses an expired key', async () => {
      const { id, key } = await createKey(buyer, { expiresAt: new Date(Date.now() + 60_000).toISOString() });
      await testApp.http.get('/v1/organizations').set('X-API-Key', key).expect(200);
      await testApp.app
        .get(DataSource)
        .getRepository(ApiKey)
        .update({ id }, { expiresAt: new Date(Date.now() - 1000) });
      await testApp.http.get('/v1/organizations').set('X-API-Key', key).expect(401);
    });

    it('records the last use at most once a minute, without the request waiting for it', async () => {
      const { id, key } = await createKey(buyer);
      await testApp.http.get('/v1/organizations').set('X-API-Key', key).expect(200);
      await testApp.app.get(ApiKeysService).beforeApplicationShutdown();
      const first = (await storedKey(id)).lastUsedAt;
      expect(first).toBeInstanceOf(Date);
      await Promise.all([1, 2, 3].map(() => testApp.http.get('/v1/organizations').set('X-API-Key', key).expect(200)));
      await testApp.app.get(ApiKeysService).beforeApplicationShutdown();
      expect((await storedKey(id)).lastUsedAt).toEqual(first);
    });

    it('attributes a write made with a key to the key in the audit trail', async () => {
      const { id: keyId, key } = await createKey(orgAdmin, { roles: ['org_admin'] });
      const created = await testApp.http
        .post('/v1/users')
        .set('X-API-Key', key)
        .send({
          email: `${randomUUID()}@test.example.com`,
          displayName: 'Via key',
          password: `pw-${randomUUID()}`,
          roles: ['buyer'],
        })
        .expect(201);
      const [event] = await eventsFor(created.body.id);
      expect(event).toMatchObject({
        action: 'user.created',
        actorType: 'api_key',
        actorId: orgAdmin.id,
        actorApiKeyId: keyId,
      });
    });
  });

  describe('revocation and visibility', () => {
    it('revokes with 204: the key stops working at once; revoking it again is 404 and changes nothing', async () => {
      const { id, key } = await createKey(buyer);
      await testApp.http.get('/v1/organizations').set('X-API-Key', key).expect(200);
      await testApp.http.delete(`/v1/api-keys/${id}`).set(bearer(buyer)).expect(204);
      await testApp.http.get('/v1/organizations').set('X-API-Key', key).expect(401);
      const again = await testApp.http.delete(`/v1/api-keys/${id}`).set(bearer(buyer)).expect(404);
      expect(again.body.type).toBe('https://problems.b2b-commerce.example/not-found');
      expect((await eventsFor(id)).map((event) => event.action)).toEqual(['api_key.created', 'api_key.revoked']);
      const listed = await testApp.http.get('/v1/api-keys').set(bearer(buyer)).query({ limit: 100 }).expect(200);
      expect(listed.body.items).toContainEqual(expect.objectContaining({ id, revokedAt: expect.any(String) }));
    });

    it("lets an org_admin see and revoke its organization's keys, but not a buyer another's", async () => {
      const buyerKey = await createKey(buyer);
      const colleague = await createUser(testApp, {
        roles: ['buyer'],
        organizationId: orgAdmin.organizationId ?? undefined,
      });
      const colleagueKey = await createKey(colleague);

      const byOrgAdmin = await testApp.http.get('/v1/api-keys').set(bearer(orgAdmin)).query({ limit: 100 }).expect(200);
      const seen = idsOf(byOrgAdmin.body);
      expect(seen).toEqual(expect.arrayContaining([buyerKey.id, colleagueKey.id]));

      const byBuyer = await testApp.http.get('/v1/api-keys').set(bearer(buyer)).query({ limit: 100 }).expect(200);
      expect(idsOf(byBuyer.body)).not.toContain(colleagueKey.id);
      await testApp.http.delete(`/v1/api-keys/${colleagueKey.id}`).set(bearer(buyer)).expect(404);
      await testApp.http.delete(`/v1/api-keys/${colleagueKey.id}`).set(bearer(orgAdmin)).expect(204);
    });

    it("keeps staff's keys to themselves, admins included", async () => {
      const auditor = await createUser(testApp, { roles: ['auditor'] });
      const auditorKey = await createKey(auditor);
      const byAdmin = await testApp.http.get('/v1/api-keys').set(bearer(admin)).query({ limit: 100 }).expect(200);
      expect(idsOf(byAdmin.body)).not.toContain(auditorKey.id);
      await testApp.http.delete(`/v1/api-keys/${auditorKey.id}`).set(bearer(admin)).expect(404);
      const stranger = await createUser(testApp, { roles: ['org_admin'] });
      await testApp.http.delete(`/v1/api-keys/${auditorKey.id}`).set(bearer(stranger)).expect(404);
    });

    (onRealDatabase ? it : it.skip)(
      'revokes once under concurrent deletes: one 204, the others 404, one audit event (needs the real server)',
      async () => {
        const { id } = await createKey(buyer);
        const responses = await Promise.all(
          Array.from({ length: 4 }, () => testApp.http.delete(`/v1/api-keys/${id}`).set(bearer(buyer))),
        );
        expect(responses.map((response) => response.status).sort()).toEqual([204, 404, 404, 404]);
        expect((await eventsFor(id)).map((event) => event.action)).toEqual(['api_key.created', 'api_key.revoked']);
      },
    );

    it('answers an unknown id with 404 and a malformed one with 400', async () => {
      await testApp.http.delete(`/v1/api-keys/${randomUUID()}`).set(bearer(buyer)).expect(404);
      await testApp.http.delete('/v1/api-keys/not-a-uuid').set(bearer(buyer)).expect(400);
    });
  });
});

describe('secrets in logs', () => {
  afterAll(() => killAppProcesses());

  it('never writes an initial password, an API key or its hash to the log, at debug level', async () => {
    const app = AppProcess.spawn({ ...testAppEnvironment(), LOG_LEVEL: 'debug', PORT: '0', HOST: '127.0.0.1' });
    const listening = await app.waitForLog(/^Listening on /);
    const baseUrl = /^Listening on (http:\/\/\S+)/.exec(listening.msg)?.[1] ?? '';
    const call = async (method: string, path: string, body?: object, headers: Record<string, string> = {}) => {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, string> };
    };
    const { ADMIN_EMAIL: email, ADMIN_PASSWORD: password } = process.env;
    const admin = await call('POST', '/v1/auth/login', { email, password });
    const asAdmin = { authorization: `Bearer ${admin.body.accessToken}` };
    const organization = await call('POST', '/v1/organizations', { name: `Logs ${randomUUID()}` }, asAdmin);

    const orgAdminPassword = strongPassword();
    const orgAdmin = { email: uniqueEmail('logs'), displayName: 'L', roles: ['org_admin'] };
    const created = await call(
      'POST',
      '/v1/users',
      { ...orgAdmin, password: orgAdminPassword, organizationId: organization.body.id },
      asAdmin,
    );
    expect(created.status).toBe(201);
    const session = await call('POST', '/v1/auth/login', { email: orgAdmin.email, password: orgAdminPassword });
    const key = await call(
      'POST',
      '/v1/api-keys',
      { name: 'logs', roles: ['org_admin'] },
      { authorization: `Bearer ${session.body.accessToken}` },
    );
    expect(key.status).toBe(201);
    const withKey = { 'x-api-key': key.body.key };
    const buyerPassword = strongPassword();
    expect((await call('GET', '/v1/users', undefined, withKey)).status).toBe(200);
    const buyer = await call(
      'POST',
      '/v1/users',
      { email: uniqueEmail('logs'), displayName: 'B', password: buyerPassword, roles: ['buyer'] },
      withKey,
    );
    expect(buyer.status).toBe(201);
    expect((await call('POST', '/v1/api-keys', { name: 'x', roles: ['org_admin'] }, withKey)).status).toBe(403);
    expect((await call('DELETE', `/v1/api-keys/${key.body.id}`, undefined, asAdmin)).status).toBe(404);
    expect(
      (
        await call('DELETE', `/v1/api-keys/${key.body.id}`, undefined, {
          authorization: `Bearer ${session.body.accessToken}`,
        })
      ).status,
    ).toBe(204);
    expect((await call('GET', '/v1/users', undefined, withKey)).status).toBe(401);
    expect((await call('GET', '/v1/users', undefined, { 'x-api-key': `${key.body.key}x` })).status).toBe(401);
    expect((await call('PATCH', `/v1/users/${buyer.body.id}`, { disabled: true }, asAdmin)).status).toBe(200);

    const { rows } = await withDatabase((client) =>
      client.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = ANY($1)', [
        [created.body.id, buyer.body.id],
      ]),
    );
    // Let the last lines reach the pipe.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const output = app.stdout + app.stderr;

    expect(output).toContain('"level":20');
    expect(output).toContain(key.body.prefix);
    const secrets = {
      orgAdminPassword,
      buyerPassword,
      key: key.body.key,
      keySecret: key.body.key.slice(key.body.prefix.length + 1),
      keyHash: createHash('sha256').update(key.body.key).digest('hex'),
      ...Object.fromEntries(rows.map((row, index) => [`passwordHash${index}`, row.password_hash.split('$').at(-1)])),
    };
    for (const [name, secret] of Object.entries(secrets)) {
      expect({ name, found: output.includes(secret) }).toEqual({ name, found: false });
    }
  });
});
