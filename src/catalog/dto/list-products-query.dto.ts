import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { PageQueryDto } from '../../platform/http/page-query.dto';
import { SingleLineText } from '../../platform/validation/single-line-text.decorator';
import { MAX_PRICE_CENTS } from './create-product.dto';

export const PRODUCT_SORTS = ['createdAt', '-createdAt', 'priceCents', '-priceCents', 'name', '-name'] as const;
export type ProductSort = (typeof PRODUCT_SORTS)[number];

export class ListProductsQueryDto extends PageQueryDto {
  /** Full-text search over SKU, name and description: every word must match, in any order, stemmed (`bolts` finds `bolt`). */
  @SingleLineText(200, { optional: true })
  q?: string;

  /** Products in this category or any category below it. */
  @IsOptional()
  @IsUUID()
  categoryId?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_PRICE_CENTS)
  minPriceCents?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_PRICE_CENTS)
  maxPriceCents?: number;

  /** A field, `-` first for descending; ties are broken by id, so pages never repeat or skip a product. */
  @ApiPropertyOptional({ enum: PRODUCT_SORTS, default: '-createdAt' })
  @IsOptional()
  @IsIn(PRODUCT_SORTS)
  sort: ProductSort = '-createdAt';
}
