import { Injectable } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { ResourceNotFoundError } from '../access/access.errors';
import { type AuditActor, AuditRecorder, SYSTEM_ACTOR } from '../audit/audit-recorder';
import { findPage, mapPage, type Page, type PageRequest } from '../platform/http/keyset-pagination';
import { InsufficientStockError } from './catalog.errors';
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

  /** A product's movements, newest first; the caller has checked the product is visible. */
  async movements(productId: string, page: PageRequest): Promise<Page<StockMovementDto>> {
    const query = this.txHost.tx
      .getRepository(StockMovement)
      .createQueryBuilder('movement')
      .where('movement.productId = :productId', { productId });
    return mapPage(await findPage(query, page), toDto);
  }
}
