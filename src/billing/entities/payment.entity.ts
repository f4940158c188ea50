import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { bigintAsNumber } from '../../platform/database/column-transformers';

export const PAYMENT_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** One attempt the provider accepted to take an invoice's money: captured, or pending until its webhook. */
@Entity({ name: 'payments' })
@Index('payments_provider_reference_unique', ['provider', 'providerPaymentId'], { unique: true })
@Index('payments_invoice', ['invoiceId'])
@Index('payments_created', ['createdAt', 'id'])
@Index('payments_organization_created', ['organizationId', 'createdAt', 'id'])
@Index('payments_placed_by_created', ['placedById', 'createdAt', 'id'])
export class Payment {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  invoiceId!: string;

  @Column({ type: 'uuid' })
  orderId!: string;

  @Column({ type: 'uuid' })
  organizationId!: string;

  /** Who placed the order: a buyer sees the payments of their own orders. */
  @Column({ type: 'uuid' })
  placedById!: string;

  @Column({ type: 'text' })
  provider!: string;

  @Column({ type: 'text' })
  providerPaymentId!: string;

  @Column({ type: 'text' })
  status!: PaymentStatus;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  amountCents!: number;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  /** Sum of this payment's refunds; never above `amountCents` (checked by the database too). */
  @Column({ type: 'bigint', transformer: bigintAsNumber, default: 0 })
  refundedCents!: number;

  @Column({ type: 'text', nullable: true })
  failureCode!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;

  @VersionColumn()
  version!: number;
}
