import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';

/** A node of the catalog's category tree; products belong to any number of categories. */
@Entity({ name: 'categories' })
@Index('categories_slug_unique', ['slug'], { unique: true })
@Index('categories_parent', ['parentId'])
// The keyset of the list, by name.
@Index('categories_name', ['name', 'id'])
export class Category {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  /** Lower-case words joined by hyphens, unique: `power-tools`. */
  @Column({ type: 'text' })
  slug!: string;

  @Column({ type: 'uuid', nullable: true })
  parentId!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;

  @VersionColumn()
  version!: number;
}
