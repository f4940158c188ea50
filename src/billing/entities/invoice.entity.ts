import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import { bigintAsNumber } from '../../platform/database/column-transformers';

export const INVOICE_STATUSES = ['open', 'paid', 'void'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

/** What a customer owes for one order: opened with the order, paid, or voided when the order is cancelled. */
@Entity({ name: 'invoices' })
@Index('invoices_order_unique', ['orderId'], { unique: true })
@Index('invoices_created', ['createdAt', 'id'])
@Index('invoices_organization_created', ['organizationId', 'createdAt', 'id'])
@Index('invoices_placed_by_created', ['placedById', 'createdAt', 'id'])
export class Invoice {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** Human-readable, from a sequence: `INV-000123`. */
  @Column({ type: 'text', insert: false, update: false })
  number!: string;

  @Column({ type: 'uuid' })
  orderId!: string;

  @Column({ type: 'uuid' })
  organizationId!: string;

  /** Who placed the order: a buyer sees the invoices of their own orders. */
  @Column({ type: 'uuid' })
  placedById!: string;

  @Column({ type: 'text' })
  status!: InvoiceStatus;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  amountCents!: number;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;

  @VersionColumn()
  version!: number;
}
