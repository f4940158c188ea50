import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { type CursorPosition, decodeCursor, encodeCursor, InvalidCursorError } from './cursor';

export type SortDirection = 'ASC' | 'DESC';

/** A list's order: one non-null column, ties broken by `id` in the same direction. */
export interface SortOrder {
  property: string;
  direction: SortDirection;
}

export const NEWEST_FIRST: SortOrder = { property: 'createdAt', direction: 'DESC' };

export interface PageRequest {
  limit: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

/** How a sort column's key is carried in a cursor, read back from it, and compared in SQL. */
interface SortKeyKind {
  /** The SQL type the cursor's key is cast to. */
  cast: string;
  /** Selects the key as it goes into the cursor, exact to the column's precision. */
  select(column: string): string;
  /** Whether a key decoded from a cursor is one this column could hold. */
  accepts(key: string | number): boolean;
}

const ISO_MICROSECONDS = /^[1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const INT4 = 2 ** 31;
const INT8 = 2n ** 63n;

const SORT_KEY_KINDS: Record<string, SortKeyKind> = {
  // JavaScript dates hold milliseconds, PostgreSQL microseconds: a key rounded to a Date would skip rows.
  timestamptz: {
    cast: 'timestamptz',
    select: (column) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    accepts: (key) =>
      typeof key === 'string' &&
      ISO_MICROSECONDS.test(key) &&
      // Rejects calendar overflow (Feb 30) that Date would silently roll over.
      !Number.isNaN(Date.parse(key)) &&
      new Date(Date.parse(key)).toISOString().slice(0, 23) === key.slice(0, 23),
  },
  integer: {
    cast: 'integer',
    select: (column) => column,
    accepts: (key) => Number.isSafeInteger(key) && Math.abs(key as number) < INT4,
  },
  bigint: {
    cast: 'bigint',
    select: (column) => `${column}::text`,
    accepts: (key) => typeof key === 'string' && /^-?\d{1,19}$/.test(key) && BigInt(key) < INT8 && BigInt(key) >= -INT8,
  },
  text: {
    cast: 'text',
    select: (column) => column,
    // PostgreSQL text cannot hold NUL; such a key could only be forged.
    accepts: (key) => typeof key === 'string' && !key.includes('\u0000'),
  },
};
const TYPE_ALIASES: Record<string, string> = {
  'timestamp with time zone': 'timestamptz',
  int: 'integer',
  int4: 'integer',
  int8: 'bigint',
  varchar: 'text',
  'character varying': 'text',
};

const SORT_KEY_ALIAS = 'page_sort_key';

/** `-createdAt` for newest first: the name a cursor is bound to (and what `?sort=` lists accept). */
export function sortName(order: SortOrder): string {
  return `${order.direction === 'DESC' ? '-' : ''}${order.property}`;
}

/**
 * One page of `query` (already filtered and scoped by the caller) by keyset:
 * rows strictly after the cursor's `(sort key, id)` in `order`, so pages stay
 * stable while rows are added, and cost the same however deep — given an
 * index on `(sort column, id)` (after any equality filter's columns); without
 * one every page sorts the table. The query must not join to-many relations
 * (one row per entity).
 */
export async function findPage<T extends ObjectLiteral & { id: string }>(
  query: SelectQueryBuilder<T>,
  request: PageRequest,
  order: SortOrder = NEWEST_FIRST,
): Promise<Page<T>> {
  const alias = query.alias;
  const metadata = query.expressionMap.mainAlias?.metadata;
  const sortColumn = metadata?.findColumnWithPropertyName(order.property);
  const idColumn = metadata?.findColumnWithPropertyName('id');
  if (!sortColumn || !idColumn) throw new Error(`Cannot page ${alias} by ${order.property}: no such column`);
  const kind = sortKeyKind(sortColumn);
  const sortSql = `${query.escape(alias)}.${query.escape(sortColumn.databaseName)}`;
  const idSql = `${query.escape(alias)}.${query.escape(idColumn.databaseName)}`;
  const name = sortName(order);

  if (request.cursor !== undefined) {
    const position = positionOf(request.cursor, order, kind);
    query.andWhere(
      `(${sortSql}, ${idSql}) ${comparison(order)} (CAST(:pageKey AS ${kind.cast}), CAST(:pageId AS uuid))`,
      {
        pageKey: position.key,
        pageId: position.id,
      },
    );
  }
  query
    .addSelect(kind.select(sortSql), SORT_KEY_ALIAS)
    .orderBy(sortSql, order.direction)
    .addOrderBy(idSql, order.direction)
    .limit(request.limit + 1);

  const { entities, raw } = await query.getRawAndEntities<Record<string, string | number>>();
  if (entities.length <= request.limit) return { items: entities, nextCursor: null };
  const items = entities.slice(0, request.limit);
  const last: CursorPosition = {
    sort: name,
    key: raw[request.limit - 1][SORT_KEY_ALIAS],
    id: items[items.length - 1].id,
  };
  return { items, nextCursor: encodeCursor(last) };
}

/** A list's sort column as hand-written SQL names it. */
export interface SqlSortColumn {
  /** Qualified and quoted as needed: `p.created_at`. */
  sql: string;
  /** Its SQL type: `timestamptz`, `integer`, `bigint` or `text`, never nullable. */
  type: string;
}

/** The pieces of a keyset page for a query written by hand; the rows it selects carry `page_sort_key`. */
export interface SqlKeyset {
  /** The condition for rows after the cursor; null on the first page. */
  after: string | null;
  /** Selects the sort key exactly as the cursor carries it: add `AS page_sort_key`. */
  sortKey: string;
  orderBy: string;
}

/**
 * `findPage`'s keyset for the lists hot enough to skip the query builder and
 * its entity hydration (the catalog): the same cursor, the same checks, the
 * same order. `bind` adds a parameter to the query and returns its placeholder.
 * Fetch `limit + 1` rows and hand them to `pageOfRows`.
 */
export function sqlKeyset(
  column: SqlSortColumn,
  idSql: string,
  order: SortOrder,
  cursor: string | undefined,
  bind: (value: unknown) => string,
): SqlKeyset {
  const kind = SORT_KEY_KINDS[column.type];
  if (!kind) throw new Error(`Cannot page by ${column.sql}: unsupported type ${column.type}`);
  let after: string | null = null;
  if (cursor !== undefined) {
    const position = positionOf(cursor, order, kind);
    after = `(${column.sql}, ${idSql}) ${comparison(order)} (CAST(${bind(position.key)} AS ${kind.cast}), CAST(${bind(position.id)} AS uuid))`;
  }
  return {
    after,
    sortKey: kind.select(column.sql),
    orderBy: `${column.sql} ${order.direction}, ${idSql} ${order.direction}`,
  };
}

/** The page of `rows` (up to `limit + 1` selected by a `sqlKeyset` query), with the cursor after its last row. */
export function pageOfRows<T extends { id: string; page_sort_key: string | number }>(
  rows: T[],
  limit: number,
  order: SortOrder,
): Page<T> {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  const last = items[limit - 1];
  return { items, nextCursor: encodeCursor({ sort: sortName(order), key: last.page_sort_key, id: last.id }) };
}

/** Where `cursor` points, refused unless it was issued for `order` with a key the sort column could hold. */
function positionOf(cursor: string, order: SortOrder, kind: SortKeyKind): CursorPosition {
  const position = decodeCursor(cursor, sortName(order));
  if (!kind.accepts(position.key)) throw new InvalidCursorError('not a cursor this service issued');
  return position;
}

const comparison = (order: SortOrder) => (order.direction === 'DESC' ? '<' : '>');

export function mapPage<T, U>(page: Page<T>, map: (item: T) => U): Page<U> {
  return { items: page.items.map(map), nextCursor: page.nextCursor };
}

function sortKeyKind(column: ColumnMetadata): SortKeyKind {
  const type = typeof column.type === 'string' ? column.type : '';
  const kind = SORT_KEY_KINDS[TYPE_ALIASES[type] ?? type];
  if (!kind || column.isNullable) {
    throw new Error(
      `Cannot page by ${column.propertyName}: sort columns must be non-null ${Object.keys(SORT_KEY_KINDS).join('/')}`,
    );
  }
  return kind;
}
