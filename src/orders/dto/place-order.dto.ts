import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsISO31661Alpha2,
  IsObject,
  IsUUID,
  Min,
  ValidateNested,
} from 'class-validator';
import { SingleLineText } from '../../platform/validation/single-line-text.decorator';

export const MAX_ORDER_LINES = 100;

/** UUIDs are case-insensitive; the catalog's ids, and the checks for lines naming one product twice, are lower-case. */
const lowerCase = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value);
const upperCase = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toUpperCase() : value);

export class OrderItemDto {
  @Transform(lowerCase)
  @IsUUID()
  productId!: string;

  /** At least 1, at most ORDER_MAX_QUANTITY (default 10 000). */
  @IsInt()
  @Min(1)
  quantity!: number;
}

export class ShippingAddressDto {
  /** Recipient: a person or a department. */
  @SingleLineText(200)
  name!: string;

  @SingleLineText(200)
  line1!: string;

  @SingleLineText(200, { optional: true })
  line2?: string;

  @SingleLineText(20)
  postalCode!: string;

  @SingleLineText(100)
  city!: string;

  /** ISO 3166-1 alpha-2, e.g. `DE`; stored upper-case. */
  @Transform(upperCase)
  @IsISO31661Alpha2()
  country!: string;
}

export class PlaceOrderDto {
  /** One line per product: naming a product twice is a 400 (merge the quantities). */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ORDER_LINES)
  @ValidateNested({ each: true })
  @Type(() => OrderItemDto)
  items!: OrderItemDto[];

  // ValidateNested alone lets an absent address through.
  @IsObject()
  @ValidateNested()
  @Type(() => ShippingAddressDto)
  shippingAddress!: ShippingAddressDto;
}
