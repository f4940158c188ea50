import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../platform/database/column-transformers';
import { AuditEvent } from './audit-event.entity';

/**
 * An event's place in the tamper-evident chain: `hash` is SHA-256 of the
 * canonical form of the event with its `seq` and `prevHash`. Appended by the
 * sealer in `seq` order, append-only like the events.
 */
@Entity({ name: 'audit_chain' })
export class AuditChainLink {
  @PrimaryColumn({ type: 'bigint', transformer: bigintAsNumber })
  seq!: number;

  @Index('audit_chain_event_unique', { unique: true })
  @Column({ type: 'uuid' })
  eventId!: string;

  @ManyToOne(() => AuditEvent, { onDelete: 'RESTRICT' })
  event?: AuditEvent;

  @Column({ type: 'text' })
  prevHash!: string;

  @Column({ type: 'text' })
  hash!: string;

  /** HMAC-SHA256 of `seq:hash` under a key derived from the audit signing key (see AuditSigningKey#linkMac). */
  @Column({ type: 'text' })
  mac!: string;

  /** Transaction-id horizon of the sealing batch: every event written below it is sealed at or before this link. */
  @Column({ type: 'bigint', transformer: bigintAsNumber })
  horizon!: number;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  sealedAt!: Date;
}
