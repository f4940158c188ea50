import { ApiProperty } from '@nestjs/swagger';
import { ROLES, type Role } from '../../access/roles';
import { PageOf } from '../../platform/http/page.dto';
import { IsUUID } from 'class-validator';

/** An API key as listed: never its secret, which only its creator saw, once. */
export class ApiKeyDto {
  @IsUUID()
  id!: string;
  name!: string;

  /** The public start of the key (`bk_…`), to recognise it. */
  prefix!: string;

  /** The user the key acts for. */
  @IsUUID()
  userId!: string;

  @IsUUID()
  organizationId!: string | null;

  /** What the key may do: these roles, as far as its user still holds them. */
  @ApiProperty({ enum: ROLES, isArray: true })
  roles!: Role[];

  expiresAt!: Date | null;
  lastUsedAt!: Date | null;
  revokedAt!: Date | null;
  createdAt!: Date;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  /** The whole key, for the `X-API-Key` header. Shown this once: only its hash is kept. */
  key!: string;
}

export class ApiKeyPageDto extends PageOf(ApiKeyDto) {}
