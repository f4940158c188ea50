/**
 * Depends on a private shape of TypeORM 1.1: its PostgresDriver keeps the pg
 * Pool it made as `driver.master` (declared `any`, undocumented). No public API
 * hands out the pool: `DataSource.query` goes through a QueryRunner (the cost
 * SqlReads avoids) and nothing reports the pool's counts (the metrics read them).
 * `postgresPool` checks the shape and throws when an upgrade has changed it;
 * SqlReads calls it at start-up.
 */
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/** The property relied on; typing it here makes the build fail if TypeORM stops declaring it. */
const POOL_PROPERTY = 'master' satisfies keyof PostgresDriver;

function isPgPool(value: unknown): value is Pool {
  if (typeof value !== 'object' || value === null) return false;
  const pool = value as Record<keyof Pool, unknown>;
  return (
    typeof pool.query === 'function' &&
    typeof pool.connect === 'function' &&
    typeof pool.totalCount === 'number' &&
    typeof pool.idleCount === 'number' &&
    typeof pool.waitingCount === 'number'
  );
}

/** The pg Pool of an initialized PostgreSQL data source. */
export function postgresPool(dataSource: DataSource): Pool {
  const pool: unknown = (dataSource.driver as Partial<Record<typeof POOL_PROPERTY, unknown>>)[POOL_PROPERTY];
  if (!isPgPool(pool)) {
    throw new Error(
      `TypeORM no longer keeps a pg Pool as driver.${POOL_PROPERTY} of an initialized PostgreSQL data source. ` +
        'Revisit src/platform/library-internals/typeorm.ts.',
    );
  }
  return pool;
}
