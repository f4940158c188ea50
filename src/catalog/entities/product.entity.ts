import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { bigintAsNumber } from '../../platform/database/column-transformers';

/**
 * Something customers can order. The migration also gives it `search`, a
 * generated tsvector over SKU, name and description with a GIN index, which
 * the entity leaves unmapped: it is only ever read in WHERE clauses.
 */
@Entity({ name: 'products' })
@Index('products_sku_unique', ['sku'], { unique: true })
// Keysets of the list for each sort; the `active` partial twins (in the migration) serve customers' lists.
@Index('products_created', ['createdAt', 'id'])
@Index('products_price', ['priceCents', 'id'])
@Index('products_name', ['name', 'id'])
@Check('products_stock_not_negative', '"stock" >= 0')
@Check('products_price_not_negative', '"price_cents" >= 0')
@Check('products_tax_rate_range', '"tax_rate_bps" BETWEEN 0 AND 10000')
export class Product {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Upper-case letters, digits, `.`, `_` and `-`. */
  @Column({ type: 'text' })
  sku!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', default: '' })
  description!: string;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  priceCents!: number;

  /** ISO 4217, upper case. */
  @Column({ type: 'char', length: 3 })
  currency!: string;

  /** Tax rate in basis points: 2000 is 20 %. */
  @Column({ type: 'integer' })
  taxRateBps!: number;

  /** Units on hand; changed only by StockService, which writes a movement for each change. */
  @Column({ type: 'integer', default: 0 })
  stock!: number;

  /** False once archived: hidden from customers and anonymous callers, never deleted. */
  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;

  /** Counts edits of the catalog data; stock moves do not change it (an edit never races an order). */
  @VersionColumn()
  version!: number;
}
