import { Entity, Index, PrimaryColumn } from 'typeorm';

/** Which categories a product is in. */
@Entity({ name: 'product_categories' })
@Index('product_categories_category', ['categoryId', 'productId'])
export class ProductCategory {
  @PrimaryColumn({ type: 'uuid' })
  productId!: string;

  @PrimaryColumn({ type: 'uuid' })
  categoryId!: string;
}
