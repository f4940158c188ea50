import { PageOf } from '../../platform/http/page.dto';
import { IsInt, IsUUID } from 'class-validator';

export class OrganizationDto {
  @IsUUID()
  id!: string;
  name!: string;
  createdAt!: Date;
  updatedAt!: Date;

  /** Increases with every change; sent as the ETag, expected back in If-Match. */
  @IsInt()
  version!: number;
}

export class OrganizationPageDto extends PageOf(OrganizationDto) {}
