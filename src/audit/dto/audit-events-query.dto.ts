import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { PageQueryDto } from '../../platform/http/page-query.dto';
import { AUDIT_OUTCOMES, type AuditOutcome } from '../audit-event.entity';

const ISO_INSTANT = { strict: true, strictSeparator: true } as const;

/** `?from=&to=` of the audit lists and export: occurredAt within [from, to). */
export class AuditPeriodDto {
  /** Events that occurred at or after this instant (ISO 8601). */
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601(ISO_INSTANT)
  from?: string;

  /** Events that occurred before this instant (ISO 8601). */
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601(ISO_INSTANT)
  to?: string;
}

export class AuditEventsQueryDto extends IntersectionType(PageQueryDto, AuditPeriodDto) {
  @IsOptional()
  @IsUUID()
  actorId?: string;

  /** Exact action, e.g. `user.created`. */
  @IsOptional()
  @IsString()
  @Length(1, 100)
  @Matches(/^[a-z0-9_.]+$/, { message: 'action is lower-case letters, digits, _ and .' })
  action?: string;

  @IsOptional()
  @IsString()
  @Length(1, 100)
  @Matches(/^[A-Za-z0-9_]+$/, { message: 'resourceType is letters, digits and _' })
  resourceType?: string;

  /** Exact resource id (a UUID, an order number...). */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  @Matches(/^[A-Za-z0-9_.:-]+$/, { message: 'resourceId is letters, digits, _ . : and -' })
  resourceId?: string;

  @ApiPropertyOptional({ enum: AUDIT_OUTCOMES })
  @IsOptional()
  @IsIn(AUDIT_OUTCOMES)
  outcome?: AuditOutcome;
}

export const EXPORT_FORMATS = ['ndjson', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export class AuditExportQueryDto extends AuditPeriodDto {
  /** `ndjson` (one event per line, with the signed checkpoints: what `npm run audit:verify` checks) or `csv`. */
  @ApiPropertyOptional({ enum: EXPORT_FORMATS, default: 'ndjson' })
  @IsOptional()
  @IsIn(EXPORT_FORMATS)
  format: ExportFormat = 'ndjson';
}
