import { Client } from 'pg';

export const BENCH_PRODUCTS = 10_000;

const ROOT_CATEGORIES = 12;
const CHILDREN_PER_ROOT = 3;
const LEAF_CATEGORIES = ROOT_CATEGORIES * CHILDREN_PER_ROOT;

/** What the catalog scenarios need to know about the loaded data. */
export interface BenchCatalog {
  products: number;
  /** An active product in the middle of the newest-first list, for `GET /v1/products/:id`. */
  productId: string;
}

/**
 * Loads BENCH_PRODUCTS products into the migrated database `url` names, in a
 * few set-based statements (about a second): 12 root categories of 3 children
 * each; every product in one child category, every third also in its root;
 * one in ten archived; created a second apart, so newest-first pages are
 * distinct; descriptions of realistic length, so the search column and the
 * JSON are not trivially small. Ends with ANALYZE, as a live database would be.
 */
export async function loadCatalog(url: string): Promise<BenchCatalog> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO categories (name, slug, parent_id, version)
       SELECT 'Bench category ' || r, 'bench-' || r, NULL, 1 FROM generate_series(1, $1::int) AS r`,
      [ROOT_CATEGORIES],
    );
    await client.query(
      `INSERT INTO categories (name, slug, parent_id, version)
       SELECT root.name || ', part ' || c, root.slug || '-' || c, root.id, 1
         FROM categories root CROSS JOIN generate_series(1, $1::int) AS c
        WHERE root.slug LIKE 'bench-%' AND root.parent_id IS NULL`,
      [CHILDREN_PER_ROOT],
    );
    await client.query(
      `INSERT INTO products (sku, name, description, price_cents, currency, tax_rate_bps, stock, active,
                             created_at, updated_at, version)
       SELECT 'BENCH-' || lpad(i::text, 5, '0'),
              (ARRAY['Hex bolt', 'Wood screw', 'Cordless drill', 'Safety gloves', 'Cable tie', 'Pipe clamp',
                     'Work light', 'Measuring tape'])[1 + i % 8] || ' ' || i,
              'Bench product ' || i || ': galvanised steel, sold per box, for workshops and building sites; '
                || 'ships within two working days from the central warehouse.',
              100 + (i * 7919) % 250000, 'EUR', 2000, (i * 37) % 400, i % 10 <> 0,
              now() - make_interval(secs => i), now() - make_interval(secs => i), 1
         FROM generate_series(1, $1::int) AS i`,
      [BENCH_PRODUCTS],
    );
    await client.query(
      `WITH product AS (SELECT id, row_number() OVER (ORDER BY sku) AS n FROM products WHERE sku LIKE 'BENCH-%'),
            leaf AS (SELECT id, parent_id, row_number() OVER (ORDER BY slug) - 1 AS k
                       FROM categories WHERE slug LIKE 'bench-%' AND parent_id IS NOT NULL)
       INSERT INTO product_categories (product_id, category_id)
       SELECT product.id, leaf.id FROM product JOIN leaf ON leaf.k = product.n % $1
       UNION ALL
       SELECT product.id, leaf.parent_id FROM product JOIN leaf ON leaf.k = product.n % $1 WHERE product.n % 3 = 0`,
      [LEAF_CATEGORIES],
    );
    await client.query('COMMIT');
    await client.query('ANALYZE categories, products, product_categories');
    const middle = await client.query<{ id: string }>(
      `SELECT id FROM products WHERE active ORDER BY created_at DESC, id DESC OFFSET $1 LIMIT 1`,
      [Math.floor(BENCH_PRODUCTS / 3)],
    );
    const count = await client.query<{ n: string }>('SELECT count(*) AS n FROM products');
    return { products: Number(count.rows[0].n), productId: middle.rows[0].id };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}
