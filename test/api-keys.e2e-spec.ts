import { createHash, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ApiKeysService } from '../src/identity/api-keys.service';
import { ApiKey } from '../src/identity/entities/api-key.entity';
import { adminSession, bearer, createUser, type TestUser } from './support/identity';
import { auditEventsAbout } from './support/audit-trail';
import { idsOf } from './support/pages';
import { startTestApp, type TestApp } from './support/test-app';

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
    it('revokes with 204: the key stops working at once; revoking again changes nothing', async () => {
      const { id, key } = await createKey(buyer);
      await testApp.http.get('/v1/organizations').set('X-API-Key', key).expect(200);
      await testApp.http.delete(`/v1/api-keys/${id}`).set(bearer(buyer)).expect(204);
      await testApp.http.get('/v1/organizations').set('X-API-Key', key).expect(401);
      await testApp.http.delete(`/v1/api-keys/${id}`).set(bearer(buyer)).expect(204);
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

    it('answers an unknown id with 404 and a malformed one with 400', async () => {
      await testApp.http.delete(`/v1/api-keys/${randomUUID()}`).set(bearer(buyer)).expect(404);
      await testApp.http.delete('/v1/api-keys/not-a-uuid').set(bearer(buyer)).expect(400);
    });
  });
});
