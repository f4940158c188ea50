import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

export type IdempotencyState = 'in_flight' | 'completed';

/**
 * One `Idempotency-Key` of one caller: claimed while its request runs, then
 * holding that request's response for replays until it expires.
 */
@Entity({ name: 'idempotency_keys' })
@Index('idempotency_keys_expires', ['expiresAt'])
export class IdempotencyKey {
  /** Whose key: the user a token or an API key acts for. Two callers' keys never collide. */
  @PrimaryColumn({ type: 'text' })
  scope!: string;

  @PrimaryColumn({ type: 'text' })
  key!: string;

  /** SHA-256 of the method, route, path parameters and body: the same key with another request is 422. */
  @Column({ type: 'text' })
  fingerprint!: string;

  @Column({ type: 'text' })
  state!: IdempotencyState;

  /** Fencing token: a claim taken over from a crashed request gets a new one, so only one completion counts. */
  @Column({ type: 'integer', default: 1 })
  attempt!: number;

  /** Until when the claim of an in-flight request holds; past it, a retry may take it over. */
  @Column({ type: 'timestamptz' })
  leaseUntil!: Date;

  @Column({ type: 'integer', nullable: true })
  responseStatus!: number | null;

  /** The response body exactly as first sent. */
  @Column({ type: 'text', nullable: true })
  responseBody!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz' })
  expiresAt!: Date;
}
