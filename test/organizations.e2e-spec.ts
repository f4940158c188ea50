import { randomUUID } from 'node:crypto';
import { adminSession, bearer, createOrganization, createUser, type TestUser } from './support/identity';
import { auditEventsAbout } from './support/audit-trail';
import { onRealDatabase, startTestApp, type TestApp } from './support/test-app';
import { etagAt } from './support/etags';

describe('organizations', () => {
  let testApp: TestApp;
  let admin: TestUser;
  let auditor: TestUser;
  let orgAdmin: TestUser;
  let buyer: TestUser;

  const eventsFor = (resourceId: string) => auditEventsAbout(testApp, resourceId);

  beforeAll(async () => {
    testApp = await startTestApp();
    admin = await adminSession(testApp);
    auditor = await createUser(testApp, { roles: ['auditor'] });
    orgAdmin = await createUser(testApp, { roles: ['org_admin'] });
    buyer = await createUser(testApp, { roles: ['buyer'], organizationId: orgAdmin.organizationId ?? undefined });
  });
  afterAll(() => testApp.close());

  it('lets an admin create one, recorded in the audit trail with the actor', async () => {
    const response = await testApp.http
      .post('/v1/organizations')
      .set(bearer(admin))
      .send({ name: 'Acme GmbH' })
      .expect(201);
    expect(response.body).toEqual({
      id: expect.any(String),
      name: 'Acme GmbH',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      version: 1,
    });
    const [event] = await eventsFor(response.body.id);
    expect(event).toMatchObject({
      action: 'organization.created',
      actorType: 'user',
      actorId: admin.id,
      resourceType: 'Organization',
      outcome: 'success',
      changes: { before: {}, after: { name: 'Acme GmbH' } },
    });
  });

  it.each([
    ['a blank name', { name: '   ' }],
    ['a name with a NUL', { name: 'a\u0000b' }],
    ['a two-line name', { name: 'a\nb' }],
    ['a name too long', { name: 'x'.repeat(201) }],
    ['no name', {}],
    ['an unknown field', { name: 'ok', id: randomUUID() }],
  ])('refuses %s with a 400 problem', async (_what, body) => {
    const response = await testApp.http.post('/v1/organizations').set(bearer(admin)).send(body).expect(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('shows a customer only its own organization: in the list, and 404 for another', async () => {
    const other = await createOrganization(testApp);
    const list = await testApp.http.get('/v1/organizations').set(bearer(buyer)).expect(200);
    expect(list.body).toEqual({ items: [expect.objectContaining({ id: orgAdmin.organizationId })], nextCursor: null });
    await testApp.http.get(`/v1/organizations/${orgAdmin.organizationId}`).set(bearer(buyer)).expect(200);
    const hidden = await testApp.http.get(`/v1/organizations/${other.id}`).set(bearer(buyer)).expect(404);
    expect(hidden.body.detail).toBe('Organization not found.');
    // Indistinguishable from one that does not exist.
    const missing = await testApp.http.get(`/v1/organizations/${randomUUID()}`).set(bearer(buyer)).expect(404);
    expect(missing.body.type).toBe(hidden.body.type);
  });

  it('lets auditors read every organization but change none', async () => {
    const other = await createOrganization(testApp);
    await testApp.http.get(`/v1/organizations/${other.id}`).set(bearer(auditor)).expect(200);
    await testApp.http.patch(`/v1/organizations/${other.id}`).set(bearer(auditor)).send({ name: 'x' }).expect(403);
    await testApp.http.post('/v1/organizations').set(bearer(auditor)).send({ name: 'x' }).expect(403);
  });

  it('refuses customers any change, their own organization included', async () => {
    await testApp.http
      .patch(`/v1/organizations/${orgAdmin.organizationId}`)
      .set(bearer(orgAdmin))
      .send({ name: 'Mine now' })
      .expect(403);
  });

  describe('optimistic concurrency', () => {
    it('returns the version as ETag and renames with the matching If-Match', async () => {
      const { id } = await createOrganization(testApp, 'Before');
      const read = await testApp.http.get(`/v1/organizations/${id}`).set(bearer(admin)).expect(200);
      expect(read.headers.etag).toEqual(etagAt(1));
      const renamed = await testApp.http
        .patch(`/v1/organizations/${id}`)
        .set(bearer(admin))
        .set('If-Match', read.headers.etag)
        .send({ name: 'After' })
        .expect(200);
      expect(renamed.body).toMatchObject({ name: 'After', version: 2 });
      expect(renamed.headers.etag).toEqual(etagAt(2));
      expect(new Date(renamed.body.updatedAt).getTime()).toBeGreaterThan(new Date(read.body.updatedAt).getTime());
      const events = await eventsFor(id);
      expect(events.map((event) => event.action)).toEqual(['organization.updated']);
      expect(events[0].changes).toEqual({ before: { name: 'Before' }, after: { name: 'After' } });
    });

    it('answers a stale If-Match with 412 and changes nothing', async () => {
      const { id } = await createOrganization(testApp, 'Original');
      await testApp.http.patch(`/v1/organizations/${id}`).set(bearer(admin)).send({ name: 'First edit' }).expect(200);
      const stale = await testApp.http
        .patch(`/v1/organizations/${id}`)
        .set(bearer(admin))
        .set('If-Match', '"1"')
        .send({ name: 'Lost update' })
        .expect(412);
      expect(stale.body).toMatchObject({ status: 412, currentETag: '"2"' });
      const after = await testApp.http.get(`/v1/organizations/${id}`).set(bearer(admin)).expect(200);
      expect(after.body).toMatchObject({ name: 'First edit', version: 2 });
      expect((await eventsFor(id)).map((event) => event.action)).toEqual(['organization.updated']);
    });

    (onRealDatabase ? it : it.skip)(
      'lets exactly one of two edits made from the same read win (real server only)',
      async () => {
        const { id } = await createOrganization(testApp, 'Contended');
        const responses = await Promise.all(
          ['Edit A', 'Edit B'].map((name) =>
            testApp.http.patch(`/v1/organizations/${id}`).set(bearer(admin)).set('If-Match', '"1"').send({ name }),
          ),
        );
        expect(responses.map((response) => response.status).sort()).toEqual([200, 412]);
        const winner = responses.find((response) => response.status === 200);
        const after = await testApp.http.get(`/v1/organizations/${id}`).set(bearer(admin)).expect(200);
        expect(after.body).toMatchObject({ name: winner?.body.name, version: 2 });
      },
    );

    it('refuses a malformed If-Match with 400, and a PATCH of nothing changes nothing', async () => {
      const { id } = await createOrganization(testApp);
      const malformed = await testApp.http
        .patch(`/v1/organizations/${id}`)
        .set(bearer(admin))
        .set('If-Match', 'not-an-etag')
        .send({ name: 'x' })
        .expect(400);
      expect(malformed.body.errors).toEqual([expect.objectContaining({ field: 'If-Match' })]);
      const unchanged = await testApp.http.patch(`/v1/organizations/${id}`).set(bearer(admin)).send({}).expect(200);
      expect(unchanged.body.version).toBe(1);
      await testApp.http.patch(`/v1/organizations/${id}`).set(bearer(admin)).send({ name: null }).expect(400);
      expect(await eventsFor(id)).toEqual([]);
    });

    it('answers 404, not 412, for an organization that does not exist', async () => {
      await testApp.http
        .patch(`/v1/organizations/${randomUUID()}`)
        .set(bearer(admin))
        .set('If-Match', '"1"')
        .send({ name: 'x' })
        .expect(404);
    });
  });

  describe('pagination', () => {
    it('walks organizations exactly once, newest first, in pages of the limit', async () => {
      const created: string[] = [];
      for (let index = 0; index < 5; index += 1)
        created.unshift((await createOrganization(testApp, `Paged ${index}`)).id);
      // Other test files add organizations meanwhile: walk until all five are seen.
      const seen: { id: string; createdAt: string }[] = [];
      let cursor: string | null = null;
      while (!created.every((id) => seen.some((item) => item.id === id))) {
        const response: { body: { items: { id: string; createdAt: string }[]; nextCursor: string | null } } =
          await testApp.http
            .get('/v1/organizations')
            .query(cursor ? { limit: 2, cursor } : { limit: 2 })
            .set(bearer(admin))
            .expect(200);
        expect(response.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...response.body.items);
        cursor = response.body.nextCursor;
        if (!cursor) break;
      }
      const ids = seen.map((item) => item.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.filter((id) => created.includes(id))).toEqual(created);
      const times = seen.map((item) => new Date(item.createdAt).getTime());
      expect(times).toEqual([...times].sort((a, b) => b - a));
    });

    it.each([
      ['limit 0', { limit: 0 }],
      ['limit 101', { limit: 101 }],
      ['limit not a number', { limit: 'ten' }],
      ['a cursor that is not base64url', { cursor: '!!' }],
      ['a cursor that is base64url garbage', { cursor: 'Z2FyYmFnZQ' }],
      [
        'a forged cursor with a bad date',
        { cursor: forged(['-createdAt', '2026-02-30T00:00:00.000000Z', randomUUID()]) },
      ],
      ['a forged cursor of another sort', { cursor: forged(['name', 'x', randomUUID()]) }],
      ['a forged cursor with a number key', { cursor: forged(['-createdAt', 5, randomUUID()]) }],
    ])('refuses %s with a 400 problem', async (_what, query) => {
      const response = await testApp.http.get('/v1/organizations').query(query).set(bearer(admin)).expect(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    });
  });
});

function forged(parts: unknown[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}
