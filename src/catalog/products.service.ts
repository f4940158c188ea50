import { Injectable, Logger } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { ResourceNotFoundError } from '../access/access.errors';
import type { Actor, Principal } from '../access/actor';
import { Authorization } from '../access/authorization.service';
import { auditChanges } from '../audit/audit-redaction';
import { type AuditActor, AuditRecorder } from '../audit/audit-recorder';
import { violatesUnique } from '../platform/database/unique-violation';
import { ensureMatches, type IfMatch } from '../platform/http/etag';
import type { Page, SortOrder } from '../platform/http/keyset-pagination';
import { InvalidPriceRangeError, SkuTakenError } from './catalog.errors';
import type { CreateProductDto } from './dto/create-product.dto';
import type { ListProductsQueryDto, ProductSort } from './dto/list-products-query.dto';
import type { ProductDto } from './dto/product.dto';
import type { UpdateProductDto } from './dto/update-product.dto';
import { Product } from './entities/product.entity';
import { ProductCategories } from './product-categories';
import { type ProductRow, ProductsRepository } from './products.repository';
import { StockService } from './stock.service';

const SKU_UNIQUE_INDEX = 'products_sku_unique';

/** The catalog data of a product, as audit events record it. */
type ProductState = Omit<ProductDto, 'id' | 'stock' | 'createdAt' | 'updatedAt' | 'version'>;

function toDto(product: ProductRow): ProductDto {
  return {
    id: product.id,
    sku: product.sku,
    name: product.name,
    description: product.description,
    priceCents: product.priceCents,
    currency: product.currency,
    taxRateBps: product.taxRateBps,
    stock: product.stock,
    active: product.active,
    categoryIds: product.categoryIds,
    createdAt: product.createdAt,
    updatedAt: product.updatedAt,
    version: product.version,
  };
}

function stateOf(product: Product, categoryIds: string[]): ProductState {
  const { sku, name, description, priceCents, currency, taxRateBps, active } = product;
  return { sku, name, description, priceCents, currency, taxRateBps, active, categoryIds };
}

function sortOrder(sort: ProductSort): SortOrder {
  return sort.startsWith('-') ? { property: sort.slice(1), direction: 'DESC' } : { property: sort, direction: 'ASC' };
}

/** Products: anyone reads the active ones, staff per the policy also archived ones; catalog staff edit. */
@Injectable()
export class ProductsService {
  private readonly logger = new Logger(ProductsService.name);

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly authorization: Authorization,
    private readonly audit: AuditRecorder,
    private readonly categories: ProductCategories,
    private readonly stock: StockService,
    private readonly reads: ProductsRepository,
  ) {}

  private get products() {
    return this.txHost.tx.getRepository(Product);
  }

  async list(principal: Principal, query: ListProductsQueryDto): Promise<Page<ProductDto>> {
    const { minPriceCents, maxPriceCents } = query;
    if (minPriceCents !== undefined && maxPriceCents !== undefined && minPriceCents > maxPriceCents) {
      throw new InvalidPriceRangeError();
    }
    const scope = this.authorization.visibleWhere<Product>(principal, 'read', 'Product') ?? [];
    const page = await this.reads.findPage(scope, query, query, sortOrder(query.sort));
    return { items: page.items.map(toDto), nextCursor: page.nextCursor };
  }

  /** 404 when it does not exist or the caller may not see it (an archived product, for customers). */
  async get(principal: Principal, id: string): Promise<ProductDto> {
    const product = await this.reads.findById(id);
    if (!product) throw new ResourceNotFoundError('Product');
    this.authorization.ensure(principal, 'read', 'Product', product);
    return toDto(product);
  }

  @Transactional()
  async create(actor: AuditActor, input: CreateProductDto): Promise<ProductDto> {
    const { categoryIds = [], stock = 0, ...fields } = input;
    let product: Product;
    try {
      product = await this.products.save(this.products.create({ ...fields, description: fields.description ?? '' }));
    } catch (error) {
      if (violatesUnique(error, SKU_UNIQUE_INDEX)) throw new SkuTakenError(input.sku);
      throw error;
    }
    await this.categories.replace(product.id, categoryIds);
    await this.audit.record({
      actor,
      action: 'product.created',
      resource: { type: 'Product', id: product.id },
      changes: auditChanges(null, stateOf(product, categoryIds)),
    });
    if (stock > 0) await this.stock.move(actor, { productId: product.id, delta: stock, reason: 'initial' });
    this.logger.log({ event: 'product.created', productId: product.id, sku: product.sku }, 'product created');
    return this.current(product.id);
  }

  /**
   * Applies the fields sent. The row is locked while the version is compared,
   * so of two edits made from the same read, the second answers 412.
   */
  @Transactional()
  async update(actor: Actor, id: string, input: UpdateProductDto, ifMatch: IfMatch): Promise<ProductDto> {
    const product = await this.lockedForEdit(actor, 'update', id, ifMatch);
    const { categoryIds, ...fields } = input;
    const { categoryIds: currentCategoryIds } = await this.current(id);
    const before = stateOf(product, currentCategoryIds);
    const after: ProductState = {
      ...before,
      ...Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)),
      categoryIds: categoryIds ? [...categoryIds].sort() : currentCategoryIds,
    };
    const changes = auditChanges(before, after);
    if (!changes) return this.current(id);

    const { categoryIds: nextCategoryIds, ...columns } = after;
    try {
      // Always written, even for a change of categories alone: the version counts every edit.
      await this.products.update({ id }, columns);
    } catch (error) {
      if (violatesUnique(error, SKU_UNIQUE_INDEX)) throw new SkuTakenError(after.sku);
      throw error;
    }
    if (categoryIds) await this.categories.replace(id, nextCategoryIds);
    const action =
      before.active === after.active ? 'product.updated' : after.active ? 'product.restored' : 'product.archived';
    await this.audit.record({ actor, action, resource: { type: 'Product', id }, changes });
    this.logger.log({ event: action, productId: id }, action.replace('.', ' '));
    return this.current(id);
  }

  /** Hides the product from customers; it stays for orders and reports. Archiving it again changes nothing. */
  @Transactional()
  async archive(actor: Actor, id: string, ifMatch: IfMatch): Promise<void> {
    const product = await this.lockedForEdit(actor, 'archive', id, ifMatch);
    if (!product.active) return;
    await this.products.update({ id }, { active: false });
    await this.audit.record({
      actor,
      action: 'product.archived',
      resource: { type: 'Product', id },
      changes: { before: { active: true }, after: { active: false } },
    });
    this.logger.log({ event: 'product.archived', productId: id }, 'product archived');
  }

  private async lockedForEdit(
    actor: Actor,
    action: 'update' | 'archive',
    id: string,
    ifMatch: IfMatch,
  ): Promise<Product> {
    const product = await this.authorization.lockedFor(this.products, id, actor, 'Product', action);
    ensureMatches(ifMatch, product.version);
    return product;
  }

  /** The product as it is now, read in the caller's transaction, where there is one. */
  private async current(id: string): Promise<ProductDto> {
    const product = await this.reads.findById(id);
    if (!product) throw new ResourceNotFoundError('Product');
    return toDto(product);
  }
}
