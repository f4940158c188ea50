import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { Environment } from '../config/environment';
import { SnakeNamingStrategy } from './snake-naming.strategy';

const MIGRATIONS_GLOB = join(__dirname, '..', '..', '..', 'migrations', '*.{ts,js}');

/**
 * The one description of how we talk to PostgreSQL, shared by the app, the
 * TypeORM CLI (ormconfig.ts) and the tests. The schema changes only through
 * migrations: `synchronize` stays off everywhere.
 */
export function dataSourceOptions(environment: Environment, url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    synchronize: false,
    namingStrategy: new SnakeNamingStrategy(),
    migrations: [MIGRATIONS_GLOB],
    migrationsRun: environment.MIGRATIONS_RUN,
    migrationsTransactionMode: 'each',
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    poolSize: environment.DATABASE_POOL_SIZE,
    extra: {
      connectionTimeoutMillis: environment.DATABASE_CONNECT_TIMEOUT_MS,
      statement_timeout: environment.DATABASE_STATEMENT_TIMEOUT_MS,
      application_name: 'b2b-commerce',
    },
  };
}
