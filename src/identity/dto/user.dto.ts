import { ApiProperty } from '@nestjs/swagger';
import { ROLES, type Role } from '../../access/roles';
import { PageOf } from '../../platform/http/page.dto';
import { IsInt, IsUUID } from 'class-validator';

export class UserDto {
  @IsUUID()
  id!: string;
  email!: string;
  displayName!: string;

  @ApiProperty({ enum: ROLES, isArray: true })
  roles!: Role[];

  /** The customer organization; null for operator staff. */
  @IsUUID()
  organizationId!: string | null;

  /** A disabled user can neither sign in nor use tokens or API keys issued before. */
  disabled!: boolean;
  disabledAt!: Date | null;

  mfaEnabled!: boolean;
  createdAt!: Date;
  updatedAt!: Date;

  /** Increases with every change; sent as the ETag, expected back in If-Match. */
  @IsInt()
  version!: number;
}

export class UserPageDto extends PageOf(UserDto) {}
