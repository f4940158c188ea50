import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Counter } from 'prom-client';
import type { Repository } from 'typeorm';
import { violatesUnique } from '../platform/database/unique-violation';
import { Environment } from '../platform/config/environment';
import { MetricsService } from '../platform/metrics/metrics.service';
import { SerialJob } from '../platform/scheduling/serial-job';
import { GENESIS_HASH, recordHash, type SignedCheckpoint } from './audit-chain';
import { AuditChainLink } from './audit-chain-link.entity';
import { AuditCheckpoint } from './audit-checkpoint.entity';
import { AuditEvent } from './audit-event.entity';
import { toAuditRecord } from './audit-record.mapper';
import { AuditSigningKey } from './audit-signing-key';

/** Events sealed per append (6 parameters each: one statement stays under PostgreSQL's 65535). */
const BATCH_SIZE = 2_000;
/** Appends lost to another sealer (another replica) in a row before `sealPending` gives up. */
const MAX_CONFLICTS = 50;

type Head = Pick<AuditChainLink, 'seq' | 'hash' | 'mac' | 'horizon'>;
type NewLink = Pick<AuditChainLink, 'seq' | 'eventId' | 'prevHash' | 'hash' | 'mac' | 'horizon'>;

/**
 * Appends committed events to the hash chain, after their transactions, so
 * business writes never wait on the chain: they only insert their event.
 *
 * Each event carries the id of the transaction that wrote it. A transaction
 * id below the snapshot's xmin (the "horizon") belongs to a transaction that
 * has finished, so every event below the horizon that will ever exist is
 * visible now: the sealer appends those not yet in the chain, in transaction
 * order, and never has to look below the horizon again. Rolled-back events
 * never existed, so `seq` has no gaps. With enough events or time since the
 * last checkpoint, the same statement adds a signed checkpoint of the new head.
 *
 * The append is one INSERT statement, with no lock and no open transaction:
 * two sealers (replicas) racing for the same seqs or events collide on the
 * primary key or the unique event id, and the loser reads again. (One
 * statement also keeps the embedded database, whose connections share one
 * session, away from interleaved transactions.)
 *
 * A long-running transaction (anywhere on the server) holds the horizon back:
 * events committed after it wait, unsealed, until it ends.
 */
