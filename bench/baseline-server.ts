/**
 * The bare baseline: Fastify and `pg`, no Nest, no validation, no guards, no
 * logging. It answers the benchmarked routes with the same SQL and the same
 * JSON as the app, so the ratio printed by bench/run.ts is the cost of
 * everything the app adds.
 */
import Fastify from 'fastify';
import { Pool } from 'pg';

const port = Number(process.env.PORT ?? 0);
const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
});
const app = Fastify({ logger: false });

app.get('/health/live', () => ({ status: 'ok', info: {}, error: {}, details: {} }));

app.get('/health/ready', async () => {
  const started = Date.now();
  await pool.query('SELECT 1');
  const pingTime = Date.now() - started;
  await pool.query('SELECT * FROM "migrations" ORDER BY "id" DESC');
  const checks = {
    database: { responseTime: pingTime, status: 'up' },
    migrations: { responseTime: Date.now() - started, status: 'up' },
    heap: { status: 'up' },
  };
  return { status: 'ok', info: checks, error: {}, details: checks };
});

void app.listen({ port, host: '127.0.0.1' }).then((address) => process.stdout.write(`listening ${address}\n`));
process.once('SIGTERM', () => void app.close().then(() => pool.end()));
