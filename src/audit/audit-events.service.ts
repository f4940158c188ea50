import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type Repository, type SelectQueryBuilder } from 'typeorm';
import { ResourceNotFoundError } from '../access/access.errors';
import { Environment } from '../platform/config/environment';
import { endReadOnlySnapshot, startReadOnlySnapshot } from '../platform/database/read-only-snapshot';
import { InvalidRequestError } from '../platform/errors/invalid-request.error';
import { findPage, mapPage, type Page, type PageRequest } from '../platform/http/keyset-pagination';
import type { AuditRecord, SignedCheckpoint } from './audit-chain';
import { AuditChainLink } from './audit-chain-link.entity';
import { AuditEvent, type AuditOutcome } from './audit-event.entity';
import { CSV_HEADER, csvRow, ndjsonLine } from './audit-export-format';
import { toAuditRecord } from './audit-record.mapper';
import { ConcurrencyLimit } from '../platform/scheduling/concurrency-limit';
import { AuditExportsBusyError } from './audit.errors';

/** Rows fetched from the export cursor at a time, and handed to the response as one chunk. */
const EXPORT_FETCH_ROWS = 1_000;

/** A row of the export cursor: an event's columns under its property names, its link and checkpoint. */
interface ExportRow extends AuditEvent {
  seq: string;
  prevHash: string;
  hash: string;
  checkpointHash: string | null;
  checkpointSignedAt: Date | null;
  checkpointKeyId: string | null;
  checkpointSignature: string | null;
}

export interface AuditPeriod {
  from?: string;
  to?: string;
}

export interface AuditEventFilter extends AuditPeriod {
  actorId?: string;
  action?: string;
  resourceType?: string;
  resourceId?: string;
  outcome?: AuditOutcome;
}

/** The trail as auditors read it: filtered lists, single events, streamed exports. */
@Injectable()
export class AuditEventsService {
  private readonly exports: ConcurrencyLimit;

  constructor(
    @InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>,
    private readonly dataSource: DataSource,
    private readonly environment: Environment,
  ) {
    this.exports = new ConcurrencyLimit(environment.AUDIT_EXPORT_MAX_CONCURRENT);
  }

  /** Newest first (by occurredAt, then id), sealed or not yet. */
  async list(filter: AuditEventFilter, page: PageRequest): Promise<Page<AuditRecord>> {
    const { from, to } = period(filter);
    const query = this.withLink(this.events.createQueryBuilder('event'));
    if (filter.actorId) query.andWhere('event.actorId = :actorId', { actorId: filter.actorId });
    if (filter.action) query.andWhere('event.action = :action', { action: filter.action });
    if (filter.resourceType)
      query.andWhere('event.resourceType = :resourceType', { resourceType: filter.resourceType });
    if (filter.resourceId) query.andWhere('event.resourceId = :resourceId', { resourceId: filter.resourceId });
    if (filter.outcome) query.andWhere('event.outcome = :outcome', { outcome: filter.outcome });
    if (from) query.andWhere('event.occurredAt >= :from', { from });
    if (to) query.andWhere('event.occurredAt < :to', { to });
    const result = await findPage(query, page, { property: 'occurredAt', direction: 'DESC' });
    return mapPage(result, (event) => toAuditRecord(event, event.link ?? null));
  }

  async get(id: string): Promise<AuditRecord> {
    const event = await this.withLink(this.events.createQueryBuilder('event')).where('event.id = :id', { id }).getOne();
    if (!event) throw new ResourceNotFoundError('AuditEvent');
    return toAuditRecord(event, event.link ?? null);
  }

