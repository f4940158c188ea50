import { connect } from '@nats-io/transport-node';
import { createTestDatabase, type TestDatabase } from './test-database';

/** Where the broker tests look for NATS with JetStream unless TEST_BROKER_URL says: this machine's. */
const LOCAL_BROKER = 'nats://127.0.0.1:4222';

declare global {
  var testDatabase: TestDatabase | undefined;
}

/**
 * Once per `jest` run: a fresh, migrated database that every test file shares
 * through DATABASE_URL (workers inherit this process's environment).
 * TEST_DATABASE_REAL tells tests whether concurrency results mean anything.
 * TEST_BROKER_URL names the NATS server the broker tests use (given, it must
 * answer); not given, this machine's if it answers, else those tests are skipped.
 */
export default async function globalSetup(): Promise<void> {
  const database = await createTestDatabase(process.env.DATABASE_URL);
  globalThis.testDatabase = database;
  process.env.DATABASE_URL = database.url;
  process.env.TEST_DATABASE_REAL = String(database.real);
  process.env.TEST_BROKER_URL = await reachableBroker(process.env.TEST_BROKER_URL);
}

/** The broker named (which must answer), or this machine's if one answers, or '' for none. */
async function reachableBroker(named: string | undefined): Promise<string> {
  const url = named || LOCAL_BROKER;
  try {
    const connection = await connect({ servers: url, timeout: 1_000, reconnect: false });
    await connection.close();
    return url;
  } catch (error) {
    if (named) throw new Error(`TEST_BROKER_URL names ${named}, which does not answer`, { cause: error });
    console.warn(`\nNo NATS server answers at ${url}: the broker tests are skipped.`);
    return '';
  }
}
