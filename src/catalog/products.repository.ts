import { Injectable } from '@nestjs/common';
import type { FindOptionsWhere } from 'typeorm';
import { bigintAsNumber } from '../platform/database/column-transformers';
import { SqlReads } from '../platform/database/sql-reads';
import { sqlAnyOf } from '../platform/database/where-any-of';
import {
  type Page,
  pageOfRows,
  type SortOrder,
  type SqlSortColumn,
  sqlKeyset,
} from '../platform/http/keyset-pagination';
import type { Product } from './entities/product.entity';

/** A product as the reads return it: the entity's columns, as plain data, and its categories. */
export type ProductRow = Pick<Product, keyof Product> & { categoryIds: string[] };

/** As the driver returns it: bigint as a string. */
type SelectedRow = Omit<ProductRow, 'priceCents'> & { priceCents: string };

// Field by field: spreading the driver's row would also copy page_sort_key, and costs more.
const toProduct = (row: SelectedRow): ProductRow => ({
  id: row.id,
  sku: row.sku,
  name: row.name,
  description: row.description,
  priceCents: bigintAsNumber.from(row.priceCents) as number,
  currency: row.currency,
  taxRateBps: row.taxRateBps,
  stock: row.stock,
  active: row.active,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
  version: row.version,
  categoryIds: row.categoryIds,
});

export interface ProductFilter {
  q?: string;
  categoryId?: string;
  minPriceCents?: number;
  maxPriceCents?: number;
}

/** The product's columns and its category ids, sorted, in the same statement: one round trip per read. */
const COLUMNS =
  'p.id, p.sku, p.name, p.description, p.price_cents AS "priceCents", p.currency, p.tax_rate_bps AS "taxRateBps", ' +
  'p.stock, p.active, p.created_at AS "createdAt", p.updated_at AS "updatedAt", p.version, ' +
  'ARRAY(SELECT link.category_id FROM product_categories link WHERE link.product_id = p.id ' +
  'ORDER BY link.category_id) AS "categoryIds"';

/** The columns the policy's conditions on a product may name. */
const CONDITION_COLUMNS: Readonly<Record<string, string>> = { id: 'p.id', active: 'p.active' };

/** The sortable columns, each backed by a `(column, id)` index and its active-only twin (see the migration). */
const SORT_COLUMNS: Readonly<Record<string, SqlSortColumn>> = {
  createdAt: { sql: 'p.created_at', type: 'timestamptz' },
  priceCents: { sql: 'p.price_cents', type: 'bigint' },
  name: { sql: 'p.name', type: 'text' },
};

/**
 * The catalog's reads, in SQL: the busiest endpoints of the service (every
 * visitor's browsing), so they skip the query builder and entity hydration.
 * Writes stay with the TypeORM repository. Inside a transaction the reads
 * join it (SqlReads).
 */
@Injectable()
export class ProductsRepository {
  constructor(private readonly sql: SqlReads) {}

  async findById(id: string): Promise<ProductRow | null> {
    const rows = await this.sql.rows<SelectedRow>(`SELECT ${COLUMNS} FROM products p WHERE p.id = $1`, [id]);
    return rows.length > 0 ? toProduct(rows[0]) : null;
  }

  /**
   * One keyset page of the products matching `filter` within `scope` (the
   * policy's alternatives, as `Authorization.visibleWhere` gives them).
   */
  async findPage(
    scope: FindOptionsWhere<Product>[],
    filter: ProductFilter,
    page: { limit: number; cursor?: string },
    order: SortOrder,
  ): Promise<Page<ProductRow>> {
    const parameters: unknown[] = [];
    const bind = (value: unknown) => `$${parameters.push(value)}`;
    const conditions: string[] = [];
    const visible = sqlAnyOf(scope, CONDITION_COLUMNS, bind);
    if (visible) conditions.push(visible);
    if (filter.q !== undefined) conditions.push(`p.search @@ websearch_to_tsquery('english', ${bind(filter.q)})`);
    if (filter.categoryId !== undefined) {
      // The category and every category below it.
      conditions.push(
        `EXISTS (SELECT 1 FROM product_categories link WHERE link.product_id = p.id AND link.category_id IN (
           WITH RECURSIVE tree (id) AS (
             SELECT CAST(${bind(filter.categoryId)} AS uuid)
             UNION SELECT child.id FROM categories child JOIN tree ON child.parent_id = tree.id
           ) SELECT id FROM tree))`,
      );
    }
    if (filter.minPriceCents !== undefined) conditions.push(`p.price_cents >= ${bind(filter.minPriceCents)}`);
    if (filter.maxPriceCents !== undefined) conditions.push(`p.price_cents <= ${bind(filter.maxPriceCents)}`);
    const column = SORT_COLUMNS[order.property];
    if (!column) throw new Error(`Products cannot be sorted by ${order.property}`);
    const keyset = sqlKeyset(column, 'p.id', order, page.cursor, bind);
    if (keyset.after) conditions.push(keyset.after);

    const rows = await this.sql.rows<SelectedRow & { page_sort_key: string }>(
      `SELECT ${COLUMNS}, ${keyset.sortKey} AS page_sort_key FROM products p
        ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
        ORDER BY ${keyset.orderBy} LIMIT ${bind(page.limit + 1)}`,
      parameters,
    );
    const { items, nextCursor } = pageOfRows(rows, page.limit, order);
    return { items: items.map(toProduct), nextCursor };
  }
}
