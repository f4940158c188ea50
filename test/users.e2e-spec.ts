import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { RefreshToken } from '../src/identity/entities/refresh-token.entity';
import { User } from '../src/identity/entities/user.entity';
import {
  adminSession,
  bearer,
  createOrganization,
  createUser,
  login,
  strongPassword,
  type TestUser,
  uniqueEmail,
} from './support/identity';
import { auditEventsAbout } from './support/audit-trail';
import { idsOf } from './support/pages';
import { onRealDatabase, startTestApp, type TestApp } from './support/test-app';
import { etagAt } from './support/etags';

describe('users', () => {
  let testApp: TestApp;
  let admin: TestUser;
  let auditor: TestUser;
  let orgAdmin: TestUser;
  let organizationId: string;

  const newUserBody = (overrides: Record<string, unknown> = {}) => ({
    email: uniqueEmail('new'),
    displayName: 'New Person',
    password: strongPassword(),
    roles: ['buyer'],
    ...overrides,
  });
  /** The user.* events about a user (logins are recorded about them too). */
  const eventsFor = async (resourceId: string) =>
    (await auditEventsAbout(testApp, resourceId)).filter((event) => event.action.startsWith('user.'));
  const storedUser = (id: string) => testApp.app.get(DataSource).getRepository(User).findOneByOrFail({ id });

  beforeAll(async () => {
    testApp = await startTestApp();
    admin = await adminSession(testApp);
    auditor = await createUser(testApp, { roles: ['auditor'] });
    orgAdmin = await createUser(testApp, { roles: ['org_admin'] });
    organizationId = orgAdmin.organizationId as string;
  });
  afterAll(() => testApp.close());

  describe('creation', () => {
    it('lets an admin create staff, who can then sign in; the response and the audit trail hold no secret', async () => {
      const body = newUserBody({ roles: ['catalog_manager', 'fulfillment'] });
      const response = await testApp.http.post('/v1/users').set(bearer(admin)).send(body).expect(201);
      expect(response.body).toEqual({
        id: expect.any(String),
        email: body.email,
        displayName: 'New Person',
        roles: ['catalog_manager', 'fulfillment'],
        organizationId: null,
        disabled: false,
        disabledAt: null,
        mfaEnabled: false,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        version: 1,
      });
      await login(testApp, body.email, body.password);
      expect((await storedUser(response.body.id)).passwordHash).toMatch(/^\$argon2id\$/);
      const [event] = await eventsFor(response.body.id);
      expect(event).toMatchObject({ action: 'user.created', actorId: admin.id, outcome: 'success' });
      expect(event.changes?.after).toMatchObject({ email: body.email, roles: ['catalog_manager', 'fulfillment'] });
      expect(JSON.stringify([response.body, event])).not.toContain(body.password);
      expect(JSON.stringify(event)).not.toMatch(/argon2/);
    });

    it('puts an org_admin’s new users in its own organization, with customer roles', async () => {
      const response = await testApp.http
        .post('/v1/users')
        .set(bearer(orgAdmin))
        .send(newUserBody({ roles: ['buyer', 'org_admin'] }))
        .expect(201);
      expect(response.body).toMatchObject({ organizationId, roles: ['buyer', 'org_admin'] });
    });

    it.each([['admin'], ['auditor'], ['finance']])(
      'refuses an org_admin granting the staff role %s with 403, creating nothing',
      async (role) => {
        const body = newUserBody({ roles: [role] });
        const response = await testApp.http.post('/v1/users').set(bearer(orgAdmin)).send(body).expect(403);
        expect(response.body.type).toMatch(/forbidden$/);
        expect(await testApp.app.get(DataSource).getRepository(User).findOneBy({ email: body.email })).toBeNull();
      },
    );

    it('refuses an org_admin placing a user in another organization with 403, whether it exists or not', async () => {
      const other = await createOrganization(testApp);
      for (const id of [other.id, randomUUID()]) {
        await testApp.http
          .post('/v1/users')
          .set(bearer(orgAdmin))
          .send(newUserBody({ organizationId: id }))
          .expect(403);
      }
    });

    it.each([
      ['mixed staff and customer roles', { roles: ['admin', 'buyer'] }, 'roles'],
      ['staff with an organization', { roles: ['finance'], organizationId: 'ORG' }, 'organizationId'],
      ['a customer without an organization', { roles: ['buyer'] }, 'organizationId'],
      ['an unknown organization', { roles: ['buyer'], organizationId: randomUUID() }, 'organizationId'],
      ['a short password', { password: 'short', organizationId: 'ORG' }, 'password'],
      ['a common password', { password: 'password1234567890', organizationId: 'ORG' }, 'password'],
      ['no roles', { roles: [], organizationId: 'ORG' }, 'roles'],
      ['an unknown role', { roles: ['root'], organizationId: 'ORG' }, 'roles'],
      ['a repeated role', { roles: ['buyer', 'buyer'], organizationId: 'ORG' }, 'roles'],
      ['a bad email', { email: 'not-an-email', organizationId: 'ORG' }, 'email'],
      ['a display name with a NUL', { displayName: 'a\u0000', organizationId: 'ORG' }, 'displayName'],
    ])(
      'answers an admin sending %s with 400 naming the field',
      async (_what, overrides: Record<string, unknown>, field) => {
        const body = newUserBody({
          ...overrides,
          ...(overrides.organizationId === 'ORG' ? { organizationId } : {}),
        });
        const response = await testApp.http.post('/v1/users').set(bearer(admin)).send(body).expect(400);
        expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      },
    );

    it('refuses a second account with the same email in another case with 409', async () => {
      const email = uniqueEmail('dup');
      await testApp.http.post('/v1/users').set(bearer(admin)).send(newUserBody({ email, organizationId })).expect(201);
      const again = await testApp.http
        .post('/v1/users')
        .set(bearer(admin))
        .send(newUserBody({ email: email.toUpperCase(), organizationId }))
        .expect(409);
      expect(again.body.type).toMatch(/email-taken$/);
    });

    (onRealDatabase ? it : it.skip)(
      'creates exactly one of two concurrent requests for the same email (real server only)',
      async () => {
        const email = uniqueEmail('race');
        const responses = await Promise.all(
          [email, email.toUpperCase()].map((address) =>
            testApp.http
              .post('/v1/users')
              .set(bearer(admin))
              .send(newUserBody({ email: address, organizationId })),
          ),
        );
        expect(responses.map((response) => response.status).sort()).toEqual([201, 409]);
      },
    );
  });

  describe('visibility', () => {
    it('lists only an org_admin’s own organization, and the list agrees with single GETs', async () => {
      const stranger = await createUser(testApp, { roles: ['buyer'] });
      const colleague = await createUser(testApp, { roles: ['buyer'], organizationId });
      const list = await testApp.http.get('/v1/users').query({ limit: 100 }).set(bearer(orgAdmin)).expect(200);
      const ids = (list.body.items as { id: string; organizationId: string }[]).map((user) => user.id);
      expect(ids).toEqual(expect.arrayContaining([orgAdmin.id, colleague.id]));
      expect(ids).not.toContain(stranger.id);
      expect(ids).not.toContain(admin.id);
      expect(new Set((list.body.items as { organizationId: string }[]).map((user) => user.organizationId))).toEqual(
        new Set([organizationId]),
      );
      await testApp.http.get(`/v1/users/${colleague.id}`).set(bearer(orgAdmin)).expect(200);
      await testApp.http.get(`/v1/users/${stranger.id}`).set(bearer(orgAdmin)).expect(404);
      await testApp.http.get(`/v1/users/${admin.id}`).set(bearer(orgAdmin)).expect(404);
    });

    it('narrows the list by organization, within what the caller sees', async () => {
      const other = await createUser(testApp, { roles: ['buyer'] });
      const byAdmin = await testApp.http
        .get('/v1/users')
        .query({ organizationId: other.organizationId })
        .set(bearer(admin))
        .expect(200);
      expect(idsOf(byAdmin.body)).toEqual([other.id]);
      const byOrgAdmin = await testApp.http
        .get('/v1/users')
        .query({ organizationId: other.organizationId })
        .set(bearer(orgAdmin))
        .expect(200);
      expect(byOrgAdmin.body).toEqual({ items: [], nextCursor: null });
    });

    it('lets auditors read any user and change none', async () => {
      const target = await createUser(testApp, { roles: ['buyer'] });
      await testApp.http.get(`/v1/users/${target.id}`).set(bearer(auditor)).expect(200);
      await testApp.http.patch(`/v1/users/${target.id}`).set(bearer(auditor)).send({ displayName: 'x' }).expect(403);
      await testApp.http.post('/v1/users').set(bearer(auditor)).send(newUserBody({ organizationId })).expect(403);
    });
  });

  it('lists, reads and edits a user whose MFA secret this instance cannot decrypt (another key, another instance)', async () => {
    const target = await createUser(testApp, { roles: ['buyer'], organizationId });
    await testApp.app
      .get(DataSource)
      .query("UPDATE users SET mfa_secret = 'unknown-key:not-decryptable' WHERE id = $1", [target.id]);
    const list = await testApp.http.get('/v1/users').query({ organizationId }).set(bearer(admin)).expect(200);
    expect(idsOf(list.body)).toContain(target.id);
    await testApp.http.get(`/v1/users/${target.id}`).set(bearer(admin)).expect(200);
    await testApp.http
      .patch(`/v1/users/${target.id}`)
      .set(bearer(admin))
      .send({ displayName: 'Still fine' })
      .expect(200);
  });

  describe('editing', () => {
    /** One user for the refusals below, which must leave it unchanged. */
    let refusalTarget: Promise<TestUser> | undefined;
    const unchangedTarget = () => (refusalTarget ??= createUser(testApp, { roles: ['buyer'], organizationId }));

    it('changes display name and roles with If-Match, recording before and after', async () => {
      const target = await createUser(testApp, { roles: ['buyer'], organizationId });
      const read = await testApp.http.get(`/v1/users/${target.id}`).set(bearer(orgAdmin)).expect(200);
      expect(read.headers.etag).toEqual(etagAt(1));
      const edited = await testApp.http
        .patch(`/v1/users/${target.id}`)
        .set(bearer(orgAdmin))
        .set('If-Match', read.headers.etag)
        .send({ displayName: 'Renamed', roles: ['org_admin'] })
        .expect(200);
      expect(edited.body).toMatchObject({ displayName: 'Renamed', roles: ['org_admin'], version: 2 });
      expect(edited.headers.etag).toEqual(etagAt(2));
      const events = await eventsFor(target.id);
      expect(events.map((event) => event.action)).toEqual(['user.updated']);
      expect(events[0].changes).toEqual({
        before: { displayName: expect.any(String), roles: ['buyer'] },
        after: { displayName: 'Renamed', roles: ['org_admin'] },
      });
      // The new role applies to the user's existing access token at once.
      await testApp.http.get('/v1/users').set(bearer(target)).expect(200);
    });

    it('answers a stale If-Match with 412, changing nothing', async () => {
      const target = await createUser(testApp, { roles: ['buyer'], organizationId });
      await testApp.http.patch(`/v1/users/${target.id}`).set(bearer(admin)).send({ displayName: 'One' }).expect(200);
      await testApp.http
        .patch(`/v1/users/${target.id}`)
        .set(bearer(admin))
        .set('If-Match', '"1"')
        .send({ disabled: true })
        .expect(412);
      expect(await storedUser(target.id)).toMatchObject({ displayName: 'One', disabledAt: null, version: 2 });
      await testApp.http.get('/v1/organizations').set(bearer(target)).expect(200);
    });

    it.each([
      ['a customer to a staff role', ['finance']],
      ['a customer to mixed roles', ['buyer', 'admin']],
    ])('refuses turning %s with 400', async (_what, roles) => {
      const target = await unchangedTarget();
      await testApp.http.patch(`/v1/users/${target.id}`).set(bearer(admin)).send({ roles }).expect(400);
      expect((await storedUser(target.id)).roles).toEqual(['buyer']);
    });

    it('refuses an org_admin editing another organization’s user or staff with 404', async () => {
      const stranger = await createUser(testApp, { roles: ['buyer'] });
      await testApp.http.patch(`/v1/users/${stranger.id}`).set(bearer(orgAdmin)).send({ disabled: true }).expect(404);
      await testApp.http
        .patch(`/v1/users/${auditor.id}`)
        .set(bearer(orgAdmin))
        .send({ roles: ['buyer'] })
        .expect(404);
      expect((await storedUser(stranger.id)).disabledAt).toBeNull();
    });

    it('refuses anyone disabling themselves or changing their own roles with 409', async () => {
      await testApp.http.patch(`/v1/users/${orgAdmin.id}`).set(bearer(orgAdmin)).send({ disabled: true }).expect(409);
      await testApp.http
        .patch(`/v1/users/${orgAdmin.id}`)
        .set(bearer(orgAdmin))
        .send({ roles: ['buyer'] })
        .expect(409);
      await testApp.http
        .patch(`/v1/users/${orgAdmin.id}`)
        .set(bearer(orgAdmin))
        .send({ displayName: 'Me' })
        .expect(200);
    });

    it.each([
      ['null display name', { displayName: null }],
      ['disabled as a string', { disabled: 'yes' }],
      ['an email change', { email: uniqueEmail() }],
      ['a password', { password: strongPassword() }],
      ['an organization move', { organizationId: randomUUID() }],
    ])('refuses %s with 400', async (_what, body) => {
      const target = await unchangedTarget();
      await testApp.http.patch(`/v1/users/${target.id}`).set(bearer(admin)).send(body).expect(400);
    });
  });

  describe('disabling', () => {
    it('stops the user signing in, refreshing, and using access tokens and API keys issued before', async () => {
      const target = await createUser(testApp, { roles: ['buyer'], organizationId });
      const key = await testApp.http
        .post('/v1/api-keys')
        .set(bearer(target))
        .send({ name: 'ci', roles: ['buyer'] })
        .expect(201);
      await testApp.http.get('/v1/organizations').set('X-API-Key', key.body.key).expect(200);

      const disabled = await testApp.http
        .patch(`/v1/users/${target.id}`)
        .set(bearer(orgAdmin))
        .send({ disabled: true })
        .expect(200);
      expect(disabled.body).toMatchObject({ disabled: true, disabledAt: expect.any(String) });

      await testApp.http.get('/v1/organizations').set(bearer(target)).expect(401);
      await testApp.http.get('/v1/organizations').set('X-API-Key', key.body.key).expect(401);
      await testApp.http.post('/v1/auth/refresh').send({ refreshToken: target.refreshToken }).expect(401);
      await testApp.http.post('/v1/auth/login').send({ email: target.email, password: target.password }).expect(401);
      const tokens = await testApp.app.get(DataSource).getRepository(RefreshToken).findBy({ userId: target.id });
      expect(tokens.length).toBeGreaterThan(0);
      expect(tokens.every((token) => token.revokedAt !== null)).toBe(true);
      const [event] = (await eventsFor(target.id)).filter((candidate) => candidate.action === 'user.disabled');
      expect(event).toMatchObject({ actorId: orgAdmin.id, changes: { before: { disabledAt: null } } });
    });

    it('lets the user back in when enabled again, with a new login', async () => {
      const target = await createUser(testApp, { roles: ['buyer'], organizationId });
      await testApp.http.patch(`/v1/users/${target.id}`).set(bearer(admin)).send({ disabled: true }).expect(200);
      const enabled = await testApp.http
        .patch(`/v1/users/${target.id}`)
        .set(bearer(admin))
        .send({ disabled: false })
        .expect(200);
      expect(enabled.body).toMatchObject({ disabled: false, disabledAt: null, version: 3 });
      const session = await login(testApp, target.email, target.password);
      await testApp.http.get('/v1/organizations').set(bearer(session)).expect(200);
      expect((await eventsFor(target.id)).map((event) => event.action)).toEqual(['user.disabled', 'user.enabled']);
    });
  });
});
