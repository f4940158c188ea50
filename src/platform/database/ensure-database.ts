import type { Environment } from '../config/environment';
import { EmbeddedPostgres } from './embedded-postgres';

/**
 * With no DATABASE_URL, starts the embedded PostgreSQL persisted in DATA_DIR
 * and points `environment` at it; returns it so the caller stops it last.
 */
export async function ensureDatabase(environment: Environment): Promise<EmbeddedPostgres | undefined> {
  if (environment.DATABASE_URL) return undefined;
  const embedded = await EmbeddedPostgres.start({
    dataDir: environment.DATA_DIR,
    maxConnections: environment.DATABASE_POOL_SIZE + 5,
  });
  environment.DATABASE_URL = embedded.url;
  return embedded;
}
