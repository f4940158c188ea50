import { ApiProperty } from '@nestjs/swagger';
import { PageOf } from '../../platform/http/page.dto';
import { ORDER_STATUSES, type OrderStatus } from '../order-status';
import { ShippingAddressDto } from './place-order.dto';
import { IsISO4217CurrencyCode, IsInt, IsUUID } from 'class-validator';

export class OrderLineDto {
  @IsUUID()
  productId!: string;
  /** SKU, name, unit price and tax rate as the catalog had them when the order was placed. */
  sku!: string;
  name!: string;
  @IsInt()
  quantity!: number;
  @IsInt()
  unitPriceCents!: number;
  @IsInt()
  taxRateBps!: number;
  @IsInt()
  subtotalCents!: number;
  /** Tax on this line's subtotal, rounded half up to the cent. */
  @IsInt()
  taxCents!: number;
  @IsInt()
  totalCents!: number;
}

export class OrderDto {
  @IsUUID()
  id!: string;
  /** `ORD-000123`. */
  number!: string;

  @ApiProperty({ enum: ORDER_STATUSES })
  status!: OrderStatus;

  @IsUUID()
  organizationId!: string;
  @IsUUID()
  placedById!: string;
  @IsISO4217CurrencyCode()
  currency!: string;
  lines!: OrderLineDto[];
  @IsInt()
  subtotalCents!: number;
  /** The sum of the lines' tax. */
  @IsInt()
  taxCents!: number;
  @IsInt()
  totalCents!: number;
  shippingAddress!: ShippingAddressDto;
  @IsUUID()
  invoiceId!: string;
  createdAt!: Date;
  updatedAt!: Date;
  @IsInt()
  version!: number;
}

export class OrderPageDto extends PageOf(OrderDto) {}
