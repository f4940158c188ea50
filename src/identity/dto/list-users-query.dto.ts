import { IsOptional, IsUUID } from 'class-validator';
import { PageQueryDto } from '../../platform/http/page-query.dto';

export class ListUsersQueryDto extends PageQueryDto {
  /** Only the users of this organization. */
  @IsOptional()
  @IsUUID()
  organizationId?: string;
}
