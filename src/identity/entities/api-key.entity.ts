import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '../../access/roles';
import { User } from './user.entity';

/** A machine client's credential, acting for `userId` with a subset of that user's roles. */
@Entity({ name: 'api_keys' })
@Index('api_keys_user', ['userId'])
@Index('api_keys_organization', ['organizationId'])
export class ApiKey {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  user?: User;

  /** The owner's organization, copied for policy scoping (org admins manage their organization's keys). */
  @Column({ type: 'uuid', nullable: true })
  organizationId!: string | null;

  @Column({ type: 'text' })
  name!: string;

  /** The public, recognisable start of the key, shown in lists; unique. */
  @Index('api_keys_prefix_unique', { unique: true })
  @Column({ type: 'text' })
  prefix!: string;

  /** SHA-256 (hex) of the whole key. */
  @Column({ type: 'text' })
  secretHash!: string;

  @Column({ type: 'text', array: true })
  roles!: Role[];

  @Column({ type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
