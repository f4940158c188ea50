import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditPublicKey } from '../src/audit/audit-signing-key';
import { verifyExport } from '../src/audit/cli/verify-export';
import { probeWrite, sealNow } from './support/audit';
import { AuditProbeModule } from './support/fixtures/audit-probe.module';
import { bearer, createUser, type TestUser, uniqueEmail } from './support/identity';
import { onRealDatabase, startTestApp, type TestApp } from './support/test-app';

describe('Audit chain: sealing, verification, signed checkpoints, offline verification', () => {
  let testApp: TestApp;
  let auditor: TestUser;
  let workDir: string;

  beforeAll(async () => {
    testApp = await startTestApp({ AUDIT_CHECKPOINT_EVERY_EVENTS: '4' }, [AuditProbeModule]);
    auditor = await createUser(testApp, { roles: ['auditor'] });
    workDir = mkdtempSync(join(tmpdir(), 'audit-chain-'));
  });

  afterAll(async () => {
    rmSync(workDir, { recursive: true, force: true });
    await testApp.close();
  });

  const get = (path: string) => testApp.http.get(path).set(bearer(auditor));

  async function eventsOf(resourceId: string) {
    const response = await get(`/v1/audit-events?resourceId=${resourceId}`).expect(200);
    return response.body.items as { seq: number | null; hash: string | null; action: string }[];
  }

  async function exportToFile(name: string): Promise<string> {
    const response = await get('/v1/audit-events/export?format=ndjson')
      .buffer(true)
      .parse((res, done) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => done(null, text));
      })
      .expect(200)
      .expect('content-type', /application\/x-ndjson/);
    const file = join(workDir, name);
    writeFileSync(file, response.body as string);
    return file;
  }

  it('seals committed events into the chain, in seq order without gaps, and verifies it', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await probeWrite(testApp));
    await sealNow(testApp);

    const seqs: number[] = [];
    for (const id of ids) {
      const [event] = await eventsOf(id);
      expect(event.seq).toEqual(expect.any(Number));
      expect(event.hash).toMatch(/^[0-9a-f]{64}$/);
      seqs.push(event.seq as number);
    }
    expect(new Set(seqs).size).toBe(ids.length);

    const verification = await get('/v1/audit/verify').expect(200);
    expect(verification.body).toMatchObject({ valid: true, headSeq: expect.any(Number), headHash: expect.any(String) });
    expect(verification.body.checkedEvents).toBe(verification.body.headSeq);
    expect(verification.body.firstInvalidSeq).toBeUndefined();
  });

  it('verifies a seq range, and refuses a range that ends before it starts', async () => {
    await probeWrite(testApp);
    await sealNow(testApp);
    const range = await get('/v1/audit/verify?from=2&to=3').expect(200);
    expect(range.body).toMatchObject({ valid: true, checkedEvents: 2, headSeq: 3 });
    const problem = await get('/v1/audit/verify?from=5&to=2').expect(400);
    expect(problem.body.errors).toEqual([expect.objectContaining({ field: 'to' })]);
    await get('/v1/audit/verify?from=0').expect(400);
    await get('/v1/audit/verify?from=abc').expect(400);
  });

  it('signs checkpoints that the public key verifies', async () => {
    for (let i = 0; i < 5; i++) await probeWrite(testApp);
    await sealNow(testApp);
    const publicKey = AuditPublicKey.parse(JSON.stringify((await get('/v1/audit/public-key').expect(200)).body));
    const page = await get('/v1/audit/checkpoints?limit=100').expect(200);
    expect(page.body.items.length).toBeGreaterThan(0);
    for (const checkpoint of page.body.items) {
      expect(publicKey.verifies(checkpoint)).toBe(true);
      expect(publicKey.verifies({ ...checkpoint, hash: '0'.repeat(64) })).toBe(false);
    }
    const seqs = (page.body.items as { seq: number }[]).map((checkpoint) => checkpoint.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
  });

  it('exports NDJSON that `npm run audit:verify` accepts offline, and names the first line edited after export', async () => {
    await probeWrite(testApp);
    await sealNow(testApp);
    const exported = await exportToFile('export.ndjson');
    const keyFile = join(workDir, 'public-key.pem');
    writeFileSync(keyFile, (await get('/v1/audit/public-key').expect(200)).body.publicKeyPem);

    const run = spawnSync('npm', ['run', '--silent', 'audit:verify', '--', exported, '--public-key', keyFile], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    const verdict = JSON.parse(run.stdout);
    expect(verdict).toMatchObject({ valid: true, checkedCheckpoints: expect.any(Number) });
    expect(verdict.checkedCheckpoints).toBeGreaterThan(0);

    const lines = readFileSync(exported, 'utf8').trimEnd().split('\n');
    const target = lines.findIndex((line) => JSON.parse(line).seq === 3);
    const edited = { ...JSON.parse(lines[target]), outcome: 'failure' };
    lines[target] = JSON.stringify(edited);
    const tampered = join(workDir, 'tampered.ndjson');
    writeFileSync(tampered, `${lines.join('\n')}\n`);

    const rerun = spawnSync('npm', ['run', '--silent', 'audit:verify', '--', tampered, '--public-key', keyFile], {
      encoding: 'utf8',
    });
    expect(rerun.status).toBe(1);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ valid: false, firstInvalidSeq: 3 });
  });

  it('refuses an export checked against another key', async () => {
    const exported = await exportToFile('export-other-key.ndjson');
    const { generateKeyPairSync } = await import('node:crypto');
    const otherKey = new AuditPublicKey(generateKeyPairSync('ed25519').publicKey);
    const verdict = await verifyExport(exported, otherKey);
    expect(verdict).toMatchObject({ valid: false, reason: 'checkpoint signature invalid' });
  });

  (onRealDatabase ? it : it.skip)(
    '(real PostgreSQL) 60 parallel writers, sealed while they write: every change has exactly one event, the chain verifies',
    async () => {
      const writes = Array.from({ length: 60 }, () => probeWrite(testApp));
      const sealing = Array.from({ length: 5 }, () => sealNow(testApp));
      const ids = await Promise.all(writes);
      await Promise.all(sealing);
      await sealNow(testApp);

      const seqs = new Set<number>();
      for (const id of ids) {
        const events = await eventsOf(id);
        expect(events).toHaveLength(1);
        expect(events[0].action).toBe('organization.created');
        expect(events[0].seq).toEqual(expect.any(Number));
        seqs.add(events[0].seq as number);
      }
      expect(seqs.size).toBe(60);
      const verification = await get('/v1/audit/verify').expect(200);
      expect(verification.body).toMatchObject({ valid: true });
      expect(verification.body.checkedEvents).toBe(verification.body.headSeq);
    },
  );
});

