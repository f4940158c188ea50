import { PageOf } from '../../platform/http/page.dto';
import { IsInt, IsUUID } from 'class-validator';

export class CategoryDto {
  @IsUUID()
  id!: string;
  name!: string;
  slug!: string;
  @IsUUID()
  parentId!: string | null;
  createdAt!: Date;
  updatedAt!: Date;

  /** Increases with every change; sent as the ETag, expected back in If-Match. */
  @IsInt()
  version!: number;
}

export class CategoryPageDto extends PageOf(CategoryDto) {}
