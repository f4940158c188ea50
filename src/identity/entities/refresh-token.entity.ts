import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from './user.entity';

/**
 * One refresh token of a login. All tokens of one login share a `familyId`:
 * each is spent on use and replaced by the next; presenting a spent one
 * revokes the whole family.
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

  @Column({ type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  spentAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
