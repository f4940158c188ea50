import { MigrationInterface, QueryRunner } from 'typeorm';

/** Every refresh token names its login's end (backfilled by BackfillSessionBounds). */
export class RefreshTokenSessionEndRequired1795745100002 implements MigrationInterface {
  name = 'RefreshTokenSessionEndRequired1795745100002';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "refresh_tokens" ALTER COLUMN "session_expires_at" SET NOT NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "refresh_tokens" ALTER COLUMN "session_expires_at" DROP NOT NULL`);
  }
}
