import { request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { probeWrite, sealNow, serverOf } from './support/audit';
import { AuditProbeModule } from './support/fixtures/audit-probe.module';
import { bearer, createUser, type TestUser } from './support/identity';
import { withDatabase } from './support/raw-sql';
import { onRealDatabase, startTestApp, type TestApp } from './support/test-app';
import { createTestDatabase, type TestDatabase } from './support/test-database';

/** Events of 16 kB each: the export (about 40 MB) is far larger than what sockets and streams buffer. */
const BIG_EVENTS = 2_500;
const EVENT_PADDING = 16_000;

/**
 * The export read through a database cursor: whole and in order for a reader
 * that keeps up, held open (one pooled connection, one slot) for a reader
 * that does not, and ended when a reader stops. This file has a database of
 * its own, filled with large events.
 */
describe('Audit export through a database cursor', () => {
  let database: TestDatabase;
  let testApp: TestApp;
  let auditor: TestUser;

  beforeAll(async () => {
    database = await createTestDatabase(onRealDatabase ? serverOf(process.env.DATABASE_URL ?? '') : undefined);
    testApp = await startTestApp({ DATABASE_URL: database.url, AUDIT_EXPORT_MAX_CONCURRENT: '1' }, [AuditProbeModule]);
    auditor = await createUser(testApp, { roles: ['auditor'] });
    await withDatabase(database.url, (client) =>
      client.query(
        `INSERT INTO audit_events (occurred_at, actor_type, action, resource_type, resource_id, outcome, details)
         SELECT now(), 'system', 'bench.padding', 'Padding', i::text, 'success',
                jsonb_build_object('padding', repeat('x', $2::int))
           FROM generate_series(1, $1::int) AS i`,
        [BIG_EVENTS, EVENT_PADDING],
      ),
    );
    await sealNow(testApp);
  }, 120_000);

  afterAll(async () => {
    await testApp?.close();
    await database?.drop();
  });

  it('streams every sealed event once, in seq order, each signed checkpoint after the event it covers', async () => {
    const { headSeq } = (await testApp.http.get('/v1/audit/verify').set(bearer(auditor)).expect(200)).body as {
      headSeq: number;
    };
    const response = await openExport(testApp, auditor);
    const lines = (await readAll(response)).trimEnd().split('\n');
    const entries = lines.map((line) => JSON.parse(line) as { seq?: number; checkpoint?: { seq: number } });
    const events = entries.filter((entry) => entry.checkpoint === undefined);
    expect(events.map((event) => event.seq)).toEqual(Array.from({ length: headSeq }, (_, i) => i + 1));
    const checkpoints = entries.flatMap((entry, index) => (entry.checkpoint ? [{ entry, index }] : []));
    expect(checkpoints.length).toBeGreaterThan(0);
    for (const { entry, index } of checkpoints) expect(entries[index - 1].seq).toBe(entry.checkpoint?.seq);
  });

  (onRealDatabase ? describe : describe.skip)('a reader that does not keep up (real server only)', () => {
    it('holds one slot: another export is refused with 429 meanwhile, writes and sealing go on, the held one is a snapshot', async () => {
      const held = await openExport(testApp, auditor);
      held.pause();

      const refused = await testApp.http
        .get('/v1/audit-events/export?format=ndjson')
        .set(bearer(auditor))
        .expect(429)
        .expect('content-type', /application\/problem\+json/);
      expect(refused.headers['retry-after']).toBeDefined();
      expect(refused.body).toMatchObject({ status: 429, type: expect.stringMatching(/audit-exports-busy/) });

      // The export's read-only transaction takes no transaction id: the sealer's horizon moves on.
      const written = await probeWrite(testApp);
      await sealNow(testApp);
      const sealed = (await testApp.http.get(`/v1/audit-events?resourceId=${written}`).set(bearer(auditor)).expect(200))
        .body.items as { seq: number | null }[];
      expect(sealed[0].seq).toEqual(expect.any(Number));

      const lines = (await readAll(held)).trimEnd().split('\n');
      const seqs = lines.map((line) => JSON.parse(line) as { seq?: number }).flatMap((entry) => entry.seq ?? []);
      expect(seqs).not.toContain(sealed[0].seq);
      expect(seqs.length).toBeGreaterThanOrEqual(BIG_EVENTS);

      await readAll(await openExport(testApp, auditor));
    });

    it('frees the slot and connection of an export answered to a HEAD request (no body is sent)', async () => {
      await testApp.http.head('/v1/audit-events/export?format=ndjson').set(bearer(auditor)).expect(200);
      await readAll(await eventually(() => openExport(testApp, auditor)));
      expect(await openTransactions(database.url)).toBe(0);
    });

    it('frees the slot and connection of an export whose client left before the answer', async () => {
      // The export waits for the chain, locked here, so the client is gone before its first chunk.
      await withDatabase(database.url, async (locker) => {
        await locker.query('BEGIN');
        await locker.query('LOCK TABLE audit_chain IN ACCESS EXCLUSIVE MODE');
        const gone = request({
          host: '127.0.0.1',
          port: await listeningPort(testApp),
          path: '/v1/audit-events/export?format=ndjson',
          headers: bearer(auditor),
          agent: false,
        });
        gone.on('error', () => undefined).end();
        await new Promise((resolve) => setTimeout(resolve, 300));
        gone.destroy();
        await new Promise((resolve) => setTimeout(resolve, 100));
        await locker.query('COMMIT');
      });
      // The abandoned export goes on until its first chunk is ready, then ends: its slot comes back.
      await readAll(await eventually(() => openExport(testApp, auditor)));
      expect(await openTransactions(database.url)).toBe(0);
    });

    it('ends the download of a reader that stops, and frees its slot and connection', async () => {
      const impatient = await startTestApp({
        DATABASE_URL: database.url,
        AUDIT_EXPORT_IDLE_TIMEOUT_MS: '1000',
        AUDIT_EXPORT_MAX_CONCURRENT: '1',
      });
      try {
        const stalled = await openExport(impatient, auditor);
        stalled.pause();
        // Read again well after the idle limit: by then the server has broken the download off.
        setTimeout(() => stalled.resume(), 3_000);
        stalled.on('error', () => undefined);
        const complete = await new Promise<boolean>((resolve) =>
          stalled.once('close', () => resolve(stalled.complete)),
        );
        expect(complete).toBe(false);
        // The cursor's transaction is over and its connection back in the pool: the next export is let in.
        expect(await openTransactions(database.url)).toBe(0);
        await readAll(await openExport(impatient, auditor));
      } finally {
        await impatient.close();
      }
    });
  });
});

/** What `attempt` gives once it stops throwing, retried for up to 5 s. */
async function eventually<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (tries >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Transactions left open on the database by others, once what is closing has had a moment to close. */
async function openTransactions(url: string): Promise<number> {
  let open = 0;
  for (let attempt = 0; attempt < 20; attempt++) {
    const result = await withDatabase(url, (client) =>
      client.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_stat_activity
          WHERE datname = current_database() AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()`,
      ),
    );
    open = Number(result.rows[0].n);
    if (open === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return open;
}

/** The port the app listens on, listening first if it does not yet (supertest alone never needs it to). */
async function listeningPort(testApp: TestApp): Promise<number> {
  const server = testApp.app.getHttpServer();
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** GET the full NDJSON export over a socket of its own; resolves with the headers, the body left unread. */
async function openExport(testApp: TestApp, user: TestUser): Promise<IncomingMessage> {
  const port = await listeningPort(testApp);
  return new Promise((resolve, reject) => {
    request(
      { host: '127.0.0.1', port, path: '/v1/audit-events/export?format=ndjson', headers: bearer(user), agent: false },
      (response) => {
        if (response.statusCode === 200) resolve(response);
        else reject(new Error(`export answered ${response.statusCode}`));
      },
    )
      .on('error', reject)
      .end();
  });
}

function readAll(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('error', reject);
    response.resume();
  });
}
