import { PageOf } from '../../platform/http/page.dto';

export class ProductDto {
  id!: string;
  sku!: string;
  name!: string;
  description!: string;
  /** Net unit price in the currency's minor unit. */
  priceCents!: number;
  /** ISO 4217. */
  currency!: string;
  /** Tax rate in basis points: 2000 is 20 %. */
  taxRateBps!: number;
  /** Units on hand. */
  stock!: number;
  /** False once archived. */
  active!: boolean;
  categoryIds!: string[];
  createdAt!: Date;
  updatedAt!: Date;

  /** Counts edits of the catalog data (not stock moves); sent as the ETag, expected back in If-Match. */
  version!: number;
}

export class ProductPageDto extends PageOf(ProductDto) {}
