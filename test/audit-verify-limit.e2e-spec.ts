import type { Response } from 'supertest';
import { serverOf } from './support/audit';
import { bearer, createUser, type TestUser } from './support/identity';
import { withDatabase } from './support/raw-sql';
import { onRealDatabase, startTestApp, type TestApp } from './support/test-app';
import { createTestDatabase, type TestDatabase } from './support/test-database';

/** How long the held verifications have run, at least, when the extra one is refused. */
const HELD_FOR_MS = 2_500;

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * GET /v1/audit/verify reads the whole chain on one pooled connection, so at
 * most AUDIT_VERIFY_MAX_CONCURRENT run at once per process. The verifications
 * are held by a lock on the chain that the test takes (PGlite has one session,
 * where locks exclude nothing: real server only). A database of its own, so the
 * lock stops no other test file.
 */
(onRealDatabase ? describe : describe.skip)('concurrent chain verifications (real server only)', () => {
  let database: TestDatabase;
  let testApp: TestApp;
  let auditor: TestUser;

  beforeAll(async () => {
    database = await createTestDatabase(serverOf(process.env.DATABASE_URL ?? ''));
    // No sealing meanwhile: the sealer would wait on the test's lock too, and be counted among the waiting.
    testApp = await startTestApp({
      DATABASE_URL: database.url,
      AUDIT_VERIFY_MAX_CONCURRENT: '2',
      AUDIT_SEAL_INTERVAL_MS: '60000',
    });
    auditor = await createUser(testApp, { roles: ['auditor'] });
  }, 120_000);

  afterAll(async () => {
    await testApp?.close();
    await database?.drop();
  });

  /** Verifications of this database waiting for a lock. */
  const waitingVerifications = (): Promise<number> =>
    withDatabase(database.url, async (client) => {
      const result = await client.query<{ count: string }>(
        `SELECT count(*) FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%audit_chain%'`,
      );
      return Number(result.rows[0]?.count);
    });

  it('runs at most the configured number at once; one more is 429 with the wait it should expect', async () => {
    const verify = (): Promise<Response> =>
      testApp.http
        .get('/v1/audit/verify')
        .set(bearer(auditor))
        .then((r) => r);
    let held: Promise<Response>[] = [];
    let refused: Response | undefined;
    await withDatabase(database.url, async (locker) => {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE audit_chain IN ACCESS EXCLUSIVE MODE');
      try {
        const started = Date.now();
        held = [verify(), verify()];
        await waitUntil(async () => (await waitingVerifications()) === 2, 30_000);
        await waitUntil(() => Promise.resolve(Date.now() - started >= HELD_FOR_MS), HELD_FOR_MS + 1_000);
        refused = await verify();
      } finally {
        await locker.query('ROLLBACK');
      }
    });

    expect(refused?.status).toBe(429);
    expect(refused?.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused?.body).toMatchObject({ status: 429, type: expect.stringMatching(/\/audit-verifications-busy$/) });
    // Nothing finished yet to learn from: as long again as the running ones have run.
    expect(Number(refused?.headers['retry-after'])).toBeGreaterThanOrEqual(Math.floor(HELD_FOR_MS / 1000));
    for (const response of await Promise.all(held)) expect(response.status).toBe(200);
    // The slots are free again.
    await testApp.http.get('/v1/audit/verify').set(bearer(auditor)).expect(200);
  });
});
