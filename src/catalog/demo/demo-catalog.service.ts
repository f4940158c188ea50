import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { In } from 'typeorm';
import { SYSTEM_ACTOR } from '../../audit/audit-recorder';
import { Environment } from '../../platform/config/environment';
import { CategoriesService } from '../categories.service';
import { SkuTakenError, SlugTakenError } from '../catalog.errors';
import { Category } from '../entities/category.entity';
import { Product } from '../entities/product.entity';
import { ProductsService } from '../products.service';
import { DEMO_CATEGORIES, DEMO_CURRENCY, DEMO_TAX_RATE_BPS, type DemoCategory } from './demo-catalog.data';

interface DemoProduct {
  sku: string;
  name: string;
  description: string;
  priceCents: number;
  stock: number;
  categorySlug: string;
}

function demoProducts(category: DemoCategory): DemoProduct[] {
  return category.items.flatMap(([name, description, priceCents], item) =>
    category.variants.map(([label, factor], variant) => ({
      sku: `${category.skuPrefix}-${String(item + 1).padStart(3, '0')}-${variant + 1}`,
      name: `${name}, ${label}`,
      description,
      priceCents: Math.round((priceCents * factor) / 10) * 10,
      // Varied and reproducible: some products run low, a few are out of stock.
      stock: ((item * 37 + variant * 11) % 9) * 25,
      categorySlug: category.slug,
    })),
  );
}

/**
 * On the first start outside production (with the demo seed on), the demo
 * catalog: categories and products created through the services, as an
 * operator would, so each is audited and each initial stock is a movement.
 * What exists already (by slug, by SKU) is left alone: seeding twice adds nothing.
 */
@Injectable()
export class DemoCatalog implements OnApplicationBootstrap {
  private readonly logger = new Logger(DemoCatalog.name);

  constructor(
    private readonly environment: Environment,
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly categories: CategoriesService,
    private readonly products: ProductsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.environment.demoSeedEnabled) await this.seed();
  }

  async seed(): Promise<void> {
    const categoryIds = await this.seedCategories();
    const wanted = DEMO_CATEGORIES.flatMap(demoProducts);
    const existing = await this.txHost.tx
      .getRepository(Product)
      .find({ where: { sku: In(wanted.map(({ sku }) => sku)) }, select: { sku: true } });
    const present = new Set(existing.map(({ sku }) => sku));
    let created = 0;
    for (const product of wanted.filter(({ sku }) => !present.has(sku))) {
      const { categorySlug, ...fields } = product;
      const input = {
        ...fields,
        currency: DEMO_CURRENCY,
        taxRateBps: DEMO_TAX_RATE_BPS,
        categoryIds: [categoryIds.get(categorySlug) as string],
      };
      if (await this.ignoringDuplicate(() => this.products.create(SYSTEM_ACTOR, input))) created += 1;
    }
    if (created > 0) this.logger.log({ event: 'catalog.demo_seeded', products: created }, 'demo catalog created');
  }

  /** Category id by slug, parents before children. */
  private async seedCategories(): Promise<Map<string, string>> {
    const repository = this.txHost.tx.getRepository(Category);
    const existing = await repository.find({ where: { slug: In(DEMO_CATEGORIES.map(({ slug }) => slug)) } });
    const ids = new Map(existing.map(({ slug, id }) => [slug, id]));
    for (const { name, slug, parentSlug } of DEMO_CATEGORIES) {
      if (ids.has(slug)) continue;
      const parentId = parentSlug ? ids.get(parentSlug) : undefined;
      await this.ignoringDuplicate(() => this.categories.create(SYSTEM_ACTOR, { name, slug, parentId }));
      ids.set(slug, (await repository.findOneByOrFail({ slug })).id);
    }
    return ids;
  }

  /** Another process seeding at the same time got there first: fine. */
  private async ignoringDuplicate(create: () => Promise<unknown>): Promise<boolean> {
    try {
      await create();
      return true;
    } catch (error) {
      if (error instanceof SkuTakenError || error instanceof SlugTakenError) return false;
      throw error;
    }
  }
}
