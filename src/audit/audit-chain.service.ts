import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Between, DataSource, type EntityManager, MoreThanOrEqual, type Repository } from 'typeorm';
import { Environment } from '../platform/config/environment';
import { inReadOnlySnapshot } from '../platform/database/read-only-snapshot';
import { InvalidRequestError } from '../platform/errors/invalid-request.error';
import { findPage, mapPage, type Page, type PageRequest } from '../platform/http/keyset-pagination';
import { ConcurrencyLimit } from '../platform/scheduling/concurrency-limit';
import { ChainVerifier, type ChainVerification, GENESIS_HASH, type SignedCheckpoint } from './audit-chain';
import { AuditChainLink } from './audit-chain-link.entity';
import { AuditCheckpoint } from './audit-checkpoint.entity';
import { toAuditRecord } from './audit-record.mapper';
import { AuditSigningKey } from './audit-signing-key';
import { AuditVerificationsBusyError } from './audit.errors';

/** Links read per query while walking the chain: memory stays flat however long it is. */
export const CHAIN_READ_BATCH = 2_000;

/** Reads the chain for auditors: verification, signed checkpoints, the public key. */
@Injectable()
export class AuditChainService {
  private readonly verifications: ConcurrencyLimit;

  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(AuditCheckpoint) private readonly checkpoints: Repository<AuditCheckpoint>,
    private readonly signingKey: AuditSigningKey,
    environment: Environment,
  ) {
    this.verifications = new ConcurrencyLimit(environment.AUDIT_VERIFY_MAX_CONCURRENT);
  }

  /**
   * Recomputes the chain over `[from, to]` (default: all of it) against the
   * events as stored now and the signed checkpoints, naming the first seq
   * that fails. Events not yet sealed are not part of the chain yet.
   *
   * Every read comes from one snapshot: the sealer appends events and their
   * checkpoints all the time, and a checkpoint read after the head would
   * cover events the walk never saw, which is how a deletion looks. The
   * snapshot holds a pooled connection for the whole walk, so at most
   * AUDIT_VERIFY_MAX_CONCURRENT run at once; more are refused (429).
   */
  async verify(range: { from?: number; to?: number }): Promise<ChainVerification> {
    const from = range.from ?? 1;
    if (range.to !== undefined && range.to < from) {
      throw new InvalidRequestError([{ field: 'to', message: 'to must not be less than from' }]);
    }
    const release = this.verifications.tryAcquire();
    if (!release) {
      throw new AuditVerificationsBusyError(this.verifications);
    }
    try {
      return await inReadOnlySnapshot(this.dataSource, (manager) => this.verifyIn(manager, from, range.to));
    } finally {
      release();
    }
  }

  private async verifyIn(manager: EntityManager, from: number, requestedTo?: number): Promise<ChainVerification> {
    const links = manager.getRepository(AuditChainLink);
    const checkpoints = manager.getRepository(AuditCheckpoint);
    const [head] = await links.find({ select: { seq: true }, order: { seq: 'DESC' }, take: 1 });
    const headSeq = head?.seq ?? 0;
    const to = Math.min(requestedTo ?? headSeq, headSeq);
    const anchor = from === 1 ? GENESIS_HASH : ((await links.findOneBy({ seq: from - 1 }))?.hash ?? null);
    const verifier = new ChainVerifier(
      (checkpoint) => this.signingKey.publicKey.verifies(checkpoint),
      { seq: from, prevHash: anchor },
      (seq, hash, mac) => this.signingKey.verifiesLinkMac(seq, hash, mac),
    );

    const signed = await checkpoints.find({ where: { seq: Between(from, to) }, order: { seq: 'ASC' } });
    for (const checkpoint of signed) verifier.addCheckpoint(toSignedCheckpoint(checkpoint));

    for (let next = from; next <= to && !verifier.failed; next += CHAIN_READ_BATCH) {
      const batch = await links
        .createQueryBuilder('link')
        .leftJoinAndSelect('link.event', 'event')
        .where('link.seq BETWEEN :first AND :last', { first: next, last: Math.min(next + CHAIN_READ_BATCH - 1, to) })
        .orderBy('link.seq')
        .getMany();
      for (const link of batch) {
        verifier.addRecord(link.event ? toAuditRecord(link.event, link) : { seq: link.seq, missing: true }, link.mac);
      }
    }
    verifier.expectEnd(to);
    if (requestedTo === undefined && !verifier.failed) {
      // Events cut off the end, and their checkpoints left behind: the chain is shorter than signed.
      const beyond = await checkpoints.findOne({ where: { seq: MoreThanOrEqual(to + 1) }, order: { seq: 'ASC' } });
      if (beyond) verifier.reportFault(to + 1, `events missing: a signed checkpoint covers seq ${beyond.seq}`);
    }
    return verifier.result();
  }

  /** Signed checkpoints, newest first. */
  async listCheckpoints(request: PageRequest): Promise<Page<SignedCheckpoint>> {
    const page = await findPage(this.checkpoints.createQueryBuilder('checkpoint'), request, {
      property: 'seq',
      direction: 'DESC',
    });
    return mapPage(page, toSignedCheckpoint);
  }

  publicKey(): { algorithm: string; keyId: string; publicKeyPem: string } {
    const { keyId, pem } = this.signingKey.publicKey;
    return { algorithm: 'Ed25519', keyId, publicKeyPem: pem };
  }
}

export function toSignedCheckpoint(checkpoint: AuditCheckpoint): SignedCheckpoint {
  return {
    seq: checkpoint.seq,
    hash: checkpoint.hash,
    signedAt: checkpoint.signedAt.toISOString(),
    keyId: checkpoint.keyId,
    signature: checkpoint.signature,
  };
}
