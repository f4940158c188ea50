import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import { AuditSealer } from '../../src/audit/audit-sealer';
import { withDatabase } from './raw-sql';
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
export function asAttacker(databaseUrl: string, work: (client: Client) => Promise<void>): Promise<void> {
  return withDatabase(databaseUrl, async (client) => {
    await client.query('BEGIN');
    try {
      await client.query('SET LOCAL session_replication_role = replica');
      await work(client);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
  });
}

/** What must never be in an audit event: credentials in any of the shapes this service makes them. */
const SECRET_PATTERNS: [string, RegExp][] = [
  ['argon2 hash', /\$argon2/],
  ['JWT', /eyJ[\w-]{5,}\.[\w-]{5,}\./],
  ['API key', /bk_[a-z0-9]{12}_[\w-]{20,}/],
  ['SHA-256 hex (token or secret hash)', /(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])/],
  // Mixed case: random base64url, not a lower-case label such as `nobody-<uuid>` in a test email.
  [
    '32 random bytes, base64url (refresh token, key secret)',
    /(?<![\w-])(?=[\w-]*[A-Z])(?=[\w-]*[a-z])[\w-]{43}(?![\w-])/,
  ],
  ['test password', /pw-[\w-]{24}/],
  ['TOTP URL', /otpauth:/],
];

export interface AuditEventRow {
  id: string;
  action: string;
  resource_id: string | null;
  request_id: string | null;
  user_agent: string | null;
  changes: unknown;
  details: unknown;
}

export interface SecretFinding {
  id: string;
  action: string;
  /** Where in the event, e.g. `changes.after.email`: never the value itself. */
  field: string;
  found: string;
}

/** Every audit event, as `secretsInAuditTrail` reads them. */
export const AUDIT_EVENT_ROWS_SQL =
  'SELECT id, action, resource_id, request_id, user_agent, changes, details FROM audit_events';

/**
 * Every place in an audit event that holds a secret, with what was found: an
 * empty list is the assertion. `rows` are AUDIT_EVENT_ROWS_SQL's; `knownSecrets`
 * adds literal values the caller used (the admin password...).
 */
export function secretsInAuditTrail(rows: AuditEventRow[], knownSecrets: string[] = []): SecretFinding[] {
  const findings: SecretFinding[] = [];
  for (const row of rows) {
    const { id, action, ...fields } = row;
    for (const [field, value] of leaves(fields, '')) {
      for (const [name, pattern] of SECRET_PATTERNS) {
        if (pattern.test(value)) findings.push({ id, action, field, found: name });
      }
      if (knownSecrets.some((secret) => secret && value.includes(secret))) {
        findings.push({ id, action, field, found: 'a known secret' });
      }
    }
  }
  return findings;
}

function* leaves(value: unknown, path: string): Generator<[string, string]> {
  if (typeof value === 'string') yield [path, value];
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) yield* leaves(child, path ? `${path}.${key}` : key);
  }
}

/** The PostgreSQL server of `databaseUrl`, for creating a database of one's own on it. */
export function serverOf(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  return url.toString();
}
