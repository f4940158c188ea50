import { Injectable } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { ResourceNotFoundError } from '../access/access.errors';
import { type AuditActor, AuditRecorder, SYSTEM_ACTOR } from '../audit/audit-recorder';
import { findPage, mapPage, type Page, type PageRequest } from '../platform/http/keyset-pagination';
import {
  InsufficientStockError,
  OutOfStockError,
  type StockShortage,
  UnavailableProductsError,
} from './catalog.errors';
import type { StockMovementDto } from './dto/stock-movement.dto';
import { Product } from './entities/product.entity';
import { StockMovement, type StockMovementReason } from './entities/stock-movement.entity';

export interface StockMove {
  productId: string;
  /** Positive in, negative out; never zero. */
  delta: number;
  reason: StockMovementReason;
  note?: string | null;
  orderId?: string | null;
}

export interface OrderedQuantity {
  productId: string;
  quantity: number;
}

/** A product as it was sold: its catalog data at the moment its stock was taken. */
export interface SoldProduct {
  id: string;
  sku: string;
  name: string;
  priceCents: number;
  currency: string;
  taxRateBps: number;
}

/** In the order PostgreSQL sorts uuids, which is the order their rows are locked in. */
function byProductId(lines: OrderedQuantity[]): OrderedQuantity[] {
  return [...lines].sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
}

function toDto(movement: StockMovement): StockMovementDto {
  return {
    id: movement.id,
    productId: movement.productId,
    delta: movement.delta,
    stockAfter: movement.stockAfter,
    reason: movement.reason,
    note: movement.note,
    actorId: movement.actorId,
    orderId: movement.orderId,
    createdAt: movement.createdAt,
  };
}

/**
 * The one place stock changes. Each move is a conditional update (stock never
 * goes below zero, whatever runs in parallel: the row lock of the UPDATE
 * orders concurrent moves), a movement row and an audit event, in the
 * caller's transaction.
 */
@Injectable()
export class StockService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly audit: AuditRecorder,
  ) {}

  @Transactional()
  async move(actor: AuditActor, move: StockMove): Promise<StockMovementDto> {
    const { productId, delta, reason } = move;
    const [rows] = await this.txHost.tx.query<[{ stock: number }[], number]>(
      'UPDATE "products" SET "stock" = "stock" + $1 WHERE "id" = $2 AND "stock" + $1 >= 0 RETURNING "stock"',
      [delta, productId],
    );
    if (rows.length === 0) {
      const product = await this.txHost.tx
        .getRepository(Product)
        .findOne({ where: { id: productId }, select: { id: true, stock: true } });
      if (!product) throw new ResourceNotFoundError('Product');
      throw new InsufficientStockError(productId, product.stock, delta);
    }
    const stockAfter = rows[0].stock;
    const movement = await this.txHost.tx.getRepository(StockMovement).save({
      productId,
      delta,
      stockAfter,
      reason,
      note: move.note ?? null,
      actorId: actor === SYSTEM_ACTOR || actor === null ? null : actor.userId,
      orderId: move.orderId ?? null,
    });
    await this.audit.record({
      actor,
      action: 'product.stock_moved',
      resource: { type: 'Product', id: productId },
      changes: { before: { stock: stockAfter - delta }, after: { stock: stockAfter } },
      details: { movementId: movement.id, delta, reason, note: movement.note, orderId: movement.orderId },
    });
    return toDto(movement);
  }

  /**
   * Takes the stock of every line for an order, or nothing: the products are
   * locked in id order (two orders sharing products never deadlock), each must
   * be active (else 400 naming `items[i].productId`) and have enough stock
   * (else 409 naming every short product). Returns each product's catalog data
   * as sold, in the order of `lines`.
   */
  @Transactional()
  async takeForOrder(actor: AuditActor, orderId: string, lines: OrderedQuantity[]): Promise<SoldProduct[]> {
    const products = await this.txHost.tx
      .getRepository(Product)
      .createQueryBuilder('product')
      .where('product.id IN (:...ids)', { ids: lines.map(({ productId }) => productId) })
      .orderBy('product.id')
      .setLock('pessimistic_write')
      .getMany();
    const byId = new Map(products.map((product) => [product.id, product]));
    const unavailable = lines
      .map(({ productId }, index) => (byId.get(productId)?.active ? null : `items[${index}].productId`))
      .filter((field): field is string => field !== null);
    if (unavailable.length > 0) throw new UnavailableProductsError(unavailable);
    const shortages: StockShortage[] = lines
      .map(({ productId, quantity }) => ({ product: byId.get(productId) as Product, quantity }))
      .filter(({ product, quantity }) => product.stock < quantity)
      .map(({ product, quantity }) => ({
        productId: product.id,
        sku: product.sku,
        requested: quantity,
        available: product.stock,
      }));
    if (shortages.length > 0) throw new OutOfStockError(shortages);

    for (const { productId, quantity } of byProductId(lines)) {
      await this.move(actor, { productId, delta: -quantity, reason: 'order_placed', orderId });
    }
    return lines.map(({ productId }) => {
      const { id, sku, name, priceCents, currency, taxRateBps } = byId.get(productId) as Product;
      return { id, sku, name, priceCents, currency, taxRateBps };
    });
  }

  /** Puts the stock of a cancelled order's lines back, one movement each, in id order. */
  @Transactional()
  async returnForOrder(actor: AuditActor, orderId: string, lines: OrderedQuantity[]): Promise<void> {
    for (const { productId, quantity } of byProductId(lines)) {
      await this.move(actor, { productId, delta: quantity, reason: 'order_cancelled', orderId });
    }
  }

  /** A product's movements, newest first; the caller has checked the product is visible. */
  async movements(productId: string, page: PageRequest): Promise<Page<StockMovementDto>> {
    const query = this.txHost.tx
      .getRepository(StockMovement)
      .createQueryBuilder('movement')
      .where('movement.productId = :productId', { productId });
    return mapPage(await findPage(query, page), toDto);
  }
}
