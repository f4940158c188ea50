import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Chain links carry a MAC only the sealer can compute; checkpoints get a uuid id,
 * so they page like every other list (keyset on seq, id).
 */
export class AuditChainMac1795684214119 implements MigrationInterface {
  name = 'AuditChainMac1795684214119';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // Empty for links sealed before: the verifier reports them as not written by the sealer.
    await queryRunner.query(`ALTER TABLE "audit_chain" ADD "mac" text NOT NULL DEFAULT ''`);
    await queryRunner.query(`ALTER TABLE "audit_chain" ALTER COLUMN "mac" DROP DEFAULT`);
    await queryRunner.query(`ALTER TABLE "audit_checkpoints" ADD "id" uuid NOT NULL DEFAULT gen_random_uuid()`);
    await queryRunner.query(`ALTER TABLE "audit_checkpoints" DROP CONSTRAINT "PK_00d27c519361818fba5bb6602de"`);
    await queryRunner.query(
      `ALTER TABLE "audit_checkpoints" ADD CONSTRAINT "PK_ec62ec0b7b181580b1fa64e1167" PRIMARY KEY ("id")`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "audit_checkpoints_seq_unique" ON "audit_checkpoints" ("seq")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."audit_checkpoints_seq_unique"`);
    await queryRunner.query(`ALTER TABLE "audit_checkpoints" DROP CONSTRAINT "PK_ec62ec0b7b181580b1fa64e1167"`);
    await queryRunner.query(
      `ALTER TABLE "audit_checkpoints" ADD CONSTRAINT "PK_00d27c519361818fba5bb6602de" PRIMARY KEY ("seq")`,
    );
    await queryRunner.query(`ALTER TABLE "audit_checkpoints" DROP COLUMN "id"`);
    await queryRunner.query(`ALTER TABLE "audit_chain" DROP COLUMN "mac"`);
  }
}
