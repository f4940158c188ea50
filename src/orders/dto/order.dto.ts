import { ApiProperty } from '@nestjs/swagger';
import { PageOf } from '../../platform/http/page.dto';
import { ORDER_STATUSES, type OrderStatus } from '../order-status';
import { ShippingAddressDto } from './place-order.dto';

export class OrderLineDto {
  productId!: string;
  /** SKU, name, unit price and tax rate as the catalog had them when the order was placed. */
  sku!: string;
  name!: string;
  quantity!: number;
  unitPriceCents!: number;
  taxRateBps!: number;
  subtotalCents!: number;
  /** Tax on this line's subtotal, rounded half up to the cent. */
  taxCents!: number;
  totalCents!: number;
}

export class OrderDto {
  id!: string;
  /** `ORD-000123`. */
  number!: string;

  @ApiProperty({ enum: ORDER_STATUSES })
  status!: OrderStatus;

  organizationId!: string;
  placedById!: string;
  currency!: string;
  lines!: OrderLineDto[];
  subtotalCents!: number;
  /** The sum of the lines' tax. */
  taxCents!: number;
  totalCents!: number;
  shippingAddress!: ShippingAddressDto;
  invoiceId!: string;
  createdAt!: Date;
  updatedAt!: Date;
  version!: number;
}

export class OrderPageDto extends PageOf(OrderDto) {}
