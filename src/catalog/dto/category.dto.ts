import { PageOf } from '../../platform/http/page.dto';

export class CategoryDto {
  id!: string;
  name!: string;
  slug!: string;
  parentId!: string | null;
  createdAt!: Date;
  updatedAt!: Date;

  /** Increases with every change; sent as the ETag, expected back in If-Match. */
  version!: number;
}

export class CategoryPageDto extends PageOf(CategoryDto) {}
