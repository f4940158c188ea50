import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateCatalog1795700000000 implements MigrationInterface {
  name = 'CreateCatalog1795700000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "categories" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "name" text NOT NULL,
        "slug" text NOT NULL,
        "parent_id" uuid,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "version" integer NOT NULL,
        CONSTRAINT "PK_categories" PRIMARY KEY ("id"),
        CONSTRAINT "FK_categories_parent" FOREIGN KEY ("parent_id") REFERENCES "categories"("id") ON DELETE RESTRICT
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "categories_slug_unique" ON "categories" ("slug")`);
    await queryRunner.query(`CREATE INDEX "categories_parent" ON "categories" ("parent_id")`);
    await queryRunner.query(`CREATE INDEX "categories_name" ON "categories" ("name", "id")`);

    // `search` is generated from the row, so it can never disagree with it; SKU, then name, weigh most.
    await queryRunner.query(`
      CREATE TABLE "products" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "sku" text NOT NULL,
        "name" text NOT NULL,
        "description" text NOT NULL DEFAULT '',
        "price_cents" bigint NOT NULL,
        "currency" character(3) NOT NULL,
        "tax_rate_bps" integer NOT NULL,
        "stock" integer NOT NULL DEFAULT 0,
        "active" boolean NOT NULL DEFAULT true,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "version" integer NOT NULL,
        "search" tsvector GENERATED ALWAYS AS (
          setweight(to_tsvector('english', "sku"), 'A') ||
          setweight(to_tsvector('english', "name"), 'B') ||
          setweight(to_tsvector('english', "description"), 'C')
        ) STORED,
        CONSTRAINT "PK_products" PRIMARY KEY ("id"),
        CONSTRAINT "products_stock_not_negative" CHECK ("stock" >= 0),
        CONSTRAINT "products_price_not_negative" CHECK ("price_cents" >= 0),
        CONSTRAINT "products_tax_rate_range" CHECK ("tax_rate_bps" BETWEEN 0 AND 10000)
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "products_sku_unique" ON "products" ("sku")`);
    await queryRunner.query(`CREATE INDEX "products_search" ON "products" USING GIN ("search")`);
    // One keyset index per sort for staff (every product), and a partial twin for everyone else (active ones).
    for (const [name, column] of [
      ['created', 'created_at'],
      ['price', 'price_cents'],
      ['name', 'name'],
    ]) {
      await queryRunner.query(`CREATE INDEX "products_${name}" ON "products" ("${column}", "id")`);
      await queryRunner.query(
        `CREATE INDEX "products_active_${name}" ON "products" ("${column}", "id") WHERE "active"`,
      );
    }

    await queryRunner.query(`
      CREATE TABLE "product_categories" (
        "product_id" uuid NOT NULL,
        "category_id" uuid NOT NULL,
        CONSTRAINT "PK_product_categories" PRIMARY KEY ("product_id", "category_id"),
        CONSTRAINT "FK_product_categories_product" FOREIGN KEY ("product_id") REFERENCES "products"("id") ON DELETE CASCADE,
        CONSTRAINT "FK_product_categories_category" FOREIGN KEY ("category_id") REFERENCES "categories"("id") ON DELETE RESTRICT
      )`);
    await queryRunner.query(
      `CREATE INDEX "product_categories_category" ON "product_categories" ("category_id", "product_id")`,
    );

    await queryRunner.query(`
      CREATE TABLE "stock_movements" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "product_id" uuid NOT NULL,
        "delta" integer NOT NULL,
        "stock_after" integer NOT NULL,
        "reason" text NOT NULL,
        "note" text,
        "actor_id" uuid,
        "order_id" uuid,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT "PK_stock_movements" PRIMARY KEY ("id"),
        CONSTRAINT "stock_movements_delta_not_zero" CHECK ("delta" <> 0),
        CONSTRAINT "stock_movements_stock_after_not_negative" CHECK ("stock_after" >= 0),
        CONSTRAINT "FK_stock_movements_product" FOREIGN KEY ("product_id") REFERENCES "products"("id") ON DELETE RESTRICT
      )`);
    await queryRunner.query(
      `CREATE INDEX "stock_movements_product" ON "stock_movements" ("product_id", "created_at", "id")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "stock_movements"`);
    await queryRunner.query(`DROP TABLE "product_categories"`);
    await queryRunner.query(`DROP TABLE "products"`);
    await queryRunner.query(`DROP TABLE "categories"`);
  }
}
