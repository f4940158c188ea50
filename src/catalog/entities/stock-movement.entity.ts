import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const STOCK_MOVEMENT_REASONS = [
  'initial',
  'received',
  'counted',
  'damaged',
  'returned',
  'correction',
  'order_placed',
  'order_cancelled',
] as const;
export type StockMovementReason = (typeof STOCK_MOVEMENT_REASONS)[number];

/**
 * One change of a product's stock: summed in order, a product's movements
 * give its stock on hand, line by line.
 */
@Entity({ name: 'stock_movements' })
@Index('stock_movements_product', ['productId', 'createdAt', 'id'])
export class StockMovement {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  productId!: string;

  /** Positive in, negative out; never zero. */
  @Column({ type: 'integer' })
  delta!: number;

  /** Stock on hand right after this movement. */
  @Column({ type: 'integer' })
  stockAfter!: number;

  @Column({ type: 'text' })
  reason!: StockMovementReason;

  @Column({ type: 'text', nullable: true })
  note!: string | null;

  /** The user (or API key's user) who moved the stock; null for the system. */
  @Column({ type: 'uuid', nullable: true })
  actorId!: string | null;

  /** The order whose placing or cancelling moved the stock. */
  @Column({ type: 'uuid', nullable: true })
  orderId!: string | null;

  /** The clock at the write, not the transaction's start: movements of one transaction keep their order. */
  @CreateDateColumn({ type: 'timestamptz', default: () => 'clock_timestamp()' })
  createdAt!: Date;
}
