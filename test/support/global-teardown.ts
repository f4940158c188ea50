import { AUDIT_EVENT_ROWS_SQL, type AuditEventRow, secretsInAuditTrail } from './audit';
import { withDatabase } from './raw-sql';

export default async function globalTeardown(): Promise<void> {
  const database = globalThis.testDatabase;
  if (!database) return;
  try {
    await assertNoSecretInAuditTrail(database.url);
  } finally {
    await database.drop();
  }
}

/** Redaction, over every audit event the whole run produced, whichever test file wrote it. */
async function assertNoSecretInAuditTrail(url: string): Promise<void> {
  const { rows } = await withDatabase(url, (client) => client.query<AuditEventRow>(AUDIT_EVENT_ROWS_SQL));
  const findings = secretsInAuditTrail(rows, [process.env.ADMIN_PASSWORD ?? '']);
  if (findings.length > 0) {
    throw new Error(`Audit events hold secrets (redaction failed): ${JSON.stringify(findings.slice(0, 20))}`);
  }
}
