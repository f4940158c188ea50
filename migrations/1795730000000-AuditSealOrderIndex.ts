import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The sealer reads unsealed events in (tx_id, occurred_at, id) order, one
 * batch at a time. With only tx_id indexed, each batch sorted the whole
 * unsealed range: O(backlog) per batch, about 2,000 events/s while draining a
 * backlog of a million (17,000 on a small one). With the order in the index a
 * batch reads only its own rows (see AuditSealer.unsealedBelow).
 *
 * Built concurrently, outside a transaction: every business write inserts an
 * audit event, and a plain CREATE INDEX would hold them all for the build.
 * (TypeORM runs a revert in a transaction whatever the migration says, so
 * `down` cannot be concurrent: plan a revert for a quiet moment.)
 */
export class AuditSealOrderIndex1795730000000 implements MigrationInterface {
  name = 'AuditSealOrderIndex1795730000000';
  transaction = false;

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS "audit_events_seal_order" ON "audit_events" ("tx_id", "occurred_at", "id") `,
    );
    await queryRunner.query(`DROP INDEX CONCURRENTLY IF EXISTS "public"."audit_events_tx"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "audit_events_tx" ON "audit_events" ("tx_id") `);
    await queryRunner.query(`DROP INDEX "public"."audit_events_seal_order"`);
  }
}
