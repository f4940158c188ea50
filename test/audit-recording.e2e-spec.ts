import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditEvent } from '../src/audit/audit-event.entity';
import { AuditRecorder } from '../src/audit/audit-recorder';
import { Organization } from '../src/identity/entities/organization.entity';
import { AuditProbeModule } from './support/fixtures/audit-probe.module';
import { startTestApp, type TestApp } from './support/test-app';

describe('Audit recording (in the caller transaction, standalone for denials)', () => {
  let testApp: TestApp;
  let dataSource: DataSource;

  beforeAll(async () => {
    testApp = await startTestApp({}, [AuditProbeModule]);
    dataSource = testApp.app.get(DataSource);
  });

  afterAll(() => testApp.close());

  const eventsFor = (resourceId: string) => dataSource.getRepository(AuditEvent).findBy({ resourceId });

  it('records a change with its request context, in the same transaction as the change', async () => {
    const name = `probe-${randomUUID()}`;
    const response = await testApp.http
      .post('/v1/test-audit-probes')
      .set('User-Agent', 'audit-test/1.0')
      .set('X-Request-Id', 'audit-recording-1')
      .send({ name, secret: 'hunter2-very-secret' })
      .expect(201);

    const events = await eventsFor(response.body.id);
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event).toMatchObject({
      action: 'organization.created',
      actorType: 'anonymous',
      actorId: null,
      resourceType: 'Organization',
      outcome: 'success',
      requestId: 'audit-recording-1',
      userAgent: 'audit-test/1.0',
    });
    expect(event.ip).toEqual(expect.any(String));
    expect(event.changes?.before).toEqual({});
    expect(event.changes?.after).toMatchObject({ name, passwordHash: '[REDACTED]', apiSecret: '[REDACTED]' });
    expect(event.details).toEqual({ token: '[REDACTED]', note: 'probe' });
    expect(JSON.stringify(event)).not.toContain('hunter2');
  });

  it('leaves neither the change nor its event when the use case fails after recording', async () => {
    const name = `probe-rolled-back-${randomUUID()}`;
    await testApp.http.post('/v1/test-audit-probes').send({ name, failAfterRecord: true }).expect(409);

    expect(await dataSource.getRepository(Organization).countBy({ name })).toBe(0);
    const events = await dataSource
      .getRepository(AuditEvent)
      .createQueryBuilder('event')
      .where(`event.changes -> 'after' ->> 'name' = :name`, { name })
      .getCount();
    expect(events).toBe(0);
  });

  it('records a 404-by-policy denial although the use case transaction rolled back', async () => {
    const created = await testApp.http
      .post('/v1/test-audit-probes')
      .send({ name: `probe-hidden-${randomUUID()}` })
      .expect(201);
    await testApp.http
      .get(`/v1/test-audit-probes/${created.body.id}/hidden`)
      .set('X-Request-Id', 'audit-denial-1')
      .expect(404);

    const denial = (await eventsFor(created.body.id)).find((event) => event.action === 'access.denied');
    expect(denial).toMatchObject({
      outcome: 'denied',
      actorType: 'anonymous',
      resourceType: 'Organization',
      requestId: 'audit-denial-1',
      details: { status: 404, attemptedAction: 'read', reason: expect.any(String) },
    });
  });

  it('refuses to record outside a transaction (the event could outlive a rolled-back change)', async () => {
    await expect(
      testApp.app.get(AuditRecorder).record({ actor: 'system', action: 'test.event', resource: { type: 'Test' } }),
    ).rejects.toThrow(/transaction/);
  });

  it('refuses UPDATE, DELETE and TRUNCATE on the audit tables', async () => {
    const created = await testApp.http
      .post('/v1/test-audit-probes')
      .send({ name: `probe-immutable-${randomUUID()}` })
      .expect(201);
    const [event] = await eventsFor(created.body.id);
    await expect(dataSource.query(`UPDATE audit_events SET action = 'x.y' WHERE id = $1`, [event.id])).rejects.toThrow(
      /append-only/,
    );
    await expect(dataSource.query(`DELETE FROM audit_events WHERE id = $1`, [event.id])).rejects.toThrow(/append-only/);
    for (const table of ['audit_events', 'audit_chain', 'audit_checkpoints']) {
      await expect(dataSource.query(`TRUNCATE ${table} CASCADE`)).rejects.toThrow(/append-only/);
    }
  });
});