(onRealDatabase ? describe : describe.skip)('Audit verify while the sealer appends (real PostgreSQL)', () => {
  const ROUNDS = 40;
  let testApp: TestApp;
  let auditor: TestUser;

  beforeAll(async () => {
    // A checkpoint with every event, sealed every 50 ms: verify races the sealer all the time, three at once.
    testApp = await startTestApp({
      AUDIT_CHECKPOINT_EVERY_EVENTS: '1',
      AUDIT_SEAL_INTERVAL_MS: '50',
      AUDIT_VERIFY_MAX_CONCURRENT: '3',
    });
    auditor = await createUser(testApp, { roles: ['auditor'] });
  });
  afterAll(() => testApp?.close());

  /** One failed login: one audit event, sealed (with its checkpoint) by the next tick. */
  async function failLogin(): Promise<void> {
    await testApp.http
      .post('/v1/auth/login')
      .send({ email: uniqueEmail('nobody'), password: 'not the password of anyone at all' })
      .expect(401);
  }

  async function verify(): Promise<{ valid: boolean; reason?: string }> {
    const response = await testApp.http.get('/v1/audit/verify').set(bearer(auditor)).expect(200);
    return response.body as { valid: boolean; reason?: string };
  }

  it('never reports an intact chain as tampered while events and checkpoints are added', async () => {
    const verdicts: { valid: boolean; reason?: string }[] = [];
    const writers = Array.from({ length: 3 }, async () => {
      for (let round = 0; round < ROUNDS; round++) await failLogin();
    });
    const auditors = Array.from({ length: 3 }, async () => {
      for (let round = 0; round < ROUNDS; round++) verdicts.push(await verify());
    });
    await Promise.all([...writers, ...auditors]);

    expect(verdicts).toHaveLength(3 * ROUNDS);
    expect(verdicts.filter((verdict) => !verdict.valid)).toEqual([]);
  });
});
