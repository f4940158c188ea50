import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintAsNumber } from '../platform/database/column-transformers';

/**
 * The chain's head at one moment, signed with the audit Ed25519 key: whoever
 * holds the public key can prove the events up to `seq` are the ones sealed,
 * even against someone who rewrote the tables and recomputed every hash.
 */
@Entity({ name: 'audit_checkpoints' })
export class AuditCheckpoint {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('audit_checkpoints_seq_unique', { unique: true })
  @Column({ type: 'bigint', transformer: bigintAsNumber })
  seq!: number;

  @Column({ type: 'text' })
  hash!: string;

  @Column({ type: 'timestamptz', precision: 3 })
  signedAt!: Date;

  /** Identifies the public key (SHA-256 of its SPKI DER, hex, first 16 characters). */
  @Column({ type: 'text' })
  keyId!: string;

  /** Ed25519 signature, base64, over the canonical JSON of `{ seq, hash, signedAt, keyId }`. */
  @Column({ type: 'text' })
  signature!: string;
}
