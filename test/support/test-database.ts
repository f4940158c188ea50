import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { validateEnvironment } from '../../src/platform/config/environment';
import { dataSourceOptions } from '../../src/platform/database/data-source-options';
import { EmbeddedPostgres } from '../../src/platform/database/embedded-postgres';
import { withDatabase } from './raw-sql';

export interface TestDatabase {
  url: string;
  /** True for a real PostgreSQL server; false for the embedded one. */
  real: boolean;
  drop(): Promise<void>;
}

/**
 * A fresh database for one test run, with every migration applied: a new
 * database on the server `serverUrl` names (CI), or an in-memory embedded
 * PostgreSQL when there is none.
 */
export async function createTestDatabase(serverUrl: string | undefined): Promise<TestDatabase> {
  const database = serverUrl ? await createOnServer(serverUrl) : await startEmbedded();
  await migrate(database.url);
  return database;
}

async function createOnServer(serverUrl: string): Promise<TestDatabase> {
  const name = `test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  await withDatabase(serverUrl, (admin) => admin.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    real: true,
    drop: async () => {
      await withDatabase(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

async function startEmbedded(): Promise<TestDatabase> {
  const embedded = await EmbeddedPostgres.start({ maxConnections: 100 });
  return { url: embedded.url, real: false, drop: () => embedded.stop() };
}

async function migrate(url: string): Promise<void> {
  const environment = validateEnvironment({ ...process.env, DATABASE_URL: url });
  const dataSource = new DataSource(dataSourceOptions(environment, url));
  await dataSource.initialize();
  try {
    await dataSource.runMigrations();
  } finally {
    await dataSource.destroy();
  }
}
