import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import type { Role } from '../../access/roles';
import { encryptedText } from '../../platform/crypto/encrypted-text.transformer';
import { bigintAsNumber } from '../../platform/database/column-transformers';
import { Organization } from './organization.entity';

/**
 * Staff users have no organization; customer users belong to exactly one
 * (enforced by the database too). Users are disabled, never deleted.
 */
@Entity({ name: 'users' })
// Unique on lower(email), an expression index TypeORM cannot model: created by the migration, left alone by sync.
@Index('users_email_unique', { synchronize: false })
@Index('users_organization', ['organizationId'])
// The keysets of the lists, newest first: all users, and one organization's.
@Index('users_created', ['createdAt', 'id'])
@Index('users_organization_created', ['organizationId', 'createdAt', 'id'])
@Check('users_roles_not_empty', 'cardinality("roles") > 0')
@Check(
  'users_staff_xor_customer',
  `("organization_id" IS NULL AND "roles" <@ ARRAY['admin','catalog_manager','fulfillment','finance','auditor']::text[])
   OR ("organization_id" IS NOT NULL AND "roles" <@ ARRAY['org_admin','buyer']::text[])`,
)
export class User {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Stored as given; compared case-insensitively (unique index on lower(email)). */
  @Column({ type: 'text' })
  email!: string;

  @Column({ type: 'text' })
  displayName!: string;

  /** argon2id PHC string. */
  @Column({ type: 'text' })
  passwordHash!: string;

  @Column({ type: 'text', array: true })
  roles!: Role[];

  @Column({ type: 'uuid', nullable: true })
  organizationId!: string | null;

  @ManyToOne(() => Organization, { nullable: true, onDelete: 'RESTRICT' })
  organization?: Organization | null;

  @Column({ type: 'timestamptz', nullable: true })
  disabledAt!: Date | null;

  @Column({ type: 'integer', default: 0 })
  failedLoginCount!: number;

  @Column({ type: 'timestamptz', nullable: true })
  lockedUntil!: Date | null;

  @Column({ type: 'timestamptz' })
  passwordChangedAt!: Date;

  /**
   * When the user's sessions were last ended (password change, MFA change,
   * disabling): access tokens issued before are refused, but those of
   * `sessionKeptId`, the session that made the change, if any. Null: never.
   * Written only by TokensService.endSessions, never by saving an entity
   * (a stale copy saved later must not undo it).
   */
  @Column({ type: 'timestamptz', nullable: true, insert: false, update: false })
  sessionsEndedAt!: Date | null;

  @Column({ type: 'uuid', nullable: true, insert: false, update: false })
  sessionKeptId!: string | null;

  /**
   * TOTP secret, encrypted at rest; null until MFA setup starts. Not loaded
   * unless asked for (MfaService does): nothing else needs it in memory.
   */
  @Column({ type: 'text', nullable: true, transformer: encryptedText, select: false })
  mfaSecret!: string | null;

  @Column({ type: 'boolean', default: false })
  mfaEnabled!: boolean;

  /** Last accepted TOTP time step: a code at or before it is refused (RFC 6238 replay rule). */
  @Column({ type: 'bigint', nullable: true, transformer: bigintAsNumber })
  mfaLastUsedStep!: number | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;

  @VersionColumn()
  version!: number;
}
