import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import type { Counter } from 'prom-client';
import { In } from 'typeorm';
import { ResourceNotFoundError } from '../access/access.errors';
import type { Actor } from '../access/actor';
import { Authorization } from '../access/authorization.service';
import type { Action } from '../access/policy';
import { type AuditActor, AuditRecorder } from '../audit/audit-recorder';
import { InvoicesService } from '../billing/invoices.service';
import type { OrderSettlement } from '../billing/order-settlement';
import { StockService } from '../catalog/stock.service';
import { Environment } from '../platform/config/environment';
import { whereAnyOf } from '../platform/database/where-any-of';
import { findPage, type Page } from '../platform/http/keyset-pagination';
import { MetricsService } from '../platform/metrics/metrics.service';
import { Outbox } from '../platform/outbox/outbox';
import type { ListOrdersQueryDto } from './dto/list-orders-query.dto';
import type { OrderDto } from './dto/order.dto';
import type { PlaceOrderDto, ShippingAddressDto } from './dto/place-order.dto';
import { OrderLine } from './entities/order-line.entity';
import { Order, type ShippingAddress } from './entities/order.entity';
import { lineAmounts, orderAmounts } from './order-pricing';
import { ensureTransition, type OrderStatus } from './order-status';
import {
  DuplicateOrderLinesError,
  MixedCurrenciesError,
  NotACustomerError,
  QuantityTooLargeError,
} from './orders.errors';

/** In the documented field order (jsonb keeps its own). */
function addressOf({ name, line1, line2, postalCode, city, country }: ShippingAddress): ShippingAddressDto {
  return { name, line1, ...(line2 === undefined ? {} : { line2 }), postalCode, city, country };
}

function toDto(order: Order, lines: OrderLine[]): OrderDto {
  return {
    id: order.id,
    number: order.number,
    status: order.status,
    organizationId: order.organizationId,
    placedById: order.placedById,
    currency: order.currency,
    lines: [...lines]
      .sort((a, b) => a.lineNo - b.lineNo)
      .map((line) => ({
        productId: line.productId,
        sku: line.sku,
        name: line.name,
        quantity: line.quantity,
        unitPriceCents: line.unitPriceCents,
        taxRateBps: line.taxRateBps,
        subtotalCents: line.subtotalCents,
        taxCents: line.taxCents,
        totalCents: line.totalCents,
      })),
    subtotalCents: order.subtotalCents,
    taxCents: order.taxCents,
    totalCents: order.totalCents,
    shippingAddress: addressOf(order.shippingAddress),
    invoiceId: order.invoiceId,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    version: order.version,
  };
}

/**
 * Orders: placed by customers with stock taken and an invoice opened in one
 * transaction, cancelled (stock back, invoice void) or fulfilled along the
 * order life of order-status.ts. Every change is an audit event and an outbox event.
 */
