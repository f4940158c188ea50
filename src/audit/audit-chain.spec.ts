import { generateKeyPairSync } from 'node:crypto';
import { type AuditRecord, ChainVerifier, GENESIS_HASH, recordHash } from './audit-chain';
import { AuditPublicKey, AuditSigningKey } from './audit-signing-key';

function record(seq: number, prevHash: string, overrides: Partial<AuditRecord> = {}): AuditRecord {
  const unsealed: AuditRecord = {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    seq,
    occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
    actor: { type: 'user', id: null, organizationId: null, apiKeyId: null },
    action: 'user.updated',
    resource: { type: 'User', id: String(seq) },
    outcome: 'success',
    requestId: `r-${seq}`,
    ip: '127.0.0.1',
    userAgent: 'test',
    changes: { before: { roles: ['buyer'] }, after: { roles: ['org_admin'] } },
    details: null,
    prevHash,
    hash: null,
    ...overrides,
  };
  return { ...unsealed, hash: recordHash(unsealed) };
}

function chain(length: number): AuditRecord[] {
  const records: AuditRecord[] = [];
  for (let seq = 1; seq <= length; seq++) records.push(record(seq, records.at(-1)?.hash ?? GENESIS_HASH));
  return records;
}

const signingKey = AuditSigningKey.parse(
  generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
);
const checkSignature = signingKey.publicKey.verifies.bind(signingKey.publicKey);

function verify(records: (AuditRecord | { seq: number; missing: true })[], checkpointsAt: number[] = []) {
  const verifier = new ChainVerifier(checkSignature, { seq: 1, prevHash: GENESIS_HASH });
  for (const entry of records) {
    verifier.addRecord(entry);
    if (entry.seq !== null && checkpointsAt.includes(entry.seq) && 'hash' in entry && entry.hash) {
      verifier.addCheckpoint(
        signingKey.sign({ seq: entry.seq, hash: entry.hash, signedAt: '2026-01-01T00:00:00.000Z' }),
      );
    }
  }
  return verifier.result();
}

describe('recordHash (RFC 8785 canonical JSON, SHA-256)', () => {
  it('does not depend on key order, and covers every field but hash', () => {
    const [first] = chain(1);
    const reordered = Object.fromEntries(Object.entries(first).reverse()) as unknown as AuditRecord;
    expect(recordHash(reordered)).toBe(first.hash);
    expect(recordHash({ ...first, hash: 'anything' })).toBe(first.hash);
    expect(recordHash({ ...first, ip: '10.0.0.1' })).not.toBe(first.hash);
    expect(recordHash({ ...first, changes: { before: {}, after: { roles: ['admin'] } } })).not.toBe(first.hash);
  });
});

describe('ChainVerifier', () => {
  it('accepts an intact chain and its checkpoints', () => {
    const records = chain(5);
    expect(verify(records, [3, 5])).toEqual({
      valid: true,
      checkedEvents: 5,
      checkedCheckpoints: 2,
      headSeq: 5,
      headHash: records[4].hash,
      lastCheckpointSeq: 5,
    });
  });

  it('names a changed record', () => {
    const records = chain(5);
    records[2] = { ...records[2], action: 'user.deleted' };
    expect(verify(records)).toMatchObject({ valid: false, firstInvalidSeq: 3, checkedEvents: 2 });
  });

  it('names a deleted record: a gap, or a link without its event', () => {
    const records = chain(5);
    expect(verify([...records.slice(0, 2), ...records.slice(3)])).toMatchObject({ valid: false, firstInvalidSeq: 3 });
    expect(verify([...records.slice(0, 2), { seq: 3, missing: true }, ...records.slice(3)])).toMatchObject({
      valid: false,
      firstInvalidSeq: 3,
      reason: 'event missing',
    });
  });

  it('names the first of two reordered records', () => {
    const records = chain(5);
    const swapped = [records[0], { ...records[2], seq: 2 }, { ...records[1], seq: 3 }, records[3], records[4]];
    expect(verify(swapped)).toMatchObject({ valid: false, firstInvalidSeq: 2 });
  });

  it('catches a rewrite with every hash recomputed by the signed checkpoint it contradicts', () => {
    const records = chain(6);
    const forged: AuditRecord[] = records.slice(0, 3);
    for (const original of records.slice(3)) {
      forged.push(record(original.seq ?? 0, forged.at(-1)?.hash ?? GENESIS_HASH, { action: 'user.forged' }));
    }
    const verifier = new ChainVerifier(checkSignature, { seq: 1, prevHash: GENESIS_HASH });
    verifier.addCheckpoint(
      signingKey.sign({ seq: 2, hash: records[1].hash ?? '', signedAt: '2026-01-01T00:00:00.000Z' }),
    );
    verifier.addCheckpoint(
      signingKey.sign({ seq: 6, hash: records[5].hash ?? '', signedAt: '2026-01-01T00:00:01.000Z' }),
    );
    for (const entry of forged) verifier.addRecord(entry);
    expect(verifier.result()).toMatchObject({ valid: false, firstInvalidSeq: 3, lastCheckpointSeq: 2 });
  });

  it('refuses a checkpoint not signed by the key', () => {
    const records = chain(2);
    const otherKey = AuditSigningKey.parse(
      generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    );
    const verifier = new ChainVerifier(checkSignature);
    verifier.addRecord(records[0]);
    verifier.addCheckpoint(
      otherKey.sign({ seq: 1, hash: records[0].hash ?? '', signedAt: '2026-01-01T00:00:00.000Z' }),
    );
    expect(verifier.result()).toMatchObject({
      valid: false,
      firstInvalidSeq: 1,
      reason: 'checkpoint signature invalid',
    });
  });

  it('treats a range ending early as a gap', () => {
    const verifier = new ChainVerifier(checkSignature, { seq: 1, prevHash: GENESIS_HASH });
    for (const entry of chain(3)) verifier.addRecord(entry);
    verifier.expectEnd(5);
    expect(verifier.result()).toMatchObject({ valid: false, firstInvalidSeq: 4 });
  });
});

describe('AuditPublicKey', () => {
  it('reads the PEM or the JSON of GET /v1/audit/public-key, with the same key id', () => {
    const { pem, keyId } = signingKey.publicKey;
    expect(AuditPublicKey.parse(pem).keyId).toBe(keyId);
    expect(AuditPublicKey.parse(JSON.stringify({ algorithm: 'Ed25519', keyId, publicKeyPem: pem })).keyId).toBe(keyId);
  });
});
