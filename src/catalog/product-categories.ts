import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { In } from 'typeorm';
import { SqlReads } from '../platform/database/sql-reads';
import { UnknownCategoriesError } from './catalog.errors';
import { Category } from './entities/category.entity';
import { ProductCategory } from './entities/product-category.entity';

/** Which categories products are in: read for a page at once, replaced as a whole on edit. */
@Injectable()
export class ProductCategories {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly sql: SqlReads,
  ) {}

  private get links() {
    return this.txHost.tx.getRepository(ProductCategory);
  }

  /** Category ids by product id, each list sorted, for every product given (empty lists included). */
  async of(productIds: string[]): Promise<Map<string, string[]>> {
    const byProduct = new Map(productIds.map((id) => [id, [] as string[]]));
    if (productIds.length === 0) return byProduct;
    // Plain SQL: this runs for every product page and product read.
    const links = await this.sql.rows<{ product_id: string; category_id: string }>(
      'SELECT product_id, category_id FROM product_categories WHERE product_id = ANY($1::uuid[]) ORDER BY category_id',
      [productIds],
    );
    for (const link of links) byProduct.get(link.product_id)?.push(link.category_id);
    return byProduct;
  }

  /** Makes `categoryIds` the product's categories; an id that names no category is a 400. */
  async replace(productId: string, categoryIds: string[]): Promise<void> {
    await this.ensureExist(categoryIds);
    await this.links.delete({ productId });
    if (categoryIds.length > 0) await this.links.insert(categoryIds.map((categoryId) => ({ productId, categoryId })));
  }

  /** Locks the categories against deletion (FOR SHARE) until the links are written. */
  private async ensureExist(categoryIds: string[]): Promise<void> {
    if (categoryIds.length === 0) return;
    const found = await this.txHost.tx
      .getRepository(Category)
      .find({ where: { id: In(categoryIds) }, select: { id: true }, lock: { mode: 'pessimistic_read' } });
    const known = new Set(found.map(({ id }) => id));
    const unknown = categoryIds.filter((id) => !known.has(id));
    if (unknown.length > 0) throw new UnknownCategoriesError('categoryIds', unknown);
  }
}