@Injectable()
export class OrdersService implements OrderSettlement {
  private readonly logger = new Logger(OrdersService.name);
  private readonly ordersPlaced: Counter;

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly authorization: Authorization,
    private readonly audit: AuditRecorder,
    private readonly outbox: Outbox,
    private readonly stock: StockService,
    private readonly invoices: InvoicesService,
    private readonly environment: Environment,
    metrics: MetricsService,
  ) {
    this.ordersPlaced = metrics.counter('orders_placed_total', 'Orders placed (counted as each is written).');
  }

  private get orders() {
    return this.txHost.tx.getRepository(Order);
  }

  private get lines() {
    return this.txHost.tx.getRepository(OrderLine);
  }

  @Transactional()
  async place(actor: Actor, input: PlaceOrderDto): Promise<OrderDto> {
    const { organizationId } = actor;
    if (!organizationId) throw new NotACustomerError();
    this.checkLines(input);
    const id = randomUUID();
    const invoiceId = randomUUID();
    const sold = await this.stock.takeForOrder(actor, id, input.items);
    const currencies = [...new Set(sold.map(({ currency }) => currency))];
    if (currencies.length > 1) throw new MixedCurrenciesError(currencies);

    const lines = input.items.map(({ quantity }, index) => {
      const product = sold[index];
      const amounts = lineAmounts({ unitPriceCents: product.priceCents, quantity, taxRateBps: product.taxRateBps });
      return {
        orderId: id,
        lineNo: index + 1,
        productId: product.id,
        sku: product.sku,
        name: product.name,
        quantity,
        unitPriceCents: product.priceCents,
        taxRateBps: product.taxRateBps,
        ...amounts,
      };
    });
    const totals = orderAmounts(lines);
    await this.orders.insert({
      id,
      organizationId,
      placedById: actor.userId,
      status: 'pending_payment',
      currency: currencies[0],
      ...totals,
      shippingAddress: { ...input.shippingAddress },
      invoiceId,
    });
    await this.lines.insert(lines);
    const order = await this.orders.findOneByOrFail({ id });
    await this.invoices.open(actor, invoiceId, order);
    await this.audit.record({
      actor,
      action: 'order.placed',
      resource: { type: 'Order', id },
      changes: { before: {}, after: { status: order.status, totalCents: order.totalCents, currency: order.currency } },
      details: { number: order.number, lines: lines.length, invoiceId },
    });
    await this.outbox.add({
      type: 'order.placed',
      aggregate: { type: 'Order', id },
      payload: {
        orderId: id,
        number: order.number,
        organizationId,
        placedById: actor.userId,
        currency: order.currency,
        totalCents: order.totalCents,
        lines: lines.map(({ productId, quantity }) => ({ productId, quantity })),
      },
    });
    this.logger.log({ event: 'order.placed', orderId: id, number: order.number }, 'order placed');
    this.ordersPlaced.inc();
    return toDto(order, await this.lines.findBy({ orderId: id }));
  }

  async list(actor: Actor, query: ListOrdersQueryDto): Promise<Page<OrderDto>> {
    const builder = this.orders.createQueryBuilder('placedOrder');
    whereAnyOf(builder, this.authorization.visibleWhere<Order>(actor, 'read', 'Order') ?? []);
    if (query.status) builder.andWhere('placedOrder.status = :status', { status: query.status });
    if (query.from) builder.andWhere('placedOrder.createdAt >= :from', { from: new Date(query.from) });
    if (query.to) builder.andWhere('placedOrder.createdAt < :to', { to: new Date(query.to) });
    const page = await findPage(builder, query);
    const ids = page.items.map(({ id }) => id);
    const lines = ids.length > 0 ? await this.lines.findBy({ orderId: In(ids) }) : [];
    return {
      items: page.items.map((order) =>
        toDto(
          order,
          lines.filter((line) => line.orderId === order.id),
        ),
      ),
      nextCursor: page.nextCursor,
    };
  }

  /** 404 when it does not exist or is not the caller's to see (another organization's order). */
  async get(actor: Actor, id: string): Promise<OrderDto> {
    const order = await this.orders.findOneBy({ id });
    if (!order) throw new ResourceNotFoundError('Order');
    this.authorization.ensure(actor, 'read', 'Order', order);
    return toDto(order, await this.lines.findBy({ orderId: id }));
  }

  /** pending_payment → cancelled: the stock goes back (a movement per line) and the invoice is voided. */
  @Transactional()
  async cancel(actor: Actor, id: string): Promise<OrderDto> {
    await this.invoices.lockForOrder(id);
    const order = await this.transition(actor, id, 'cancel', 'cancelled');
    const lines = await this.lines.findBy({ orderId: id });
    await this.stock.returnForOrder(actor, id, lines);
    await this.invoices.voidForOrder(actor, id);
    return this.announce(actor, order, 'cancelled', lines);
  }

  /** paid → fulfilled, by fulfillment staff. */
  @Transactional()
  async fulfil(actor: Actor, id: string): Promise<OrderDto> {
    const order = await this.transition(actor, id, 'fulfil', 'fulfilled');
    return this.announce(actor, order, 'fulfilled', await this.lines.findBy({ orderId: id }));
  }

  /** Billing's settlement: the invoice was paid in full. */
  @Transactional()
  async paid(actor: AuditActor, orderId: string): Promise<void> {
    await this.settle(actor, orderId, 'paid');
  }

  /** Billing's settlement: everything captured was refunded. */
  @Transactional()
  async refunded(actor: AuditActor, orderId: string): Promise<void> {
    await this.settle(actor, orderId, 'refunded');
  }

  private async settle(actor: AuditActor, orderId: string, to: OrderStatus): Promise<void> {
    const order = await this.orders.findOneOrFail({ where: { id: orderId }, lock: { mode: 'pessimistic_write' } });
    ensureTransition(order.status, to);
    await this.announce(actor, order, to, await this.lines.findBy({ orderId }));
  }

  /** Locks the order, checks the caller may act on it (404 otherwise) and that the order life allows `to` (409). */
  private async transition(actor: Actor, id: string, action: Action, to: OrderStatus): Promise<Order> {
    const order = await this.authorization.lockedFor(this.orders, id, actor, 'Order', 'read', action);
    ensureTransition(order.status, to);
    return order;
  }

  private async announce(actor: AuditActor, order: Order, to: OrderStatus, lines: OrderLine[]): Promise<OrderDto> {
    const from = order.status;
    await this.orders.update({ id: order.id }, { status: to });
    await this.audit.record({
      actor,
      action: `order.${to}`,
      resource: { type: 'Order', id: order.id },
      changes: { before: { status: from }, after: { status: to } },
      details: { number: order.number },
    });
    await this.outbox.add({
      type: `order.${to}`,
      aggregate: { type: 'Order', id: order.id },
      payload: { orderId: order.id, number: order.number, organizationId: order.organizationId, from, to },
    });
    this.logger.log({ event: `order.${to}`, orderId: order.id }, `order ${to}`);
    return toDto(await this.orders.findOneByOrFail({ id: order.id }), lines);
  }

  private checkLines(input: PlaceOrderDto): void {
    const seen = new Set<string>();
    const duplicates: string[] = [];
    const tooLarge: string[] = [];
    input.items.forEach(({ productId, quantity }, index) => {
      if (seen.has(productId)) duplicates.push(`items[${index}].productId`);
      seen.add(productId);
      if (quantity > this.environment.ORDER_MAX_QUANTITY) tooLarge.push(`items[${index}].quantity`);
    });
    if (duplicates.length > 0) throw new DuplicateOrderLinesError(duplicates);
    if (tooLarge.length > 0) throw new QuantityTooLargeError(tooLarge, this.environment.ORDER_MAX_QUANTITY);
  }
}
