import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** `prevHash` of the first event of the chain. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * An event as auditors see it (API, export) and as it is hashed: every field
 * but `hash` goes into the hash, so changing any of them breaks the chain.
 * `seq`, `prevHash` and `hash` are null until the event is sealed.
 */
export interface AuditRecord {
  id: string;
  seq: number | null;
  occurredAt: string;
  actor: { type: string; id: string | null; organizationId: string | null; apiKeyId: string | null };
  action: string;
  resource: { type: string; id: string | null };
  outcome: string;
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
  changes: unknown;
  details: unknown;
  prevHash: string | null;
  hash: string | null;
}

/** A signed head of the chain, as served and exported. */
export interface SignedCheckpoint {
  seq: number;
  hash: string;
  signedAt: string;
  keyId: string;
  signature: string;
}

/**
 * SHA-256 (hex) of the RFC 8785 (JCS) canonical JSON of the record without
 * its `hash`: the same bytes whatever the key order or number formatting
 * the record travelled in (jsonb, an export, another language's verifier).
 */
export function recordHash(record: Omit<AuditRecord, 'hash'> & { hash?: unknown }): string {
  const { hash: _hash, ...hashed } = record;
  return createHash('sha256').update(canonicalJson(hashed), 'utf8').digest('hex');
}

/** The bytes a checkpoint's signature covers. */
export function checkpointPayload(checkpoint: Omit<SignedCheckpoint, 'signature'>): Buffer {
  const { seq, hash, signedAt, keyId } = checkpoint;
  return Buffer.from(canonicalJson({ seq, hash, signedAt, keyId }), 'utf8');
}

function canonicalJson(value: unknown): string {
  const json = canonicalize(value);
  if (json === undefined) throw new Error('Not serializable as JSON');
  return json;
}

export interface ChainVerification {
  valid: boolean;
  checkedEvents: number;
  checkedCheckpoints: number;
  firstInvalidSeq?: number;
  /** Why `firstInvalidSeq` is invalid. */
  reason?: string;
  headSeq: number | null;
  headHash: string | null;
  /** Highest seq vouched for by a valid signed checkpoint; events after it are chained but not yet signed. */
  lastCheckpointSeq: number | null;
}

/** Checks an Ed25519 signature of a checkpoint; false for an unknown key. */
export type CheckpointSignatureCheck = (checkpoint: SignedCheckpoint) => boolean;

/**
 * Walks a range of the chain in `seq` order, in constant memory, and stops at
 * the first fault: a gap in `seq`, a `prevHash` that does not link, a hash
 * that does not match the record, a checkpoint whose signature fails or that
 * the recomputed chain contradicts. Shared by `GET /v1/audit/verify` and the
 * offline verifier, so both judge alike.
 */
export class ChainVerifier {
  private expectedSeq: number | null;
  private expectedPrevHash: string | null;
  private readonly pending = new Map<number, SignedCheckpoint>();
  private checkedEvents = 0;
  private checkedCheckpoints = 0;
  private lastCheckpointSeq: number | null = null;
  private head: { seq: number; hash: string } | null = null;
  private firstSeq: number | null = null;
  private fault: { seq: number; reason: string } | null = null;

  /**
   * `start` is where the range begins: its first seq and the hash it must
   * link to (the genesis for seq 1). Unknown (an export cut out of the
   * middle): the first record's own `prevHash` is taken as the anchor.
   */
  constructor(
    private readonly checkSignature: CheckpointSignatureCheck,
    start?: { seq: number; prevHash: string | null },
    /** Online only (needs the private key): whether a link's MAC shows the sealer wrote it. */
    private readonly checkLinkMac?: (seq: number, hash: string, mac: string) => boolean,
  ) {
    this.expectedSeq = start?.seq ?? null;
    this.expectedPrevHash = start?.prevHash ?? null;
  }

  /** The seq the next record must have, once known. */
  get nextSeq(): number | null {
    return this.expectedSeq;
  }

  get failed(): boolean {
    return this.fault !== null;
  }

