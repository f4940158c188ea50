import { createTestDatabase, type TestDatabase } from './test-database';

declare global {
  var testDatabase: TestDatabase | undefined;
}

/**
 * Once per `jest` run: a fresh, migrated database that every test file shares
 * through DATABASE_URL (workers inherit this process's environment).
 * TEST_DATABASE_REAL tells tests whether concurrency results mean anything.
 */
export default async function globalSetup(): Promise<void> {
  const database = await createTestDatabase(process.env.DATABASE_URL);
  globalThis.testDatabase = database;
  process.env.DATABASE_URL = database.url;
  process.env.TEST_DATABASE_REAL = String(database.real);
}
