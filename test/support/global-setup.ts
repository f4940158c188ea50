import { connect } from 'node:net';
import { createTestDatabase, type TestDatabase } from './test-database';

declare global {
  var testDatabase: TestDatabase | undefined;
}

/** Services some tests need beside the database: the variable naming each, and where this machine has it. */
const SERVICES = [
  { variable: 'TEST_BROKER_URL', local: 'nats://127.0.0.1:4222', tests: 'the outbox publisher tests (NATS)' },
  { variable: 'TEST_REDIS_URL', local: 'redis://127.0.0.1:6379', tests: 'the shared rate-limit tests (Redis)' },
];

/**
 * Once per `jest` run: a fresh, migrated database that every test file shares
 * through DATABASE_URL (workers inherit this process's environment).
 * TEST_DATABASE_REAL tells tests whether concurrency results mean anything.
 * TEST_BROKER_URL and TEST_REDIS_URL name the NATS and Redis servers their
 * tests use: given, each must answer; not given, this machine's if it
 * answers, else '' and those tests are skipped.
 */
export default async function globalSetup(): Promise<void> {
  const database = await createTestDatabase(process.env.DATABASE_URL);
  globalThis.testDatabase = database;
  process.env.DATABASE_URL = database.url;
  process.env.TEST_DATABASE_REAL = String(database.real);
  for (const { variable, local, tests } of SERVICES) {
    const named = process.env[variable];
    const url = named || local;
    if (await answers(url)) process.env[variable] = url;
    else if (named) throw new Error(`${variable} names ${named}, which does not answer`);
    else {
      console.warn(`\nNothing answers at ${url}: ${tests} are skipped.`);
      process.env[variable] = '';
    }
  }
}

/** Whether a TCP connection to the URL's host and port opens within a second. */
function answers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port), timeout: 1_000 });
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}
