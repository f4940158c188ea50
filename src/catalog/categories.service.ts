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
import { findPage, mapPage, type Page, type PageRequest } from '../platform/http/keyset-pagination';
import {
  CategoryCycleError,
  CategoryInUseError,
  InvalidSlugError,
  SlugTakenError,
  UnknownCategoriesError,
} from './catalog.errors';
import type { CategoryDto } from './dto/category.dto';
import type { CreateCategoryDto } from './dto/create-category.dto';
import type { UpdateCategoryDto } from './dto/update-category.dto';
import { Category } from './entities/category.entity';
import { ProductCategory } from './entities/product-category.entity';

const SLUG_UNIQUE_INDEX = 'categories_slug_unique';
const BY_NAME = { property: 'name', direction: 'ASC' } as const;

function toDto(category: Category): CategoryDto {
  return {
    id: category.id,
    name: category.name,
    slug: category.slug,
    parentId: category.parentId,
    createdAt: category.createdAt,
    updatedAt: category.updatedAt,
    version: category.version,
  };
}

/** `Power Tools & Drills` → `power-tools-drills`; accents dropped, anything else not a letter or digit splits words. */
export function slugFrom(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100)
    .replace(/-+$/, '');
}

/** The category tree: everyone reads it, catalog staff edit it. */
@Injectable()
export class CategoriesService {
  private readonly logger = new Logger(CategoriesService.name);

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly authorization: Authorization,
    private readonly audit: AuditRecorder,
  ) {}

  private get categories() {
    return this.txHost.tx.getRepository(Category);
  }

  /** By name; every caller who may read categories reads all of them. */
  async list(page: PageRequest): Promise<Page<CategoryDto>> {
    return mapPage(await findPage(this.categories.createQueryBuilder('category'), page, BY_NAME), toDto);
  }

  async get(principal: Principal, id: string): Promise<CategoryDto> {
    const category = await this.categories.findOneBy({ id });
    if (!category) throw new ResourceNotFoundError('Category');
    this.authorization.ensure(principal, 'read', 'Category', category);
    return toDto(category);
  }

  @Transactional()
  async create(actor: AuditActor, input: CreateCategoryDto): Promise<CategoryDto> {
    const slug = input.slug ?? slugFrom(input.name);
    if (!slug) throw new InvalidSlugError();
    const parentId = input.parentId ?? null;
    if (parentId) await this.ensureExists(parentId);
    const category = await this.saveUnique(this.categories.create({ name: input.name, slug, parentId }));
    await this.audit.record({
      actor,
      action: 'category.created',
      resource: { type: 'Category', id: category.id },
      changes: auditChanges(null, { name: category.name, slug: category.slug, parentId: category.parentId }),
    });
    this.logger.log({ event: 'category.created', categoryId: category.id }, 'category created');
    return toDto(category);
  }

  @Transactional()
  async update(actor: Actor, id: string, input: UpdateCategoryDto, ifMatch: IfMatch): Promise<CategoryDto> {
    // Two moves checked at once could each pass and together make a loop: moves take turns. They take their turn
    // before locking the category: a move's foreign-key check waits for the new parent's row, so a move holding its
    // own row while waiting for its turn deadlocks with one whose new parent that row is.
    if (input.parentId) await this.txHost.tx.query(`SELECT pg_advisory_xact_lock(hashtext('categories.tree'))`);
    const category = await this.lockedForEdit(actor, 'update', id, ifMatch);
    const before = { name: category.name, slug: category.slug, parentId: category.parentId };
    const after = {
      name: input.name ?? before.name,
      slug: input.slug ?? before.slug,
      parentId: input.parentId === undefined ? before.parentId : input.parentId,
    };
    const changes = auditChanges(before, after);
    if (!changes) return toDto(category);
    if (after.parentId && after.parentId !== before.parentId) {
      await this.ensureExists(after.parentId);
      if (await this.isSelfOrBelow(after.parentId, id)) throw new CategoryCycleError();
    }
    const saved = await this.saveUnique(Object.assign(category, after));
    await this.audit.record({ actor, action: 'category.updated', resource: { type: 'Category', id }, changes });
    this.logger.log({ event: 'category.updated', categoryId: id }, 'category updated');
    return toDto(saved);
  }

  /** Deletes an empty category: one with subcategories or products is 409, so nothing is orphaned. */
  @Transactional()
  async remove(actor: Actor, id: string, ifMatch: IfMatch): Promise<void> {
    const category = await this.lockedForEdit(actor, 'archive', id, ifMatch);
    const subcategories = await this.categories.countBy({ parentId: id });
    const products = await this.txHost.tx.getRepository(ProductCategory).countBy({ categoryId: id });
    if (subcategories > 0 || products > 0) throw new CategoryInUseError(subcategories, products);
    await this.categories.delete({ id });
    await this.audit.record({
      actor,
      action: 'category.deleted',
      resource: { type: 'Category', id },
      changes: auditChanges({ name: category.name, slug: category.slug, parentId: category.parentId }, null),
    });
    this.logger.log({ event: 'category.deleted', categoryId: id }, 'category deleted');
  }

  private async lockedForEdit(
    actor: Actor,
    action: 'update' | 'archive',
    id: string,
    ifMatch: IfMatch,
  ): Promise<Category> {
    const category = await this.authorization.lockedFor(this.categories, id, actor, 'Category', action);
    ensureMatches(ifMatch, category.version);
    return category;
  }

  /**
   * Locks the parent against deletion (FOR SHARE) until the child is written: a delete that got there first is
   * waited for and the parent is then unknown (400), not a foreign-key violation (500).
   */
  private async ensureExists(parentId: string): Promise<void> {
    const parent = await this.categories.findOne({
      where: { id: parentId },
      select: { id: true },
      lock: { mode: 'pessimistic_read' },
    });
    if (!parent) throw new UnknownCategoriesError('parentId', [parentId]);
  }

  /** Whether `candidate` is `id` or lies anywhere below it. */
  private async isSelfOrBelow(candidate: string, id: string): Promise<boolean> {
    const [row] = await this.txHost.tx.query<{ found: boolean }[]>(
      `WITH RECURSIVE below (id) AS (
         SELECT CAST($1 AS uuid)
         UNION SELECT child.id FROM categories child JOIN below ON child.parent_id = below.id
       ) SELECT EXISTS (SELECT 1 FROM below WHERE id = $2) AS found`,
      [id, candidate],
    );
    return row.found;
  }

  private async saveUnique(category: Category): Promise<Category> {
    try {
      return await this.categories.save(category);
    } catch (error) {
      if (violatesUnique(error, SLUG_UNIQUE_INDEX)) throw new SlugTakenError(category.slug);
      throw error;
    }
  }
}
