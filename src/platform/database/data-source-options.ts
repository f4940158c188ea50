import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { Environment } from '../config/environment';
import { BoundedClient, type BoundedClientConfig } from './bounded-client';
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
    extra: poolOptions(environment),
  };
}

/**
 * pg-pool's options, and through them each client's: every wait on the
 * database is bounded on this side, where a stalled network cannot stop the
 * clock, as well as on the server's.
 */
function poolOptions(
  environment: Environment,
): Omit<BoundedClientConfig, 'connectionString'> & { Client: typeof BoundedClient } {
  return {
    // Each query answered within the deadline, or its connection closed (see BoundedClient).
    Client: BoundedClient,
    queryDeadlineMs: environment.DATABASE_QUERY_TIMEOUT_MS,
    // pg-pool bounds both with this: waiting for a free connection of a full pool, and opening a new one.
    connectionTimeoutMillis: environment.DATABASE_CONNECT_TIMEOUT_MS,
    // A peer that vanished is found on idle connections too (and NAT and firewall state kept alive).
    keepAlive: true,
    keepAliveInitialDelayMillis: environment.DATABASE_KEEPALIVE_DELAY_MS,
    // The server's side: a statement that runs too long, a transaction its client left open.
    statement_timeout: environment.DATABASE_STATEMENT_TIMEOUT_MS,
    idle_in_transaction_session_timeout: environment.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    application_name: 'b2b-commerce',
  };
}
