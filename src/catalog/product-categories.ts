import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { In } from 'typeorm';
import { UnknownCategoriesError } from './catalog.errors';
import { Category } from './entities/category.entity';
import { ProductCategory } from './entities/product-category.entity';

/** Which categories a product is in, replaced as a whole on edit (reads come with the product: ProductsRepository). */
@Injectable()
export class ProductCategories {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get links() {
    return this.txHost.tx.getRepository(ProductCategory);
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
