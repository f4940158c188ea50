import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sessions get bounds: a login's absolute end, passed from each refresh token
 * to the next (NOT NULL once backfilled, see RefreshTokenSessionEndRequired),
 * and the moment a user's sessions were last ended, with the one session the
 * change kept (MFA changes end the others only).
 */
export class SessionBounds1795745100000 implements MigrationInterface {
  name = 'SessionBounds1795745100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "refresh_tokens" ADD "session_expires_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(
      `ALTER TABLE "users" ADD "sessions_ended_at" TIMESTAMP WITH TIME ZONE, ADD "session_kept_id" uuid`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "session_kept_id", DROP COLUMN "sessions_ended_at"`);
    await queryRunner.query(`ALTER TABLE "refresh_tokens" DROP COLUMN "session_expires_at"`);
  }
}
