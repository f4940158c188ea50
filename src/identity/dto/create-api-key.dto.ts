import { Type } from 'class-transformer';
import { IsDate, IsOptional } from 'class-validator';
import type { Role } from '../../access/roles';
import { SingleLineText } from '../../platform/validation/single-line-text.decorator';
import { RoleList } from './role-list.decorator';

export class CreateApiKeyDto {
  /** What the key is for, e.g. "ERP order sync". */
  @SingleLineText(100)
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
