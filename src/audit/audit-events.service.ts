import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Between, type Repository, type SelectQueryBuilder } from 'typeorm';
import { ResourceNotFoundError } from '../access/access.errors';
import { InvalidRequestError } from '../platform/errors/invalid-request.error';
import { findPage, mapPage, type Page, type PageRequest } from '../platform/http/keyset-pagination';
import type { AuditRecord } from './audit-chain';
import { AuditChainLink } from './audit-chain-link.entity';
import { CHAIN_READ_BATCH, toSignedCheckpoint } from './audit-chain.service';
import { AuditCheckpoint } from './audit-checkpoint.entity';
import { AuditEvent, type AuditOutcome } from './audit-event.entity';
import { CSV_HEADER, csvRow, ndjsonLine } from './audit-export-format';
import { toAuditRecord } from './audit-record.mapper';

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
  constructor(
    @InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>,
    @InjectRepository(AuditChainLink) private readonly links: Repository<AuditChainLink>,
    @InjectRepository(AuditCheckpoint) private readonly checkpoints: Repository<AuditCheckpoint>,
  ) {}

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
   * of the chain in seq order (so an offline verifier can check it), read by
   * keyset batches: memory stays flat and no transaction stays open however
   * long the client takes to read. Lines are produced as the client reads.
   */
  async *export(format: 'ndjson' | 'csv', filter: AuditPeriod): AsyncGenerator<string> {
    const { from, to } = period(filter);
    const range = await this.seqRange(from, to);
    if (format === 'csv') yield CSV_HEADER;
    if (!range) return;
    for (let first = range.first; first <= range.last; first += CHAIN_READ_BATCH) {
      const last = Math.min(first + CHAIN_READ_BATCH - 1, range.last);
      const batch = await this.links
        .createQueryBuilder('link')
        .innerJoinAndSelect('link.event', 'event')
        .where('link.seq BETWEEN :first AND :last', { first, last })
        .orderBy('link.seq')
        .getMany();
      const checkpoints = format === 'ndjson' ? await this.checkpoints.findBy({ seq: Between(first, last) }) : [];
      const signedAt = new Map(checkpoints.map((checkpoint) => [checkpoint.seq, toSignedCheckpoint(checkpoint)]));
      let chunk = '';
      for (const link of batch) {
        const record = toAuditRecord(link.event as AuditEvent, link);
        if (format === 'csv') {
          chunk += csvRow(record);
          continue;
        }
        chunk += ndjsonLine(record);
        const checkpoint = signedAt.get(link.seq);
        if (checkpoint) chunk += ndjsonLine(checkpoint);
      }
      yield chunk;
    }
  }

  /** First and last seq of the sealed events in the period; null when there are none. */
  private async seqRange(
    from: Date | undefined,
    to: Date | undefined,
  ): Promise<{ first: number; last: number } | null> {
    const query = this.links
      .createQueryBuilder('link')
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
