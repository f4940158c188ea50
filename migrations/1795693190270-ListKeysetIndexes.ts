import { MigrationInterface, QueryRunner } from 'typeorm';

export class ListKeysetIndexes1795693190270 implements MigrationInterface {
  name = 'ListKeysetIndexes1795693190270';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "organizations_created" ON "organizations"  ("created_at", "id") `);
    await queryRunner.query(
      `CREATE INDEX "users_organization_created" ON "users"  ("organization_id", "created_at", "id") `,
    );
    await queryRunner.query(`CREATE INDEX "users_created" ON "users"  ("created_at", "id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."users_created"`);
    await queryRunner.query(`DROP INDEX "public"."users_organization_created"`);
    await queryRunner.query(`DROP INDEX "public"."organizations_created"`);
  }
}
