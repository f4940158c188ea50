import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A domain event committed with the change it announces, waiting for a
 * publisher to carry it to the broker (`BROKER_URL`) and stamp `publishedAt`.
 */
@Entity({ name: 'outbox_events' })
@Index('outbox_events_unpublished', ['createdAt', 'id'], { where: '"published_at" IS NULL' })
export class OutboxEvent {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** `order.placed`, `order.cancelled`... */
  @Column({ type: 'text' })
  type!: string;

  @Column({ type: 'text' })
  aggregateType!: string;

  @Column({ type: 'uuid' })
  aggregateId!: string;

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @CreateDateColumn({ type: 'timestamptz', default: () => 'clock_timestamp()' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;
}
