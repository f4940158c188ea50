import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { AuditSealer } from '../../src/audit/audit-sealer';
import type { TestApp } from './test-app';

/** Seals every committed event now, instead of waiting for the sealer's next tick. */
export function sealNow(testApp: TestApp): Promise<number> {
  return testApp.app.get(AuditSealer).sealPending();
}

/** A real transactional business write and its event (see fixtures/audit-probe.module.ts); returns the resource id. */
export async function probeWrite(testApp: TestApp, body: Record<string, unknown> = {}): Promise<string> {
  const response = await testApp.http.post('/v1/test-audit-probes').send({ name: `probe-${randomUUID()}`, ...body });
  if (response.status !== 201)
    throw new Error(`probe write answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body.id as string;
}

/**
 * Runs `sql` as the database superuser with every trigger off (the append-only
 * guards and the foreign keys): what an attacker with write access can do.
 */
export async function asAttacker(databaseUrl: string, work: (client: Client) => Promise<void>): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL session_replication_role = replica');
    await work(client);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    await client.end();
  }
}

/** What must never be in an audit event: credentials in any of the shapes this service makes them. */
const SECRET_PATTERNS: [string, RegExp][] = [
  ['argon2 hash', /\$argon2/],
  ['JWT', /eyJ[\w-]{5,}\.[\w-]{5,}\./],
  ['API key', /bk_[a-z0-9]{12}_[\w-]{20,}/],
  ['SHA-256 hex (token or secret hash)', /(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])/],
  ['32 random bytes, base64url (refresh token, key secret)', /(?<![\w-])[\w-]{43}(?![\w-])/],
  ['test password', /pw-[\w-]{24}/],
  ['TOTP URL', /otpauth:/],
];

/**
 * Every event whose text holds a secret, with what was found: an empty list
 * is the assertion. `rowsOf` runs the query on the database to search. `knownSecrets` adds literal values the caller
 * used (the admin password...).
 */
export async function secretsInAuditTrail(
  rowsOf: (sql: string) => Promise<{ id: string; action: string; text: string }[]>,
  knownSecrets: string[] = [],
): Promise<{ id: string; action: string; found: string }[]> {
  const rows = await rowsOf(
    `SELECT id, action, concat_ws(' ', resource_id, request_id, user_agent, changes::text, details::text) AS text
       FROM audit_events`,
  );
  const findings: { id: string; action: string; found: string }[] = [];
  for (const row of rows) {
    for (const [name, pattern] of SECRET_PATTERNS) {
      if (pattern.test(row.text)) findings.push({ id: row.id, action: row.action, found: name });
    }
    for (const secret of knownSecrets) {
      if (secret && row.text.includes(secret))
        findings.push({ id: row.id, action: row.action, found: 'a known secret' });
    }
  }
  return findings;
}

/** The PostgreSQL server of `databaseUrl`, for creating a database of one's own on it. */
export function serverOf(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  return url.toString();
}
