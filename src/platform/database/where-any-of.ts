import { Brackets, type FindOptionsWhere, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';

/**
 * Narrows `query` to rows matching at least one of `alternatives` (find-options
 * conditions, OR-ed, as `Authorization.visibleWhere` returns them): none
 * matches nothing, an empty alternative matches everything.
 */
export function whereAnyOf<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  alternatives: FindOptionsWhere<T>[],
): SelectQueryBuilder<T> {
  if (alternatives.length === 0) return query.andWhere('false');
  if (alternatives.some((alternative) => Object.keys(alternative).length === 0)) return query;
  return query.andWhere(
    new Brackets((any) => {
      for (const alternative of alternatives) any.orWhere(alternative);
    }),
  );
}

/**
 * `whereAnyOf` for a query written by hand: the alternatives as one SQL
 * condition, null when one of them matches everything. `columns` maps each
 * field a condition may name to its column; any other field, or a value that
 * is not a plain scalar, is an error, never skipped (that would widen the scope).
 */
export function sqlAnyOf(
  alternatives: readonly object[],
  columns: Readonly<Record<string, string>>,
  bind: (value: unknown) => string,
): string | null {
  if (alternatives.length === 0) return 'false';
  if (alternatives.some((alternative) => Object.keys(alternative).length === 0)) return null;
  const each = alternatives.map((alternative) =>
    Object.entries(alternative)
      .map(([field, value]) => {
        const column = Object.hasOwn(columns, field) ? columns[field] : undefined;
        if (!column) throw new Error(`No column is mapped for the condition on '${field}'`);
        if (value === null) return `${column} IS NULL`;
        if (!['string', 'number', 'boolean'].includes(typeof value)) {
          throw new Error(`Unsupported condition on '${field}': only equality with a scalar is mapped`);
        }
        return `${column} = ${bind(value)}`;
      })
      .join(' AND '),
  );
  return `((${each.join(') OR (')}))`;
}
