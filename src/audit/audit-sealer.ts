import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { Environment } from '../platform/config/environment';
import { GENESIS_HASH, recordHash } from './audit-chain';
import { AuditChainLink } from './audit-chain-link.entity';
import { AuditCheckpoint } from './audit-checkpoint.entity';
import { AuditEvent } from './audit-event.entity';
import { toAuditRecord } from './audit-record.mapper';
import { AuditSigningKey } from './audit-signing-key';

/** Events sealed per transaction; a backlog is sealed in several. */
const BATCH_SIZE = 2_000;
/** Rows per INSERT statement (5 parameters each, well under PostgreSQL's 65535). */
const INSERT_CHUNK = 1_000;
/** Only one sealer appends at a time, across replicas; the others skip their turn. */
const SEAL_LOCK_KEY = 0x61756469_74; // "audit"

type Head = Pick<AuditChainLink, 'seq' | 'hash' | 'mac' | 'horizon'>;

/**
 * Appends committed events to the hash chain, after their transactions, so
 * business writes never wait on the chain: they only insert their event.
 *
 * Each event carries the id of the transaction that wrote it. A transaction
 * id below the snapshot's xmin (the "horizon") belongs to a transaction that
 * has finished, so every event below the horizon that will ever exist is
 * visible now: the sealer appends those not yet in the chain, in transaction
 * order, and never has to come back below the horizon. Rolled-back events
 * never existed, so `seq` has no gaps. Then it signs a checkpoint when
 * enough events or time have passed since the last one.
 *
 * A long-running transaction (anywhere on the server) holds the horizon back:
 * events committed after it wait, unsealed, until it ends.
 */
@Injectable()
export class AuditSealer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AuditSealer.name);
  private timer?: NodeJS.Timeout;
  private sealing: Promise<number> = Promise.resolve(0);
  private busy = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly environment: Environment,
    private readonly signingKey: AuditSigningKey,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (!this.busy) void this.enqueue(false).catch(() => undefined);
    }, this.environment.AUDIT_SEAL_INTERVAL_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.enqueue(true).catch(() => undefined);
  }

  /**
   * Seals every event whose transaction has finished, in as many batches as
   * it takes; returns how many. Calls queue behind one another.
   */
  sealPending(): Promise<number> {
    return this.enqueue(true);
  }

  /** `waitForLock`: wait for another replica's sealing to finish, rather than skip this turn. */
  private enqueue(waitForLock: boolean): Promise<number> {
    const run = this.sealing.catch(() => 0).then(() => this.sealAll(waitForLock));
    this.sealing = run;
    return run;
  }

  private async sealAll(waitForLock: boolean): Promise<number> {
    this.busy = true;
    try {
      let total = 0;
      for (;;) {
        const sealed = await this.dataSource.transaction((manager) => this.sealBatch(manager, waitForLock));
        total += sealed;
        if (sealed < BATCH_SIZE) return total;
      }
    } catch (error) {
      this.logger.error({ event: 'audit.seal_failed', err: error });
      throw error;
    } finally {
      this.busy = false;
    }
  }

  private async sealBatch(manager: EntityManager, waitForLock: boolean): Promise<number> {
    if (waitForLock) {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [SEAL_LOCK_KEY]);
    } else {
      const [{ locked }] = await manager.query<{ locked: boolean }[]>(
        'SELECT pg_try_advisory_xact_lock($1) AS locked',
        [SEAL_LOCK_KEY],
      );
      if (!locked) return 0;
    }

    const head = await this.head(manager);
    if (head && !this.signingKey.verifiesLinkMac(head.seq, head.hash, head.mac)) {
      // Someone wrote the head link in the database: extending it would vouch for it.
      throw new Error(
        `Audit chain head (seq ${head.seq}) was not written by the sealer: sealing stops; run /v1/audit/verify`,
      );
    }
    const [{ horizon }] = await manager.query<{ horizon: string }[]>(
      'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon',
    );
    // A new statement, a new snapshot: every transaction below the horizon is visible in it.
    const events = await manager
      .getRepository(AuditEvent)
      .createQueryBuilder('event')
      .addSelect('event.txId')
      .where('event.txId >= :lower AND event.txId < :horizon', { lower: head?.horizon ?? 0, horizon })
      .andWhere('NOT EXISTS (SELECT 1 FROM audit_chain link WHERE link.event_id = event.id)')
      .orderBy('event.txId')
      .addOrderBy('event.occurredAt')
      .addOrderBy('event.id')
      .limit(BATCH_SIZE)
      .getMany();

    // A full batch may leave events of its last transaction: the next one starts there.
    const sealedBelow = events.length === BATCH_SIZE ? events[events.length - 1].txId : Number(horizon);
    let seq = head?.seq ?? 0;
    let prevHash = head?.hash ?? GENESIS_HASH;
    const links: Pick<AuditChainLink, 'seq' | 'eventId' | 'prevHash' | 'hash' | 'mac' | 'horizon'>[] = [];
    for (const event of events) {
      seq += 1;
      const hash = recordHash(toAuditRecord(event, { seq, prevHash, hash: null }));
      links.push({
        seq,
        eventId: event.id,
        prevHash,
        hash,
        mac: this.signingKey.linkMac(seq, hash),
        horizon: sealedBelow,
      });
      prevHash = hash;
    }
    for (let start = 0; start < links.length; start += INSERT_CHUNK) {
      await manager.insert(AuditChainLink, links.slice(start, start + INSERT_CHUNK));
    }
    if (seq > 0) await this.checkpointIfDue(manager, { seq, hash: prevHash });
    return events.length;
  }

  private async head(manager: EntityManager): Promise<Head | null> {
    const [head] = await manager
      .getRepository(AuditChainLink)
      .find({ select: { seq: true, hash: true, mac: true, horizon: true }, order: { seq: 'DESC' }, take: 1 });
    return head ?? null;
  }

  private async checkpointIfDue(manager: EntityManager, head: { seq: number; hash: string }): Promise<void> {
    const [last] = await manager.getRepository(AuditCheckpoint).find({ order: { seq: 'DESC' }, take: 1 });
    if (last && last.seq >= head.seq) return;
    const now = new Date();
    const enoughEvents = head.seq - (last?.seq ?? 0) >= this.environment.AUDIT_CHECKPOINT_EVERY_EVENTS;
    const enoughTime =
      !last || now.getTime() - last.signedAt.getTime() >= this.environment.AUDIT_CHECKPOINT_INTERVAL_MS;
    if (!enoughEvents && !enoughTime) return;
    const checkpoint = this.signingKey.sign({ seq: head.seq, hash: head.hash, signedAt: now.toISOString() });
    await manager.insert(AuditCheckpoint, { ...checkpoint, signedAt: now });
    this.logger.log({ event: 'audit.checkpoint_signed', seq: head.seq, keyId: checkpoint.keyId });
  }
}
