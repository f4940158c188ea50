import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Existing logins end no later than their current refresh tokens would have
 * (rotation no longer extends them), and access tokens issued before a
 * password change stay refused: that cut-off now lives in sessions_ended_at.
 */
export class BackfillSessionBounds1795745100001 implements MigrationInterface {
  name = 'BackfillSessionBounds1795745100001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `UPDATE "refresh_tokens" SET "session_expires_at" = "expires_at" WHERE "session_expires_at" IS NULL`,
    );
    await queryRunner.query(
      `UPDATE "users" SET "sessions_ended_at" = "password_changed_at" WHERE "sessions_ended_at" IS NULL`,
    );
  }

  public async down(): Promise<void> {
    // The columns go with SessionBounds' revert; their values need no undoing.
  }
}
