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

// The catalog, as an anonymous caller sees it: the statements the app sends, word for word.
const COLUMNS = 'id sku name description price_cents currency tax_rate_bps stock active created_at updated_at version';
const productColumns = (alias: string) =>
  COLUMNS.split(' ')
    .map((column) => `"${alias}"."${column}" AS "${alias}_${column}"`)
    .join(', ');
const NEWEST_FIRST_KEY = `to_char("product"."created_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const PAGE = `SELECT ${productColumns('product')}, ${NEWEST_FIRST_KEY} AS "page_sort_key" FROM "products" "product"
  WHERE ("product"."active" = $1)%AFTER% ORDER BY "product"."created_at" DESC, "product"."id" DESC LIMIT %LIMIT%`;
const ONE = `SELECT ${productColumns('Product')} FROM "products" "Product" WHERE (("Product"."id" = $1)) LIMIT 1`;
const LINKS = `SELECT "ProductCategory"."product_id" AS "ProductCategory_product_id",
  "ProductCategory"."category_id" AS "ProductCategory_category_id" FROM "product_categories" "ProductCategory"
  WHERE (("ProductCategory"."product_id" IN (%IDS%))) ORDER BY "ProductCategory"."category_id" ASC`;

type Row = Record<string, string | number | boolean | Date>;

async function categoriesOf(ids: string[]): Promise<Map<string, string[]>> {
  const byProduct = new Map(ids.map((id) => [id, [] as string[]]));
  if (ids.length === 0) return byProduct;
  const { rows } = await pool.query<Row>(LINKS.replace('%IDS%', ids.map((_, i) => `$${i + 1}`).join(', ')), ids);
  for (const row of rows)
    byProduct.get(row.ProductCategory_product_id as string)?.push(row.ProductCategory_category_id as string);
  return byProduct;
}

const toDto = (row: Row, alias: string, categoryIds: string[]) => ({
  id: row[`${alias}_id`],
  sku: row[`${alias}_sku`],
  name: row[`${alias}_name`],
  description: row[`${alias}_description`],
  priceCents: Number(row[`${alias}_price_cents`]),
  currency: row[`${alias}_currency`],
  taxRateBps: row[`${alias}_tax_rate_bps`],
  stock: row[`${alias}_stock`],
  active: row[`${alias}_active`],
  categoryIds,
  createdAt: row[`${alias}_created_at`],
  updatedAt: row[`${alias}_updated_at`],
  version: row[`${alias}_version`],
});

app.get<{ Querystring: { limit?: string; cursor?: string } }>('/v1/products', async (request) => {
  const limit = Number(request.query.limit ?? 20);
  const parameters: unknown[] = [true];
  let after = '';
  if (request.query.cursor) {
    const [, key, id] = JSON.parse(Buffer.from(request.query.cursor, 'base64url').toString()) as string[];
    parameters.push(key, id);
    after = ` AND ("product"."created_at", "product"."id") < (CAST($2 AS timestamptz), CAST($3 AS uuid))`;
  }
  const { rows } = await pool.query<Row>(
    PAGE.replace('%AFTER%', after).replace('%LIMIT%', String(limit + 1)),
    parameters,
  );
  const page = rows.slice(0, limit);
  const categories = await categoriesOf(page.map((row) => row.product_id as string));
  const last = page[page.length - 1];
  return {
    items: page.map((row) => toDto(row, 'product', categories.get(row.product_id as string) ?? [])),
    nextCursor:
      rows.length > limit
        ? Buffer.from(JSON.stringify(['-createdAt', last.page_sort_key, last.product_id])).toString('base64url')
        : null,
  };
});

app.get<{ Params: { id: string } }>('/v1/products/:id', async (request, reply) => {
  const { rows } = await pool.query<Row>(ONE, [request.params.id]);
  const row = rows[0];
  if (!row || !row.Product_active) return reply.code(404).send({ status: 404 });
  const categories = await categoriesOf([request.params.id]);
  void reply.header('etag', `"${Number(row.Product_version)}"`);
  return toDto(row, 'Product', categories.get(request.params.id) ?? []);
});

void app.listen({ port, host: '127.0.0.1' }).then((address) => process.stdout.write(`listening ${address}\n`));
process.once('SIGTERM', () => void app.close().then(() => pool.end()));
