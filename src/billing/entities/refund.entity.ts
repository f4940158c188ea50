import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintAsNumber } from '../../platform/database/column-transformers';

/** Money given back from a captured payment, in part or in full. */
@Entity({ name: 'refunds' })
@Index('refunds_payment', ['paymentId', 'createdAt'])
export class Refund {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  paymentId!: string;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  amountCents!: number;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ type: 'text' })
  providerRefundId!: string;

  @Column({ type: 'uuid' })
  createdById!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
