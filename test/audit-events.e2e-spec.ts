import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AUDIT_EVENT_ROWS_SQL, type AuditEventRow, probeWrite, sealNow, secretsInAuditTrail } from './support/audit';
import { AuditProbeModule } from './support/fixtures/audit-probe.module';
import { bearer, createUser, type TestUser } from './support/identity';
import { startTestApp, type TestApp } from './support/test-app';
import type { Role } from '../src/access/roles';

interface Item {
  id: string;
  seq: number | null;
  occurredAt: string;
  action: string;
  outcome: string;
  actor: { type: string; id: string | null };
  resource: { type: string; id: string | null };
  details: Record<string, unknown> | null;
}

const AUDIT_READS = [
  '/v1/audit-events',
  `/v1/audit-events/${randomUUID()}`,
  '/v1/audit-events/export?format=ndjson',
  '/v1/audit/verify',
  '/v1/audit/checkpoints',
  '/v1/audit/public-key',
];

describe('Audit events for auditors: access, lists, filters, export, redaction', () => {
  let testApp: TestApp;
  const users = new Map<Role, TestUser>();

  beforeAll(async () => {
    testApp = await startTestApp({}, [AuditProbeModule]);
    const roles: Role[] = ['admin', 'auditor', 'catalog_manager', 'fulfillment', 'finance', 'org_admin', 'buyer'];
    for (const role of roles) users.set(role, await createUser(testApp, { roles: [role] }));
  });

  afterAll(() => testApp.close());

  const as = (role: Role) => bearer(users.get(role) as TestUser);
  const get = (path: string, role: Role = 'auditor') => testApp.http.get(path).set(as(role));

  /** Denials are recorded beside the response: wait for them a little. */
  async function eventually<T>(probe: () => Promise<T | undefined>): Promise<T> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const found = await probe();
      if (found !== undefined) return found;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('not found in time');
  }

  describe('who may read', () => {
    it.each(AUDIT_READS)('%s: anonymous 401', async (path) => {
      await testApp.http.get(path).expect(401);
    });

    it.each(AUDIT_READS.flatMap((path) => (['admin', 'auditor'] as Role[]).map((role) => [path, role])))(
      '%s: %s may (2xx, or 404 for an unknown id)',
      async (path, role) => {
        const response = await get(path, role as Role);
        expect(path.includes('/audit-events/') && !path.includes('export') ? 404 : 200).toBe(response.status);
      },
    );

    it.each(
      AUDIT_READS.flatMap((path) =>
        (['catalog_manager', 'fulfillment', 'finance', 'org_admin', 'buyer'] as Role[]).map((role) => [path, role]),
      ),
    )('%s: %s 403', async (path, role) => {
      await get(path, role as Role).expect(403);
    });

    it.each(['post', 'put', 'patch', 'delete'] as const)(
      'nobody writes through the API: %s is not allowed, the events are only read',
      async (method) => {
        for (const path of [`/v1/audit-events/${randomUUID()}`, '/v1/audit-events']) {
          await testApp.http[method](path).set(as('admin')).send({}).expect(405).expect('allow', 'GET, HEAD');
        }
      },
    );

    it('records the denials it answers, with who, what and the status', async () => {
      const buyer = users.get('buyer') as TestUser;
      await testApp.http.get('/v1/audit-events').set('X-Request-Id', 'audit-denied-401').expect(401);
      await get('/v1/audit/verify', 'buyer').set('X-Request-Id', 'audit-denied-403').expect(403);

      const byRequest = (requestId: string) =>
        eventually(async () => {
          const { body } = await get(`/v1/audit-events?action=access.denied&limit=100`);
          return (body.items as (Item & { requestId: string })[]).find((item) => item.requestId === requestId);
        });
      expect(await byRequest('audit-denied-401')).toMatchObject({
        outcome: 'denied',
        actor: { type: 'anonymous', id: null },
        details: { status: 401 },
      });
      expect(await byRequest('audit-denied-403')).toMatchObject({
        outcome: 'denied',
        actor: { type: 'user', id: buyer.id },
        resource: { type: 'AuditEvent' },
        details: { status: 403, attemptedAction: 'verify' },
      });
    });
  });

  describe('lists', () => {
    it('pages newest first, 20 by default, with an opaque cursor and no repeats', async () => {
      const actorId = randomUUID();
      for (let i = 0; i < 25; i++) await probeWrite(testApp, { actorId });

      const first = await get(`/v1/audit-events?actorId=${actorId}`).expect(200);
      expect(first.body.items).toHaveLength(20);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await get(`/v1/audit-events?actorId=${actorId}&cursor=${first.body.nextCursor}`).expect(200);
      expect(second.body.items).toHaveLength(5);
      expect(second.body.nextCursor).toBeNull();

      const items = [...first.body.items, ...second.body.items] as Item[];
      expect(new Set(items.map((item) => item.id)).size).toBe(25);
      const times = items.map((item) => item.occurredAt);
      expect(times).toEqual([...times].sort().reverse());
      expect(items.every((item) => item.actor.id === actorId)).toBe(true);
    });

    it('refuses a limit above 100 or below 1, and a cursor it did not issue', async () => {
      await get('/v1/audit-events?limit=100').expect(200);
      await get('/v1/audit-events?limit=101').expect(400);
      await get('/v1/audit-events?limit=0').expect(400);
      await get('/v1/audit-events?cursor=bm90LWEtY3Vyc29y').expect(400);
      await get('/v1/audit-events?outcome=maybe').expect(400);
      await get('/v1/audit-events?actorId=not-a-uuid').expect(400);
      await get('/v1/audit-events?from=yesterday').expect(400);
      await get('/v1/audit-events?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z').expect(400);
    });

    it('filters by action, resource, outcome and period', async () => {
      const actorId = randomUUID();
      const before = await probeWrite(testApp, { actorId });
      await new Promise((resolve) => setTimeout(resolve, 20));
      const middle = new Date().toISOString();
      const after = await probeWrite(testApp, { actorId });
      await testApp.http.get(`/v1/test-audit-probes/${after}/hidden`).expect(404);

      const ids = async (query: string) =>
        ((await get(`/v1/audit-events?limit=100&${query}`).expect(200)).body.items as Item[]).map((item) => item.id);
      const eventOf = async (resourceId: string, action: string) =>
        ((await get(`/v1/audit-events?resourceId=${resourceId}&action=${action}`).expect(200)).body.items as Item[])[0];

      const created = await eventOf(before, 'organization.created');
      const createdAfter = await eventOf(after, 'organization.created');
      const denied = await eventually(() => eventOf(after, 'access.denied'));

      expect(await ids(`actorId=${actorId}&from=${middle}`)).toEqual([createdAfter.id]);
      expect(await ids(`actorId=${actorId}&to=${middle}`)).toEqual([created.id]);
      expect(await ids(`resourceType=Organization&resourceId=${after}`)).toEqual([denied.id, createdAfter.id]);
      expect(await ids(`resourceId=${after}&outcome=denied`)).toEqual([denied.id]);
      expect(await ids(`resourceId=${after}&outcome=success&action=organization.created`)).toEqual([createdAfter.id]);
    });

    it('shows one event by id, 404 for an unknown one, 400 for a malformed id', async () => {
      const resourceId = await probeWrite(testApp);
      await sealNow(testApp);
      const [listed] = (await get(`/v1/audit-events?resourceId=${resourceId}`).expect(200)).body.items as Item[];
      const one = await get(`/v1/audit-events/${listed.id}`).expect(200);
      expect(one.body).toEqual(listed);
      expect(one.body.seq).toEqual(expect.any(Number));
      await get(`/v1/audit-events/${randomUUID()}`).expect(404);
      await get('/v1/audit-events/not-a-uuid').expect(400);
    });
  });

  describe('export', () => {
    it('streams CSV with a header, one row per sealed event, formula-like cells defused', async () => {
      const start = new Date().toISOString();
      await testApp.http
        .post('/v1/test-audit-probes')
        .set('User-Agent', '=HYPERLINK("http://evil.example")')
        .send({ name: `probe-${randomUUID()}` })
        .expect(201);
      await sealNow(testApp);
      const response = await get(`/v1/audit-events/export?format=csv&from=${start}`)
        .expect(200)
        .expect('content-type', /text\/csv/)
        .expect('content-disposition', /attachment; filename="audit-events.csv"/);
      const lines = (response.text ?? '').trimEnd().split('\r\n');
      expect(lines[0]).toBe(
        'seq,id,occurredAt,actorType,actorId,actorOrganizationId,actorApiKeyId,action,resourceType,resourceId,outcome,requestId,ip,userAgent,changes,details,prevHash,hash',
      );
      expect(lines.length).toBeGreaterThanOrEqual(2);
      expect(response.text).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
    });

    it('refuses an unknown format and a bad period with a problem, before streaming', async () => {
      await get('/v1/audit-events/export?format=xml').expect(400);
      const problem = await get('/v1/audit-events/export?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z').expect(
        400,
      );
      expect(problem.headers['content-type']).toMatch(/application\/problem\+json/);
    });

    it('answers an empty period with an empty export', async () => {
      const response = await get(
        '/v1/audit-events/export?format=ndjson&from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z',
      )
        .buffer(true)
        .parse((res, done) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => done(null, text));
        })
        .expect(200);
      expect(response.body).toBe('');
    });
  });

  it('no event of the whole run holds a password, hash, token, key or TOTP secret', async () => {
    await probeWrite(testApp, { secret: 'pw-probe-secret-value-000000' });
    const passwords = [...users.values()].map((user) => user.password);
    const rows = await testApp.app.get(DataSource).query<AuditEventRow[]>(AUDIT_EVENT_ROWS_SQL);
    const findings = secretsInAuditTrail(rows, [
      testApp.environment.ADMIN_PASSWORD ?? '',
      'pw-probe-secret-value-000000',
      ...passwords,
    ]);
    expect(findings).toEqual([]);
  });
});
