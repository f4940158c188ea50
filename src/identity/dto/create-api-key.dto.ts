import { Type } from 'class-transformer';
import { IsDate, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import type { Role } from '../../access/roles';
import { RoleList } from './role-list.decorator';

export class CreateApiKeyDto {
  /** What the key is for, e.g. "ERP order sync". */
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name!: string;

  /** A subset of your own roles. */
  @RoleList()
  roles!: Role[];

  /** When the key stops working; in the future. Omitted: until revoked. */
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  expiresAt?: Date;
}
