import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateOrdersAndBilling1795710000000 implements MigrationInterface {
  name = 'CreateOrdersAndBilling1795710000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "idempotency_keys" (
        "scope" text NOT NULL,
        "key" text NOT NULL,
        "fingerprint" text NOT NULL,
        "state" text NOT NULL,
        "attempt" integer NOT NULL DEFAULT 1,
        "lease_until" TIMESTAMP WITH TIME ZONE NOT NULL,
        "response_status" integer,
        "response_body" text,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "PK_idempotency_keys" PRIMARY KEY ("scope", "key"),
        CONSTRAINT "idempotency_keys_state" CHECK ("state" IN ('in_flight', 'completed'))
      )`);
    await queryRunner.query(`CREATE INDEX "idempotency_keys_expires" ON "idempotency_keys" ("expires_at")`);

    await queryRunner.query(`
      CREATE TABLE "outbox_events" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "type" text NOT NULL,
        "aggregate_type" text NOT NULL,
        "aggregate_id" uuid NOT NULL,
        "payload" jsonb NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(),
        "published_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "PK_outbox_events" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(
      `CREATE INDEX "outbox_events_unpublished" ON "outbox_events" ("created_at", "id") WHERE "published_at" IS NULL`,
    );

    await queryRunner.query(`CREATE SEQUENCE "order_number_seq"`);
    await queryRunner.query(`CREATE SEQUENCE "invoice_number_seq"`);

    await queryRunner.query(`
      CREATE TABLE "orders" (
        "id" uuid NOT NULL,
        "number" text NOT NULL DEFAULT 'ORD-' || lpad(nextval('order_number_seq')::text, 6, '0'),
        "organization_id" uuid NOT NULL,
        "placed_by_id" uuid NOT NULL,
        "status" text NOT NULL,
        "currency" character(3) NOT NULL,
        "subtotal_cents" bigint NOT NULL,
        "tax_cents" bigint NOT NULL,
        "total_cents" bigint NOT NULL,
        "shipping_address" jsonb NOT NULL,
        "invoice_id" uuid NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "version" integer NOT NULL,
        CONSTRAINT "PK_orders" PRIMARY KEY ("id"),
        CONSTRAINT "orders_number_unique" UNIQUE ("number"),
        CONSTRAINT "orders_status" CHECK ("status" IN ('pending_payment', 'paid', 'fulfilled', 'cancelled', 'refunded')),
        CONSTRAINT "orders_amounts" CHECK ("subtotal_cents" >= 0 AND "tax_cents" >= 0 AND "total_cents" = "subtotal_cents" + "tax_cents"),
        CONSTRAINT "FK_orders_organization" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id"),
        CONSTRAINT "FK_orders_placed_by" FOREIGN KEY ("placed_by_id") REFERENCES "users"("id")
      )`);
    await queryRunner.query(`CREATE INDEX "orders_created" ON "orders" ("created_at", "id")`);
    await queryRunner.query(
      `CREATE INDEX "orders_organization_created" ON "orders" ("organization_id", "created_at", "id")`,
    );
    await queryRunner.query(`CREATE INDEX "orders_placed_by_created" ON "orders" ("placed_by_id", "created_at", "id")`);

    await queryRunner.query(`
      CREATE TABLE "order_lines" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "order_id" uuid NOT NULL,
        "line_no" integer NOT NULL,
        "product_id" uuid NOT NULL,
        "sku" text NOT NULL,
        "name" text NOT NULL,
        "quantity" integer NOT NULL,
        "unit_price_cents" bigint NOT NULL,
        "tax_rate_bps" integer NOT NULL,
        "subtotal_cents" bigint NOT NULL,
        "tax_cents" bigint NOT NULL,
        "total_cents" bigint NOT NULL,
        CONSTRAINT "PK_order_lines" PRIMARY KEY ("id"),
        CONSTRAINT "order_lines_position_unique" UNIQUE ("order_id", "line_no"),
        CONSTRAINT "order_lines_product_unique" UNIQUE ("order_id", "product_id"),
        CONSTRAINT "order_lines_quantity" CHECK ("quantity" > 0),
        CONSTRAINT "FK_order_lines_order" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE,
        CONSTRAINT "FK_order_lines_product" FOREIGN KEY ("product_id") REFERENCES "products"("id")
      )`);

    await queryRunner.query(`
      CREATE TABLE "invoices" (
        "id" uuid NOT NULL,
        "number" text NOT NULL DEFAULT 'INV-' || lpad(nextval('invoice_number_seq')::text, 6, '0'),
        "order_id" uuid NOT NULL,
        "organization_id" uuid NOT NULL,
        "placed_by_id" uuid NOT NULL,
        "status" text NOT NULL,
        "amount_cents" bigint NOT NULL,
        "currency" character(3) NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "version" integer NOT NULL,
        CONSTRAINT "PK_invoices" PRIMARY KEY ("id"),
        CONSTRAINT "invoices_number_unique" UNIQUE ("number"),
        CONSTRAINT "invoices_status" CHECK ("status" IN ('open', 'paid', 'void')),
        CONSTRAINT "invoices_amount_not_negative" CHECK ("amount_cents" >= 0),
        CONSTRAINT "FK_invoices_order" FOREIGN KEY ("order_id") REFERENCES "orders"("id")
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "invoices_order_unique" ON "invoices" ("order_id")`);
    await queryRunner.query(`CREATE INDEX "invoices_created" ON "invoices" ("created_at", "id")`);
    await queryRunner.query(
      `CREATE INDEX "invoices_organization_created" ON "invoices" ("organization_id", "created_at", "id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "invoices_placed_by_created" ON "invoices" ("placed_by_id", "created_at", "id")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "invoices"`);
    await queryRunner.query(`DROP TABLE "order_lines"`);
    await queryRunner.query(`DROP TABLE "orders"`);
    await queryRunner.query(`DROP SEQUENCE "invoice_number_seq"`);
    await queryRunner.query(`DROP SEQUENCE "order_number_seq"`);
    await queryRunner.query(`DROP TABLE "outbox_events"`);
    await queryRunner.query(`DROP TABLE "idempotency_keys"`);
  }
}
