import type { Environment } from '../config/environment';
import type { EmbeddedPostgres } from './embedded-postgres';

/**
 * With no DATABASE_URL, starts the embedded PostgreSQL persisted in DATA_DIR
 * and points `environment` at it; returns it so the caller stops it last.
 */
export async function ensureDatabase(environment: Environment): Promise<EmbeddedPostgres | undefined> {
  if (environment.DATABASE_URL) return undefined;
  const embedded = await (
    await loadEmbeddedPostgres()
  ).start({
    dataDir: environment.DATA_DIR,
    maxConnections: environment.DATABASE_POOL_SIZE + 5,
  });
  environment.DATABASE_URL = embedded.url;
  return embedded;
}

/**
 * The embedded database is an optional dependency, loaded only here: a
 * production install (`npm ci --omit=dev --omit=optional`, as the Docker image
 * does) leaves PGlite out, and runs only with DATABASE_URL.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  try {
    return (await import('./embedded-postgres.js')).EmbeddedPostgres;
  } catch (error) {
    if (!isMissingEmbeddedDatabase(error)) throw error;
    throw new Error(
      'DATABASE_URL is not set, and the embedded PostgreSQL it would fall back to is not installed ' +
        '(@electric-sql/pglite and @electric-sql/pglite-socket are optional dependencies, left out of production installs): ' +
        'set DATABASE_URL to a PostgreSQL server, or install with the optional dependencies for development.',
      { cause: error },
    );
  }
}

function isMissingEmbeddedDatabase(error: unknown): boolean {
  return (
    error instanceof Error &&
    'code' in error &&
    (error.code === 'MODULE_NOT_FOUND' || error.code === 'ERR_MODULE_NOT_FOUND') &&
    error.message.includes('@electric-sql/')
  );
}
