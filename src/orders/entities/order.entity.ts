import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  OneToMany,
  PrimaryColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { bigintAsNumber } from '../../platform/database/column-transformers';
import type { OrderStatus } from '../order-status';
import { OrderLine } from './order-line.entity';

export interface ShippingAddress {
  name: string;
  line1: string;
  line2?: string;
  postalCode: string;
  city: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
}

/** A customer's order: prices and tax copied from the catalog when placed, never from the client. */
@Entity({ name: 'orders' })
@Index('orders_created', ['createdAt', 'id'])
@Index('orders_organization_created', ['organizationId', 'createdAt', 'id'])
@Index('orders_placed_by_created', ['placedById', 'createdAt', 'id'])
export class Order {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** Human-readable, from a sequence: `ORD-000123`. */
  @Column({ type: 'text', insert: false, update: false })
  number!: string;

  @Column({ type: 'uuid' })
  organizationId!: string;

  @Column({ type: 'uuid' })
  placedById!: string;

  @Column({ type: 'text' })
  status!: OrderStatus;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  subtotalCents!: number;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  taxCents!: number;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  totalCents!: number;

  @Column({ type: 'jsonb' })
  shippingAddress!: ShippingAddress;

  @Column({ type: 'uuid' })
  invoiceId!: string;

  @OneToMany(() => OrderLine, (line) => line.order)
  lines?: OrderLine[];

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;

  @VersionColumn()
  version!: number;
}
