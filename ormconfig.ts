import { DataSource } from 'typeorm';
import { loadEnvironment } from './src/platform/config/load-environment';
import { dataSourceOptions } from './src/platform/database/data-source-options';
import { EmbeddedPostgres } from './src/platform/database/embedded-postgres';

/**
 * The TypeORM CLI's data source (`npm run migration:*`), from the same
 * configuration as the app. With no DATABASE_URL it opens the embedded
 * database in DATA_DIR: stop the app first, only one process may hold it.
 */
async function cliDataSource(): Promise<DataSource> {
  const environment = loadEnvironment();
  const url =
    environment.DATABASE_URL ??
    (
      await EmbeddedPostgres.start({
        dataDir: environment.DATA_DIR,
        maxConnections: environment.DATABASE_POOL_SIZE + 5,
      })
    ).url;
  return new DataSource({
    ...dataSourceOptions(environment, url),
    entities: [`${__dirname}/src/**/*.entity.ts`],
  });
}

export default cliDataSource();
