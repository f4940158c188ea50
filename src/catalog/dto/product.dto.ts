import { PageOf } from '../../platform/http/page.dto';
import { IsISO4217CurrencyCode, IsInt, IsUUID } from 'class-validator';

export class ProductDto {
  @IsUUID()
  id!: string;
  sku!: string;
  name!: string;
  description!: string;
  /** Net unit price in the currency's minor unit. */
  @IsInt()
  priceCents!: number;
  /** ISO 4217. */
  @IsISO4217CurrencyCode()
  currency!: string;
  /** Tax rate in basis points: 2000 is 20 %. */
  @IsInt()
  taxRateBps!: number;
  /** Units on hand. */
  @IsInt()
  stock!: number;
  /** False once archived. */
  active!: boolean;
  @IsUUID('all', { each: true })
  categoryIds!: string[];
  createdAt!: Date;
  updatedAt!: Date;

  /** Counts edits of the catalog data (not stock moves); sent as the ETag, expected back in If-Match. */
  @IsInt()
  version!: number;
}

export class ProductPageDto extends PageOf(ProductDto) {}
