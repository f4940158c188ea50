import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../platform/database/column-transformers';
import type { AuditChainLink } from './audit-chain-link.entity';

export const AUDIT_OUTCOMES = ['success', 'denied', 'failure'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export const AUDIT_ACTOR_TYPES = ['user', 'api_key', 'anonymous', 'system'] as const;
export type AuditActorType = (typeof AUDIT_ACTOR_TYPES)[number];

/** Before/after of the fields a change touched, already redacted. */
export interface AuditChanges {
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

/**
 * One recorded fact: who did what to which resource, with what result, from
 * where. Append-only (a trigger refuses UPDATE, DELETE, TRUNCATE); its place
 * in the hash chain is an `AuditChainLink`, added when the event is sealed.
 */
@Entity({ name: 'audit_events' })
@Check('audit_events_outcome', `"outcome" IN ('success', 'denied', 'failure')`)
@Check('audit_events_actor_type', `"actor_type" IN ('user', 'api_key', 'anonymous', 'system')`)
@Index('audit_events_occurred', ['occurredAt', 'id'])
@Index('audit_events_actor', ['actorId', 'occurredAt'])
@Index('audit_events_resource', ['resourceType', 'resourceId', 'occurredAt'])
@Index('audit_events_action', ['action', 'occurredAt'])
@Index('audit_events_seal_order', ['txId', 'occurredAt', 'id'])
export class AuditEvent {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_random_uuid()' })
  id!: string;

  /**
   * The writing transaction's id, set by the database: the sealer appends an
   * event to the chain only once every transaction up to it has finished.
   */
  @Column({
    type: 'bigint',
    default: () => '(pg_current_xact_id())::text::bigint',
    insert: false,
    select: false,
    transformer: bigintAsNumber,
  })
  txId!: number;

  /** Millisecond precision, so the value hashed is exactly the value stored. */
  @Column({ type: 'timestamptz', precision: 3 })
  occurredAt!: Date;

  @Column({ type: 'text' })
  actorType!: AuditActorType;

  @Column({ type: 'uuid', nullable: true })
  actorId!: string | null;

  @Column({ type: 'uuid', nullable: true })
  actorOrganizationId!: string | null;

  @Column({ type: 'uuid', nullable: true })
  actorApiKeyId!: string | null;

  /** `<resource>.<what happened>`, e.g. `user.created`, `auth.login`, `access.denied`. */
  @Column({ type: 'text' })
  action!: string;

  @Column({ type: 'text' })
  resourceType!: string;

  @Column({ type: 'text', nullable: true })
  resourceId!: string | null;

  @Column({ type: 'text' })
  outcome!: AuditOutcome;

  @Column({ type: 'text', nullable: true })
  requestId!: string | null;

  @Column({ type: 'text', nullable: true })
  ip!: string | null;

  @Column({ type: 'text', nullable: true })
  userAgent!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  changes!: AuditChanges | null;

  /** Context that is not a field change: a denial's status and reason, a failure's cause. */
  @Column({ type: 'jsonb', nullable: true })
  details!: Record<string, unknown> | null;

  /** Its place in the chain, when read joined with it (not a column). */
  link?: AuditChainLink | null;
}
