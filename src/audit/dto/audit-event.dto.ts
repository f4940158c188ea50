import { ApiProperty } from '@nestjs/swagger';
import { AUDIT_ACTOR_TYPES, AUDIT_OUTCOMES } from '../audit-event.entity';
import type { AuditRecord } from '../audit-chain';
import { PageOf } from '../../platform/http/page.dto';
import { IsInt, IsUUID } from 'class-validator';

export class AuditActorDto {
  @ApiProperty({ enum: AUDIT_ACTOR_TYPES })
  type!: string;

  /** The user who acted (for an API key, the user it acts for); null for anonymous and system. */
  @ApiProperty({ type: String, nullable: true })
  @ApiProperty()
  @IsUUID()
  id!: string | null;

  @ApiProperty({ type: String, nullable: true })
  @IsUUID()
  organizationId!: string | null;

  /** The API key the request came with, if any. */
  @ApiProperty({ type: String, nullable: true })
  @IsUUID()
  apiKeyId!: string | null;
}

export class AuditResourceDto {
  /** `User`, `Organization`, `Order`...; `Endpoint` for a denial before any resource was named. */
  type!: string;

  @ApiProperty({ type: String, nullable: true })
  id!: string | null;
}

/** One event of the audit trail; `seq`, `prevHash` and `hash` are null until it is sealed into the chain (within a second). */
export class AuditEventDto implements AuditRecord {
  @ApiProperty()
  @IsUUID()
  id!: string;

  @ApiProperty({ type: Number, nullable: true, description: 'Position in the hash chain.' })
  @IsInt()
  seq!: number | null;

  @ApiProperty({ format: 'date-time' })
  occurredAt!: string;

  actor!: AuditActorDto;

  /** `<resource>.<what happened>`, e.g. `user.created`, `auth.login_failed`, `access.denied`. */
  action!: string;

  resource!: AuditResourceDto;

  @ApiProperty({ enum: AUDIT_OUTCOMES })
  outcome!: string;

  @ApiProperty({ type: String, nullable: true })
  requestId!: string | null;

  @ApiProperty({ type: String, nullable: true })
  ip!: string | null;

  @ApiProperty({ type: String, nullable: true })
  userAgent!: string | null;

  @ApiProperty({
    type: 'object',
    nullable: true,
    additionalProperties: true,
    description: '`{ before, after }` of the fields that changed; secrets `[REDACTED]`, sensitive fields `[MASKED]`.',
  })
  changes!: unknown;

  @ApiProperty({
    type: 'object',
    nullable: true,
    additionalProperties: true,
    description: 'Context that is not a field change (a denial: `status`, `attemptedAction`, `reason`).',
  })
  details!: unknown;

  @ApiProperty({ type: String, nullable: true, description: 'SHA-256 (hex) of the previous event in the chain.' })
  prevHash!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'SHA-256 (hex) of the RFC 8785 canonical JSON of this event without `hash`.',
  })
  hash!: string | null;
}

export class AuditEventPageDto extends PageOf(AuditEventDto) {}