@Injectable()
export class AuditSealer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AuditSealer.name);
  private readonly job = new SerialJob(() => this.sealAll());
  private readonly sealedEvents: Counter;
  private readonly signedCheckpoints: Counter;
  private readonly failedSeals: Counter;

  constructor(
    @InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>,
    @InjectRepository(AuditChainLink) private readonly links: Repository<AuditChainLink>,
    @InjectRepository(AuditCheckpoint) private readonly checkpoints: Repository<AuditCheckpoint>,
    private readonly environment: Environment,
    private readonly signingKey: AuditSigningKey,
    metrics: MetricsService,
  ) {
    this.sealedEvents = metrics.counter('audit_events_sealed_total', 'Audit events appended to the hash chain.');
    this.signedCheckpoints = metrics.counter('audit_checkpoints_signed_total', 'Signed checkpoints of the chain head.');
    this.failedSeals = metrics.counter(
      'audit_seal_failures_total',
      'Sealing rounds that failed (the database, or a chain head the sealer did not write): events wait unsealed.',
    );
  }

  onApplicationBootstrap(): void {
    this.job.start(this.environment.AUDIT_SEAL_INTERVAL_MS);
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.job.stop();
  }

  /**
   * Seals every event whose transaction has finished, in as many appends as
   * it takes; returns how many. Calls queue behind one another.
   */
  sealPending(): Promise<number> {
    return this.job.run();
  }

  private async sealAll(): Promise<number> {
    try {
      let total = 0;
      let conflicts = 0;
      for (;;) {
        let sealed: number;
        try {
          sealed = await this.appendBatch();
        } catch (error) {
          if (!violatesUnique(error) || ++conflicts > MAX_CONFLICTS) throw error;
          continue; // another sealer appended first: read its head and go on
        }
        total += sealed;
        if (sealed < BATCH_SIZE) return total;
      }
    } catch (error) {
      this.failedSeals.inc();
      this.logger.error({ event: 'audit.seal_failed', err: error });
      throw error;
    }
  }

  private async appendBatch(): Promise<number> {
    const [head] = await this.links.find({
      select: { seq: true, hash: true, mac: true, horizon: true },
      order: { seq: 'DESC' },
      take: 1,
    });
    if (head && !this.signingKey.verifiesLinkMac(head.seq, head.hash, head.mac)) {
      // Someone wrote the head link in the database: extending it would vouch for it.
      throw new Error(
        `Audit chain head (seq ${head.seq}) was not written by the sealer: sealing stops; run /v1/audit/verify`,
      );
    }
    const [{ horizon }] = await this.events.query<{ horizon: string }[]>(
      'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon',
    );
    const events = await this.unsealedBelow(head?.horizon ?? 0, horizon);

    // A full batch may leave events of its last transaction: the next one starts there.
    const sealedBelow = events.length === BATCH_SIZE ? events[events.length - 1].txId : Number(horizon);
    const links = this.chain(head, events, sealedBelow);
    const newHead = links.at(-1) ?? head;
    const checkpoint = newHead ? await this.checkpointIfDue(newHead) : null;
    if (links.length > 0 || checkpoint) await this.append(links, checkpoint);
    this.sealedEvents.inc(links.length);
    if (checkpoint) {
      this.signedCheckpoints.inc();
      this.logger.log({ event: 'audit.checkpoint_signed', seq: checkpoint.seq, keyId: checkpoint.keyId });
    }
    return events.length;
  }

  /**
   * The next events to seal, in chain order: those of finished transactions
   * (below `horizon`) not yet sealed, read in a later statement, so a later
   * snapshot, in which every transaction below the horizon is visible.
   *
   * The order is the index `audit_events_seal_order`, read from `lower` on
   * and stopped after one batch. With statistics that lag a fast-growing table
   * the planner takes the range for a few rows and sorts all of it instead:
   * O(backlog) per batch, about 2,000 events/s on a backlog of a million.
   * Sorting is switched off for this one statement, in a transaction of its own.
   */
  private unsealedBelow(lower: number, horizon: string): Promise<AuditEvent[]> {
    return this.events.manager.transaction(async (manager) => {
      await manager.query('SET LOCAL enable_sort = off');
      return manager
        .createQueryBuilder(AuditEvent, 'event')
        .addSelect('event.txId')
        .where('event.txId >= :lower AND event.txId < :horizon', { lower, horizon })
        .andWhere('NOT EXISTS (SELECT 1 FROM audit_chain link WHERE link.event_id = event.id)')
        .orderBy('event.txId')
        .addOrderBy('event.occurredAt')
        .addOrderBy('event.id')
        .limit(BATCH_SIZE)
        .getMany();
    });
  }

  private chain(head: Head | undefined, events: AuditEvent[], sealedBelow: number): NewLink[] {
    let seq = head?.seq ?? 0;
    let prevHash = head?.hash ?? GENESIS_HASH;
    return events.map((event) => {
      seq += 1;
      const hash = recordHash(toAuditRecord(event, { seq, prevHash, hash: null }));
      const link = {
        seq,
        eventId: event.id,
        prevHash,
        hash,
        mac: this.signingKey.linkMac(seq, hash),
        horizon: sealedBelow,
      };
      prevHash = hash;
      return link;
    });
  }

  private async checkpointIfDue(head: { seq: number; hash: string }): Promise<SignedCheckpoint | null> {
    const [last] = await this.checkpoints.find({
      select: { seq: true, signedAt: true },
      order: { seq: 'DESC' },
      take: 1,
    });
    if (last && last.seq >= head.seq) return null;
    const now = new Date();
    const enoughEvents = head.seq - (last?.seq ?? 0) >= this.environment.AUDIT_CHECKPOINT_EVERY_EVENTS;
    const enoughTime =
      !last || now.getTime() - last.signedAt.getTime() >= this.environment.AUDIT_CHECKPOINT_INTERVAL_MS;
    if (!enoughEvents && !enoughTime) return null;
    return this.signingKey.sign({ seq: head.seq, hash: head.hash, signedAt: now.toISOString() });
  }

  /** The links and the checkpoint in one statement: all of it lands, or none. */
  private async append(links: NewLink[], checkpoint: SignedCheckpoint | null): Promise<void> {
    const parameters: unknown[] = [];
    const placeholders = (values: unknown[]) => `(${values.map((value) => `$${parameters.push(value)}`).join(', ')})`;
    const insertLinks =
      links.length === 0
        ? null
        : `INSERT INTO audit_chain (seq, event_id, prev_hash, hash, mac, horizon) VALUES ${links
            .map((link) => placeholders([link.seq, link.eventId, link.prevHash, link.hash, link.mac, link.horizon]))
            .join(', ')}`;
    const insertCheckpoint = checkpoint
      ? `INSERT INTO audit_checkpoints (seq, hash, signed_at, key_id, signature) VALUES ${placeholders([
          checkpoint.seq,
          checkpoint.hash,
          checkpoint.signedAt,
          checkpoint.keyId,
          checkpoint.signature,
        ])}`
      : null;
    const statement =
      insertLinks && insertCheckpoint
        ? `WITH appended AS (${insertLinks} RETURNING seq) ${insertCheckpoint}`
        : (insertLinks ?? insertCheckpoint ?? '');
    await this.links.query(statement, parameters);
  }
}
