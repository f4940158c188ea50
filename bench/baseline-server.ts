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

// The catalog, as an anonymous caller sees it: the statements the app sends (src/catalog/products.repository.ts).
const COLUMNS =
  'p.id, p.sku, p.name, p.description, p.price_cents AS "priceCents", p.currency, p.tax_rate_bps AS "taxRateBps", ' +
  'p.stock, p.active, p.created_at AS "createdAt", p.updated_at AS "updatedAt", p.version, ' +
  'ARRAY(SELECT link.category_id FROM product_categories link WHERE link.product_id = p.id ' +
  'ORDER BY link.category_id) AS "categoryIds"';
const NEWEST_FIRST_KEY = `to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const PAGE = `SELECT ${COLUMNS}, ${NEWEST_FIRST_KEY} AS page_sort_key FROM products p
        WHERE ((p.active = $1))%AFTER%
        ORDER BY p.created_at DESC, p.id DESC LIMIT %LIMIT%`;
const ONE = `SELECT ${COLUMNS} FROM products p WHERE p.id = $1`;
interface Row {
  id: string;
  sku: string;
  name: string;
  description: string;
  priceCents: string;
  currency: string;
  taxRateBps: number;
  stock: number;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
  version: number;
  categoryIds: string[];
  page_sort_key?: string;
}

const toDto = (row: Row) => ({
  id: row.id,
  sku: row.sku,
  name: row.name,
  description: row.description,
  priceCents: Number(row.priceCents),
  currency: row.currency,
  taxRateBps: row.taxRateBps,
  stock: row.stock,
  active: row.active,
  categoryIds: row.categoryIds,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
  version: row.version,
});

app.get<{ Querystring: { limit?: string; cursor?: string } }>('/v1/products', async (request) => {
  const limit = Number(request.query.limit ?? 20);
  const parameters: unknown[] = [true];
  let after = '';
  if (request.query.cursor) {
    const [, key, id] = JSON.parse(Buffer.from(request.query.cursor, 'base64url').toString()) as string[];
    parameters.push(key, id);
    after = ' AND (p.created_at, p.id) < (CAST($2 AS timestamptz), CAST($3 AS uuid))';
  }
  parameters.push(limit + 1);
  const { rows } = await pool.query<Row>(
    PAGE.replace('%AFTER%', after).replace('%LIMIT%', `$${parameters.length}`),
    parameters,
  );
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toDto),
    nextCursor:
      rows.length > limit
        ? Buffer.from(JSON.stringify(['-createdAt', last.page_sort_key, last.id])).toString('base64url')
        : null,
  };
});

app.get<{ Params: { id: string } }>('/v1/products/:id', async (request, reply) => {
  const { rows } = await pool.query<Row>(ONE, [request.params.id]);
  const row = rows[0];
  if (!row || !row.active) return reply.code(404).send({ status: 404 });
  void reply.header('etag', `"${row.version}"`);
  return toDto(row);
});

void app.listen({ port, host: '127.0.0.1' }).then((address) => process.stdout.write(`listening ${address}\n`));
process.once('SIGTERM', () => void app.close().then(() => pool.end()));
