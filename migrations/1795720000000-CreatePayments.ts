import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreatePayments1795720000000 implements MigrationInterface {
  name = 'CreatePayments1795720000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "payments" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "invoice_id" uuid NOT NULL,
        "order_id" uuid NOT NULL,
        "organization_id" uuid NOT NULL,
        "placed_by_id" uuid NOT NULL,
        "provider" text NOT NULL,
        "provider_payment_id" text NOT NULL,
        "status" text NOT NULL,
        "amount_cents" bigint NOT NULL,
        "currency" character(3) NOT NULL,
        "refunded_cents" bigint NOT NULL DEFAULT 0,
        "failure_code" text,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "version" integer NOT NULL,
        CONSTRAINT "PK_payments" PRIMARY KEY ("id"),
        CONSTRAINT "payments_status" CHECK ("status" IN ('pending', 'succeeded', 'failed')),
        CONSTRAINT "payments_refunds_within_capture" CHECK ("refunded_cents" >= 0 AND "refunded_cents" <= "amount_cents"),
        CONSTRAINT "FK_payments_invoice" FOREIGN KEY ("invoice_id") REFERENCES "invoices"("id"),
        CONSTRAINT "FK_payments_order" FOREIGN KEY ("order_id") REFERENCES "orders"("id")
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "payments_provider_reference_unique" ON "payments" ("provider", "provider_payment_id")`,
    );
    // At most one capture or pending payment per invoice, whatever runs in parallel.
    await queryRunner.query(
      `CREATE UNIQUE INDEX "payments_one_live_per_invoice" ON "payments" ("invoice_id") WHERE "status" IN ('pending', 'succeeded')`,
    );
    await queryRunner.query(`CREATE INDEX "payments_invoice" ON "payments" ("invoice_id")`);
    await queryRunner.query(`CREATE INDEX "payments_created" ON "payments" ("created_at", "id")`);
    await queryRunner.query(
      `CREATE INDEX "payments_organization_created" ON "payments" ("organization_id", "created_at", "id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "payments_placed_by_created" ON "payments" ("placed_by_id", "created_at", "id")`,
    );

    await queryRunner.query(`
      CREATE TABLE "refunds" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "payment_id" uuid NOT NULL,
        "amount_cents" bigint NOT NULL,
        "reason" text NOT NULL,
        "provider_refund_id" text NOT NULL,
        "created_by_id" uuid NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_refunds" PRIMARY KEY ("id"),
        CONSTRAINT "refunds_amount_positive" CHECK ("amount_cents" > 0),
        CONSTRAINT "FK_refunds_payment" FOREIGN KEY ("payment_id") REFERENCES "payments"("id")
      )`);
    await queryRunner.query(`CREATE INDEX "refunds_payment" ON "refunds" ("payment_id", "created_at")`);

    await queryRunner.query(`
      CREATE TABLE "webhook_events" (
        "provider" text NOT NULL,
        "event_id" text NOT NULL,
        "type" text NOT NULL,
        "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_webhook_events" PRIMARY KEY ("provider", "event_id")
      )`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "webhook_events"`);
    await queryRunner.query(`DROP TABLE "refunds"`);
    await queryRunner.query(`DROP TABLE "payments"`);
  }
}
