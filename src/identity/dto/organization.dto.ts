import { PageOf } from '../../platform/http/page.dto';

export class OrganizationDto {
  id!: string;
  name!: string;
  createdAt!: Date;
  updatedAt!: Date;

  /** Increases with every change; sent as the ETag, expected back in If-Match. */
  version!: number;
}

export class OrganizationPageDto extends PageOf(OrganizationDto) {}