  /**
   * The sealed events that occurred in the period, as one contiguous stretch
   * of the chain in seq order (so an offline verifier can check it), read
   * through a database cursor in a read-only snapshot: the next rows are
   * fetched only when the client has read the last, so memory stays flat
   * however long the export. The cursor holds a pooled connection until the
   * download ends, so at most AUDIT_EXPORT_MAX_CONCURRENT run at once (the
   * controller ends the download of a client that stops reading).
   */
  async *export(format: 'ndjson' | 'csv', filter: AuditPeriod): AsyncGenerator<string> {
    const { from, to } = period(filter);
    const release = this.exports.tryAcquire();
    if (!release) throw new AuditExportsBusyError(this.exports);
    const runner = this.dataSource.createQueryRunner();
    try {
      await startReadOnlySnapshot(runner);
      // The one transaction that waits on a client by design, for up to the export's own idle bound.
      const idleMs =
        this.environment.AUDIT_EXPORT_IDLE_TIMEOUT_MS + this.environment.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS;
      await runner.query(`SET LOCAL idle_in_transaction_session_timeout = ${idleMs}`);
      const range = await this.seqRange(runner.manager, from, to);
      if (format === 'csv') yield CSV_HEADER;
      if (!range) return;
      await runner.query(`DECLARE audit_export NO SCROLL CURSOR FOR ${this.exportSql()}`, [range.first, range.last]);
      for (;;) {
        const rows = await runner.manager.query<ExportRow[]>(`FETCH ${EXPORT_FETCH_ROWS} FROM audit_export`);
        if (rows.length === 0) break;
        let chunk = '';
        for (const row of rows) {
          const record = toAuditRecord(row, { seq: Number(row.seq), prevHash: row.prevHash, hash: row.hash });
          if (format === 'csv') {
            chunk += csvRow(record);
          } else {
            chunk += ndjsonLine(record);
            const checkpoint = checkpointOf(row);
            if (checkpoint) chunk += ndjsonLine(checkpoint);
          }
        }
        yield chunk;
      }
    } finally {
      release();
      await endReadOnlySnapshot(runner);
    }
  }

  /** Every link in a seq range with its event and, where one was signed there, its checkpoint. */
  private exportSql(): string {
    const eventColumns = this.events.metadata.columns
      .map((column) => `event.${column.databaseName} AS "${column.propertyName}"`)
      .join(', ');
    return `SELECT link.seq::text AS seq, link.prev_hash AS "prevHash", link.hash AS hash, ${eventColumns},
                   checkpoint.hash AS "checkpointHash", checkpoint.signed_at AS "checkpointSignedAt", checkpoint.key_id AS "checkpointKeyId",
                   checkpoint.signature AS "checkpointSignature"
              FROM audit_chain link
              JOIN audit_events event ON event.id = link.event_id
              LEFT JOIN audit_checkpoints checkpoint ON checkpoint.seq = link.seq
             WHERE link.seq BETWEEN $1 AND $2
             ORDER BY link.seq`;
  }

  /** First and last seq of the sealed events in the period; null when there are none. */
  private async seqRange(
    manager: EntityManager,
    from: Date | undefined,
    to: Date | undefined,
  ): Promise<{ first: number; last: number } | null> {
    const query = manager
      .createQueryBuilder(AuditChainLink, 'link')
      .innerJoin('link.event', 'event')
      .select('MIN(link.seq)::text', 'first')
      .addSelect('MAX(link.seq)::text', 'last');
    if (from) query.andWhere('event.occurredAt >= :from', { from });
    if (to) query.andWhere('event.occurredAt < :to', { to });
    const range = await query.getRawOne<{ first: string | null; last: string | null }>();
    if (!range?.first || !range.last) return null;
    return { first: Number(range.first), last: Number(range.last) };
  }

  private withLink(query: SelectQueryBuilder<AuditEvent>): SelectQueryBuilder<AuditEvent> {
    return query.leftJoinAndMapOne('event.link', AuditChainLink, 'link', 'link.eventId = event.id');
  }
}

function period(filter: AuditPeriod): { from?: Date; to?: Date } {
  const from = filter.from === undefined ? undefined : instant(filter.from, 'from');
  const to = filter.to === undefined ? undefined : instant(filter.to, 'to');
  if (from && to && to < from) throw new InvalidRequestError([{ field: 'to', message: 'to must not be before from' }]);
  return { from, to };
}

function instant(value: string, field: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new InvalidRequestError([{ field, message: `${field} is not a valid instant` }]);
  return date;
}

/** The checkpoint signed at the row's seq, if one was. */
function checkpointOf(row: ExportRow): SignedCheckpoint | null {
  const { checkpointHash, checkpointSignedAt, checkpointKeyId, checkpointSignature } = row;
  if (
    checkpointHash === null ||
    checkpointSignedAt === null ||
    checkpointKeyId === null ||
    checkpointSignature === null
  )
    return null;
  return {
    seq: Number(row.seq),
    hash: checkpointHash,
    signedAt: checkpointSignedAt.toISOString(),
    keyId: checkpointKeyId,
    signature: checkpointSignature,
  };
}
