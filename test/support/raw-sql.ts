import { Client } from 'pg';

type Work<T> = (client: Client) => Promise<T>;

/**
 * Runs `work` with a plain pg client of its own, then closes it whatever
 * happens: SQL beside the app, on the run's test database (DATABASE_URL, set
 * by the global setup) unless `url` names another. For what the API does not
 * show (the outbox, idempotency keys, stored hashes), a state it cannot reach
 * yet, or a database no app runs on.
 */
export function withDatabase<T>(work: Work<T>): Promise<T>;
export function withDatabase<T>(url: string, work: Work<T>): Promise<T>;
export async function withDatabase<T>(...args: [Work<T>] | [string, Work<T>]): Promise<T> {
  const [url, work] = args.length === 1 ? [process.env.DATABASE_URL, args[0]] : args;
  if (!url) throw new Error('withDatabase: no database (DATABASE_URL is set by the e2e global setup)');
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
