import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsInt,
  IsISO4217CurrencyCode,
  IsString,
  IsUUID,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { AbsentOrValid } from '../../platform/validation/absent-or-valid.decorator';
import { MultiLineText } from '../../platform/validation/multi-line-text.decorator';
import { SingleLineText } from '../../platform/validation/single-line-text.decorator';

/** Far above any real unit price, far below where cents stop being exact JavaScript numbers. */
export const MAX_PRICE_CENTS = 1_000_000_000_000;
export const MAX_STOCK = 1_000_000_000;
export const MAX_CATEGORIES_PER_PRODUCT = 20;
const SKU_PATTERN = /^[A-Z0-9][A-Z0-9._-]{0,63}$/;
const upperCase = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toUpperCase() : value);

export class CreateProductDto {
  /** Stock-keeping unit, unique: letters, digits, `.`, `_` and `-`, stored upper-case. */
  @Transform(upperCase)
  @IsString()
  @Matches(SKU_PATTERN, {
    message: 'sku must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit',
  })
  sku!: string;

  @SingleLineText(200)
  name!: string;

  @MultiLineText(5_000, { optional: true })
  description?: string;

  /** Net unit price in the currency's minor unit. */
  @IsInt()
  @Min(0)
  @Max(MAX_PRICE_CENTS)
  priceCents!: number;

  /** ISO 4217, e.g. `EUR`. */
  @Transform(upperCase)
  @IsISO4217CurrencyCode()
  currency!: string;

  /** Tax rate in basis points, 0 to 10000: 2000 is 20 %. */
  @IsInt()
  @Min(0)
  @Max(10_000)
  taxRateBps!: number;

  /** Units on hand to start with (a stock movement `initial`); later changes go through stock adjustments. */
  @AbsentOrValid()
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK)
  stock?: number;

  /** Defaults to true; false creates the product archived. */
  @AbsentOrValid()
  @IsBoolean()
  active?: boolean;

  @AbsentOrValid()
  @IsArray()
  @ArrayMaxSize(MAX_CATEGORIES_PER_PRODUCT)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  categoryIds?: string[];
}
