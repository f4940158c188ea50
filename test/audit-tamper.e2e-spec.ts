import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'pg';
import { DataSource } from 'typeorm';
import { type AuditRecord, type ChainVerification, recordHash } from '../src/audit/audit-chain';
import { AuditPublicKey } from '../src/audit/audit-signing-key';
import { AuditEventsService } from '../src/audit/audit-events.service';
import { verifyExport } from '../src/audit/cli/verify-export';
import { asAttacker, probeWrite, sealNow, serverOf } from './support/audit';
import { AuditProbeModule } from './support/fixtures/audit-probe.module';
import { bearer, createUser, type TestUser } from './support/identity';
import { startTestApp, type TestApp } from './support/test-app';
import { createTestDatabase, type TestDatabase } from './support/test-database';

/**
 * Someone with write access to the database (a superuser who turns the
 * append-only triggers and foreign keys off) rewrites history; the verify
 * endpoint and the offline verifier must each catch it and name the first
 * bad seq. This file has a database of its own: it breaks the chain on purpose.
 */
describe('Audit tamper evidence against a database writer', () => {
  let database: TestDatabase;
  let testApp: TestApp;
  let auditor: TestUser;
  let publicKey: AuditPublicKey;
  let workDir: string;

  beforeAll(async () => {
    const shared = process.env.DATABASE_URL ?? '';
    database = await createTestDatabase(process.env.TEST_DATABASE_REAL === 'true' ? serverOf(shared) : undefined);
    testApp = await startTestApp(
      // Sealed only when the test says, so seqs stay where the test put them.
      { DATABASE_URL: database.url, AUDIT_CHECKPOINT_EVERY_EVENTS: '3', AUDIT_SEAL_INTERVAL_MS: '60000' },
      [AuditProbeModule],
    );
    auditor = await createUser(testApp, { roles: ['auditor'] });
    // Four sealing rounds of three writes: signed checkpoints along the chain.
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 3; i++) await probeWrite(testApp);
      await sealNow(testApp);
    }
    publicKey = AuditPublicKey.parse(JSON.stringify((await get('/v1/audit/public-key').expect(200)).body));
    workDir = mkdtempSync(join(tmpdir(), 'audit-tamper-'));
  }, 120_000);

  afterAll(async () => {
    rmSync(workDir, { recursive: true, force: true });
    await testApp.close();
    await database.drop();
  });

  const get = (path: string) => testApp.http.get(path).set(bearer(auditor));

  /** The verdict of GET /v1/audit/verify; the chain here is never empty. */
  async function verifyOnline(): Promise<ChainVerification & { headSeq: number }> {
    return (await get('/v1/audit/verify').expect(200)).body as ChainVerification & { headSeq: number };
  }

  async function verifyOffline() {
    const response = await get('/v1/audit-events/export?format=ndjson')
      .buffer(true)
      .parse((res, done) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => done(null, text));
      })
      .expect(200);
    const file = join(workDir, `${randomUUID()}.ndjson`);
    writeFileSync(file, response.body as string);
    return verifyExport(file, publicKey);
  }

  async function linkAt(seq: number): Promise<{ eventId: string; hash: string; prevHash: string }> {
    const [link] = await testApp.app
      .get(DataSource)
      .query<{ eventId: string; hash: string; prevHash: string }[]>(
        'SELECT event_id AS "eventId", hash, prev_hash AS "prevHash" FROM audit_chain WHERE seq = $1',
        [seq],
      );
    return link;
  }

  const rowOf = async (client: Client, table: string, where: string, value: unknown): Promise<object> => {
    const result = await client.query<{ row: object }>(
      `SELECT row_to_json(t) AS row FROM ${table} t WHERE ${where} = $1`,
      [value],
    );
    return result.rows[0].row;
  };

  const restoreRow = (client: Client, table: string, row: unknown) =>
    client.query(`INSERT INTO ${table} SELECT * FROM json_populate_record(null::${table}, $1)`, [JSON.stringify(row)]);

  it('starts from an intact, signed chain', async () => {
    const online = await verifyOnline();
    expect(online).toMatchObject({ valid: true });
    expect(online.headSeq).toBeGreaterThanOrEqual(12);
    expect(online.lastCheckpointSeq).toBe(online.headSeq);
    expect(await verifyOffline()).toMatchObject({ valid: true, headSeq: online.headSeq });
  });

  it('names an event with one field changed', async () => {
    const { eventId } = await linkAt(4);
    let originalIp = '';
    await asAttacker(database.url, async (client) => {
      originalIp = (await client.query('SELECT ip FROM audit_events WHERE id = $1', [eventId])).rows[0].ip;
      await client.query(`UPDATE audit_events SET ip = '203.0.113.66' WHERE id = $1`, [eventId]);
    });

    expect(await verifyOnline()).toMatchObject({ valid: false, firstInvalidSeq: 4 });
    expect(await verifyOffline()).toMatchObject({ valid: false, firstInvalidSeq: 4 });

    await asAttacker(database.url, (client) =>
      client.query('UPDATE audit_events SET ip = $2 WHERE id = $1', [eventId, originalIp]).then(() => undefined),
    );
    expect(await verifyOnline()).toMatchObject({ valid: true });
  });

  it('names a deleted event', async () => {
    const { eventId } = await linkAt(6);
    let link: unknown;
    let event: unknown;
    await asAttacker(database.url, async (client) => {
      link = await rowOf(client, 'audit_chain', 'seq', 6);
      event = await rowOf(client, 'audit_events', 'id', eventId);
      await client.query('DELETE FROM audit_chain WHERE seq = 6');
      await client.query('DELETE FROM audit_events WHERE id = $1', [eventId]);
    });

    expect(await verifyOnline()).toMatchObject({ valid: false, firstInvalidSeq: 6 });
    expect(await verifyOffline()).toMatchObject({ valid: false, firstInvalidSeq: 6 });

    await asAttacker(database.url, async (client) => {
      await restoreRow(client, 'audit_events', event);
      await restoreRow(client, 'audit_chain', link);
    });
    expect(await verifyOnline()).toMatchObject({ valid: true });
  });

  it('names a forged event inserted into the middle, hashed and linked like a real one', async () => {
    const previous = await linkAt(7);
    const forgedId = randomUUID();
    const forged: AuditRecord = {
      id: forgedId,
      seq: 8,
      occurredAt: new Date().toISOString(),
      actor: { type: 'system', id: null, organizationId: null, apiKeyId: null },
      action: 'user.updated',
      resource: { type: 'User', id: randomUUID() },
      outcome: 'success',
      requestId: null,
      ip: null,
      userAgent: null,
      changes: { before: { roles: ['buyer'] }, after: { roles: ['admin'] } },
      details: null,
      prevHash: previous.hash,
      hash: null,
    };
    const hash = recordHash(forged);
    const shift = async (client: Client, by: number, from: number) => {
      // Two steps, so no two links share a seq in between.
      await client.query('UPDATE audit_chain SET seq = -seq WHERE seq >= $1', [from]);
      await client.query('UPDATE audit_chain SET seq = -seq + $1 WHERE seq < 0', [by]);
    };
    await asAttacker(database.url, async (client) => {
      await shift(client, 1, 8);
      await client.query(
        `INSERT INTO audit_events (id, occurred_at, actor_type, action, resource_type, resource_id, outcome, changes)
         VALUES ($1, $2, 'system', $3, 'User', $4, 'success', $5)`,
        [forgedId, forged.occurredAt, forged.action, forged.resource.id, JSON.stringify(forged.changes)],
      );
      await client.query(
        `INSERT INTO audit_chain (seq, event_id, prev_hash, hash, mac, horizon) VALUES (8, $1, $2, $3, $4, 0)`,
        [forgedId, previous.hash, hash, 'f'.repeat(64)],
      );
    });

    // Online, the link's MAC (only the sealer holds its key) names the forged event itself.
    expect(await verifyOnline()).toMatchObject({ valid: false, firstInvalidSeq: 8 });
    // Offline there is no MAC: the forged event links and hashes like a real one, so the
    // first record that betrays it is the one after it (no longer linked, its seq moved).
    expect(await verifyOffline()).toMatchObject({ valid: false, firstInvalidSeq: 9 });

    await asAttacker(database.url, async (client) => {
      await client.query('DELETE FROM audit_chain WHERE seq = 8');
      await client.query('DELETE FROM audit_events WHERE id = $1', [forgedId]);
      await shift(client, -1, 9);
    });
    expect(await verifyOnline()).toMatchObject({ valid: true });
  });

  it('names the first of two reordered events', async () => {
    const first = await linkAt(10);
    const second = await linkAt(11);
    const swap = async (client: Client, a: string, b: string) => {
      const placeholder = randomUUID();
      await client.query('UPDATE audit_chain SET event_id = $1 WHERE seq = 10', [placeholder]);
      await client.query('UPDATE audit_chain SET event_id = $1 WHERE seq = 11', [a]);
      await client.query('UPDATE audit_chain SET event_id = $1 WHERE seq = 10', [b]);
    };
    await asAttacker(database.url, (client) => swap(client, first.eventId, second.eventId));

    expect(await verifyOnline()).toMatchObject({ valid: false, firstInvalidSeq: 10 });
    expect(await verifyOffline()).toMatchObject({ valid: false, firstInvalidSeq: 10 });

    await asAttacker(database.url, (client) => swap(client, second.eventId, first.eventId));
    expect(await verifyOnline()).toMatchObject({ valid: true });
  });

  it('catches a rewrite that recomputed every later hash, by the signed checkpoints', async () => {
    const online = await verifyOnline();
    const head: number = online.headSeq;
    // The attacker changes event 5 and recomputes hash and prevHash of every link from 5 to the head.
    const originals: unknown[] = [];
    await asAttacker(database.url, async (client) => {
      for (let seq = 5; seq <= head; seq++) originals.push(await rowOf(client, 'audit_chain', 'seq', seq));
      await client.query(
        `UPDATE audit_events SET outcome = 'failure' WHERE id = (SELECT event_id FROM audit_chain WHERE seq = 5)`,
      );
    });
    let prevHash = (await linkAt(4)).hash;
    const rewritten: { seq: number; prevHash: string; hash: string }[] = [];
    for (let seq = 5; seq <= head; seq++) {
      const record = await testApp.app.get(AuditEventsService).get((await linkAt(seq)).eventId);
      const hash = recordHash({ ...record, seq, prevHash });
      rewritten.push({ seq, prevHash, hash });
      prevHash = hash;
    }
    await asAttacker(database.url, async (client) => {
      for (const link of rewritten) {
        await client.query('UPDATE audit_chain SET prev_hash = $2, hash = $3 WHERE seq = $1', [
          link.seq,
          link.prevHash,
          link.hash,
        ]);
      }
    });

    // Online the MACs name the first rewritten link; offline every link checks out, but the
    // first signed checkpoint after the change contradicts the chain: the events after the
    // last checkpoint that still holds are named.
    const checkpoints = (await get('/v1/audit/checkpoints?limit=100').expect(200)).body.items as { seq: number }[];
    const lastGood = Math.max(...checkpoints.map((checkpoint) => checkpoint.seq).filter((seq) => seq < 5));
    expect(await verifyOnline()).toMatchObject({ valid: false, firstInvalidSeq: 5 });
    expect(await verifyOffline()).toMatchObject({
      valid: false,
      firstInvalidSeq: lastGood + 1,
      lastCheckpointSeq: lastGood,
    });

    await asAttacker(database.url, async (client) => {
      await client.query(
        `UPDATE audit_events SET outcome = 'success' WHERE id = (SELECT event_id FROM audit_chain WHERE seq = 5)`,
      );
      await client.query('DELETE FROM audit_chain WHERE seq >= 5');
      for (const row of originals) await restoreRow(client, 'audit_chain', row);
    });
    expect(await verifyOnline()).toMatchObject({ valid: true });
  });

  it('refuses to extend a chain whose head a writer forged', async () => {
    const online = await verifyOnline();
    expect(online).toMatchObject({ valid: true });
    const head = await linkAt(online.headSeq);
    await asAttacker(database.url, async (client) => {
      const event = await rowOf(client, 'audit_events', 'id', head.eventId);
      const forgedId = randomUUID();
      await restoreRow(client, 'audit_events', { ...event, id: forgedId, action: 'user.forged' });
      await client.query(
        `INSERT INTO audit_chain (seq, event_id, prev_hash, hash, mac, horizon) VALUES ($1, $2, $3, $4, $5, 0)`,
        [online.headSeq + 1, forgedId, head.hash, 'a'.repeat(64), 'b'.repeat(64)],
      );
    });
    await probeWrite(testApp);
    await expect(sealNow(testApp)).rejects.toThrow(/not written by the sealer/);
    expect(await verifyOnline()).toMatchObject({ valid: false, firstInvalidSeq: online.headSeq + 1 });
  });
});
