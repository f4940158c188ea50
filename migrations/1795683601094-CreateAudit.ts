import { MigrationInterface, QueryRunner } from 'typeorm';

const APPEND_ONLY_TABLES = ['audit_events', 'audit_chain', 'audit_checkpoints'];

export class CreateAudit1795683601094 implements MigrationInterface {
  name = 'CreateAudit1795683601094';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_checkpoints" ("seq" bigint NOT NULL, "hash" text NOT NULL, "signed_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "key_id" text NOT NULL, "signature" text NOT NULL, CONSTRAINT "PK_00d27c519361818fba5bb6602de" PRIMARY KEY ("seq"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "audit_events" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tx_id" bigint NOT NULL DEFAULT (pg_current_xact_id())::text::bigint, "occurred_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "actor_type" text NOT NULL, "actor_id" uuid, "actor_organization_id" uuid, "actor_api_key_id" uuid, "action" text NOT NULL, "resource_type" text NOT NULL, "resource_id" text, "outcome" text NOT NULL, "request_id" text, "ip" text, "user_agent" text, "changes" jsonb, "details" jsonb, CONSTRAINT "audit_events_actor_type" CHECK ("actor_type" IN ('user', 'api_key', 'anonymous', 'system')), CONSTRAINT "audit_events_outcome" CHECK ("outcome" IN ('success', 'denied', 'failure')), CONSTRAINT "PK_910f64d901a5c3e9878f0d4a407" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "audit_events_tx" ON "audit_events"  ("tx_id") `);
    await queryRunner.query(`CREATE INDEX "audit_events_action" ON "audit_events"  ("action", "occurred_at") `);
    await queryRunner.query(
      `CREATE INDEX "audit_events_resource" ON "audit_events"  ("resource_type", "resource_id", "occurred_at") `,
    );
    await queryRunner.query(`CREATE INDEX "audit_events_actor" ON "audit_events"  ("actor_id", "occurred_at") `);
    await queryRunner.query(`CREATE INDEX "audit_events_occurred" ON "audit_events"  ("occurred_at", "id") `);
    await queryRunner.query(
      `CREATE TABLE "audit_chain" ("seq" bigint NOT NULL, "event_id" uuid NOT NULL, "prev_hash" text NOT NULL, "hash" text NOT NULL, "horizon" bigint NOT NULL, "sealed_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d31e87c3f18459d04fe709c30a5" PRIMARY KEY ("seq"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "audit_chain_event_unique" ON "audit_chain"  ("event_id") `);
    await queryRunner.query(
      `ALTER TABLE "audit_chain" ADD CONSTRAINT "FK_25e5b308039a32adc42d63c8085" FOREIGN KEY ("event_id") REFERENCES "audit_events"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    // Append-only: the application never changes or removes audit rows, and the database refuses to.
    await queryRunner.query(
      `CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit tables are append-only: % on % refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$`,
    );
    for (const table of APPEND_ONLY_TABLES) {
      await queryRunner.query(
        `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON "${table}" FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON "${table}" FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()`,
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of APPEND_ONLY_TABLES) {
      await queryRunner.query(`DROP TRIGGER ${table}_no_truncate ON "${table}"`);
      await queryRunner.query(`DROP TRIGGER ${table}_append_only ON "${table}"`);
    }
    await queryRunner.query(`DROP FUNCTION audit_refuse_change()`);
    await queryRunner.query(`ALTER TABLE "audit_chain" DROP CONSTRAINT "FK_25e5b308039a32adc42d63c8085"`);
    await queryRunner.query(`DROP INDEX "public"."audit_chain_event_unique"`);
    await queryRunner.query(`DROP TABLE "audit_chain"`);
    await queryRunner.query(`DROP INDEX "public"."audit_events_occurred"`);
    await queryRunner.query(`DROP INDEX "public"."audit_events_actor"`);
    await queryRunner.query(`DROP INDEX "public"."audit_events_resource"`);
    await queryRunner.query(`DROP INDEX "public"."audit_events_action"`);
    await queryRunner.query(`DROP INDEX "public"."audit_events_tx"`);
    await queryRunner.query(`DROP TABLE "audit_events"`);
    await queryRunner.query(`DROP TABLE "audit_checkpoints"`);
  }
}
