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
