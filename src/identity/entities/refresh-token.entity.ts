import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from './user.entity';

/**
 * One refresh token of a login (a session). All tokens of one login share a
 * `familyId`, the session id that its access tokens carry as `sid`: each is
 * spent on use and replaced by the next; presenting a spent one revokes the
 * whole family.
 */
@Entity({ name: 'refresh_tokens' })
@Index('refresh_tokens_family', ['familyId'])
@Index('refresh_tokens_user', ['userId'])
export class RefreshToken {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  user?: User;

  @Column({ type: 'uuid' })
  familyId!: string;

  /** SHA-256 (hex) of the token; the token itself is never stored. */
  @Index('refresh_tokens_hash_unique', { unique: true })
  @Column({ type: 'text' })
  tokenHash!: string;

  /** The earlier of this token's own lifetime and `sessionExpiresAt`. */
  @Column({ type: 'timestamptz' })
  expiresAt!: Date;

  /** When the login ends, however often it refreshes: set at sign-in, passed on to each next token. */
  @Column({ type: 'timestamptz' })
  sessionExpiresAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  spentAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
