import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { bigintAsNumber } from '../../platform/database/column-transformers';
import { Order } from './order.entity';

/** One product of an order, with the catalog's SKU, name, price and tax rate as they were when it was placed. */
@Entity({ name: 'order_lines' })
export class OrderLine {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  orderId!: string;

  @ManyToOne(() => Order, (order) => order.lines, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'order_id' })
  order?: Order;

  /** 1-based position in the order. */
  @Column({ type: 'integer' })
  lineNo!: number;

  @Column({ type: 'uuid' })
  productId!: string;

  @Column({ type: 'text' })
  sku!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'integer' })
  quantity!: number;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  unitPriceCents!: number;

  @Column({ type: 'integer' })
  taxRateBps!: number;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  subtotalCents!: number;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  taxCents!: number;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  totalCents!: number;
}
