import { Body, Controller, Get, HttpCode, HttpStatus, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../access/actor';
import { Authorize } from '../access/authorize.decorator';
import { CurrentActor } from '../access/principal.decorator';
import { Throws } from '../platform/errors/throws.decorator';
import { ReadsWithETag } from '../platform/http/etag.decorator';
import { Creates } from '../platform/http/location.decorator';
import { UuidParam } from '../platform/http/uuid-param.decorator';
import { Idempotent } from '../platform/idempotency/idempotent.decorator';
import { ListOrdersQueryDto } from './dto/list-orders-query.dto';
import { OrderDto, OrderPageDto } from './dto/order.dto';
import { PlaceOrderDto } from './dto/place-order.dto';
import { OrdersService } from './orders.service';
import { ResourceNotFoundError } from '../access/access.errors';
import { PaymentPendingError } from '../billing/billing.errors';
import { OutOfStockError, UnavailableProductsError } from '../catalog/catalog.errors';
import { OrderTransitionError } from './order-status';
import { InvalidCursorError } from '../platform/http/cursor';
import {
  DuplicateOrderLinesError,
  MixedCurrenciesError,
  NotACustomerError,
  OrderAmountTooLargeError,
  QuantityTooLargeError,
} from './orders.errors';

@ApiTags('orders')
@Controller('orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Post()
  @Authorize('place', 'Order')
  @Creates(OrderDto, (order) => `/v1/orders/${order.id}`)
  @Idempotent()
  @ApiOperation({
    summary: 'Place an order: stock is taken and an invoice opened, all or nothing',
    description:
      'Prices and tax come from the catalog, never from the request; tax is per line, rounded half up to the cent. ' +
      'One currency per order. A product named twice, an unknown or archived product: 400. Not enough stock for ' +
      'any line: 409 naming every short product, and nothing changes.',
  })
  @Throws(
    NotACustomerError,
    DuplicateOrderLinesError,
    QuantityTooLargeError,
    MixedCurrenciesError,
    OrderAmountTooLargeError,
    UnavailableProductsError,
    OutOfStockError,
  )
  place(@CurrentActor() actor: Actor, @Body() input: PlaceOrderDto): Promise<OrderDto> {
    return this.orders.place(actor, input);
  }

  @Get()
  @Authorize('read', 'Order')
  @ApiOperation({
    summary: "List orders, newest first: all for staff who may, an organization's for its org_admin, a buyer's own",
  })
  @Throws(InvalidCursorError)
  list(@CurrentActor() actor: Actor, @Query() query: ListOrdersQueryDto): Promise<OrderPageDto> {
    return this.orders.list(actor, query);
  }

  @Get(':id')
  @Authorize('read', 'Order')
  @ReadsWithETag(OrderDto)
  @ApiOperation({ summary: "Get an order; another organization's is 404" })
  @Throws(ResourceNotFoundError)
  get(@CurrentActor() actor: Actor, @UuidParam('id') id: string): Promise<OrderDto> {
    return this.orders.get(actor, id);
  }

  @Post(':id/cancel')
  @Authorize('cancel', 'Order')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Cancel an order awaiting payment: its stock returns and its invoice is voided',
    description:
      'Any other state: 409 with the current status. A payment still pending with the provider: 409 ' +
      'payment-pending (it may yet take the money); once the provider fails it, the order can be cancelled.',
  })
  @Throws(ResourceNotFoundError, OrderTransitionError, PaymentPendingError)
  cancel(@CurrentActor() actor: Actor, @UuidParam('id') id: string): Promise<OrderDto> {
    return this.orders.cancel(actor, id);
  }

  @Post(':id/fulfil')
  @Authorize('fulfil', 'Order')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Mark a paid order fulfilled',
    description: 'Any other state: 409 with the current status.',
  })
  @Throws(ResourceNotFoundError, OrderTransitionError)
  fulfil(@CurrentActor() actor: Actor, @UuidParam('id') id: string): Promise<OrderDto> {
    return this.orders.fulfil(actor, id);
  }
}
