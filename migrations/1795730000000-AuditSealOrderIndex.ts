import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The sealer reads unsealed events in (tx_id, occurred_at, id) order, one
 * batch at a time. With only tx_id indexed, each batch sorted the whole
 * unsealed range: O(backlog) per batch, about 2,000 events/s while draining a
 * backlog of a million (17,000 on a small one). With the order in the index a
 * batch reads only its own rows (see AuditSealer.unsealedBelow).
 *
 * Built concurrently, outside a transaction: every business write inserts an
 * audit event, and a plain CREATE INDEX would hold them all for the build. A
 * concurrent build waits for the transactions open when it starts (an audit
 * export's included), so the start-up that runs it may wait for them. A build
 * interrupted before leaves an invalid index of the same name: it is dropped
 * and built again, and the old index goes only once the new one is valid.
 * (TypeORM runs a revert in a transaction whatever the migration says, so
 * `down` cannot be concurrent: plan a revert for a quiet moment.)
 */
export class AuditSealOrderIndex1795730000000 implements MigrationInterface {
  name = 'AuditSealOrderIndex1795730000000';
  transaction = false;

  public async up(queryRunner: QueryRunner): Promise<void> {
    if ((await validity(queryRunner)) === 'invalid') {
      await queryRunner.query(`DROP INDEX CONCURRENTLY "public"."audit_events_seal_order"`);
    }
    await queryRunner.query(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS "audit_events_seal_order" ON "audit_events" ("tx_id", "occurred_at", "id") `,
    );
    if ((await validity(queryRunner)) !== 'valid') throw new Error('audit_events_seal_order was not built');
    await queryRunner.query(`DROP INDEX CONCURRENTLY IF EXISTS "public"."audit_events_tx"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "audit_events_tx" ON "audit_events" ("tx_id") `);
    await queryRunner.query(`DROP INDEX "public"."audit_events_seal_order"`);
  }
}

async function validity(queryRunner: QueryRunner): Promise<'valid' | 'invalid' | 'missing'> {
  const rows = await queryRunner.manager.query<{ valid: boolean }[]>(
    `SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = to_regclass('public.audit_events_seal_order')`,
  );
  if (rows.length === 0) return 'missing';
  return rows[0].valid ? 'valid' : 'invalid';
}