  /**
   * Records arrive in seq order; `record` may lack its event (the row was
   * deleted), then give its seq only. `linkMac` is checked when the verifier
   * was given `checkLinkMac`.
   */
  addRecord(record: AuditRecord | { seq: number; missing: true }, linkMac?: string): void {
    if (this.fault) return;
    const seq = record.seq;
    if (seq === null || !Number.isSafeInteger(seq)) return this.fail(this.expectedSeq ?? 0, 'record without a seq');
    if (this.expectedSeq !== null && seq !== this.expectedSeq) {
      return this.fail(this.expectedSeq, seq > this.expectedSeq ? 'seq missing (gap)' : 'seq out of order');
    }
    if ('missing' in record) return this.fail(seq, 'event missing');
    if (record.prevHash === null || record.hash === null) return this.fail(seq, 'record not sealed');
    if (this.checkLinkMac && !this.checkLinkMac(seq, record.hash, linkMac ?? '')) {
      return this.fail(seq, 'link not written by the sealer (MAC invalid)');
    }
    const expectedPrevHash = this.expectedPrevHash ?? (seq === 1 ? GENESIS_HASH : null);
    if (expectedPrevHash !== null && record.prevHash !== expectedPrevHash) {
      return this.fail(seq, 'prevHash does not link to the previous record');
    }
    if (recordHash(record) !== record.hash) return this.fail(seq, 'hash does not match the record');
    this.checkedEvents++;
    this.firstSeq ??= seq;
    this.head = { seq, hash: record.hash };
    this.expectedSeq = seq + 1;
    this.expectedPrevHash = record.hash;
    const checkpoint = this.pending.get(seq);
    if (checkpoint) {
      this.pending.delete(seq);
      this.check(checkpoint);
    }
  }

  /** A checkpoint of this range: right after its record, or before it (then checked when the record comes). */
  addCheckpoint(checkpoint: SignedCheckpoint): void {
    if (this.fault) return;
    if (this.head && checkpoint.seq === this.head.seq) this.check(checkpoint);
    else if (this.head && checkpoint.seq < this.head.seq) this.fail(checkpoint.seq, 'checkpoint out of order');
    else this.pending.set(checkpoint.seq, checkpoint);
  }

  result(): ChainVerification {
    return {
      valid: this.fault === null,
      checkedEvents: this.checkedEvents,
      checkedCheckpoints: this.checkedCheckpoints,
      ...(this.fault ? { firstInvalidSeq: this.fault.seq, reason: this.fault.reason } : {}),
      headSeq: this.head?.seq ?? null,
      headHash: this.head?.hash ?? null,
      lastCheckpointSeq: this.lastCheckpointSeq,
    };
  }

  private check(checkpoint: SignedCheckpoint): void {
    if (!this.checkSignature(checkpoint)) return this.fail(checkpoint.seq, 'checkpoint signature invalid');
    if (checkpoint.hash !== this.head?.hash) {
      // Every link checked out, yet the signed head differs: the chain was rewritten and
      // its hashes recomputed after the last checkpoint that still matches.
      const firstUnvouched = this.lastCheckpointSeq !== null ? this.lastCheckpointSeq + 1 : (this.firstSeq ?? 1);
      return this.fail(firstUnvouched, `chain differs from the signed checkpoint at seq ${checkpoint.seq}`);
    }
    this.checkedCheckpoints++;
    this.lastCheckpointSeq = checkpoint.seq;
  }

  /** The range ends at `lastSeq`: records missing before it are a gap. */
  expectEnd(lastSeq: number): void {
    if (this.fault || this.expectedSeq === null || this.expectedSeq > lastSeq) return;
    this.fail(this.expectedSeq, 'seq missing (gap)');
  }

  /** A fault found outside the records themselves (the chain ends before a signed checkpoint, an unreadable line). */
  reportFault(seq: number, reason: string): void {
    this.fail(seq, reason);
  }

  private fail(seq: number, reason: string): void {
    this.fault ??= { seq, reason };
  }
}
