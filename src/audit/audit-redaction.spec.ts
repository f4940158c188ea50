import { type AuditRecord, recordHash } from './audit-chain';
import { auditChanges, isSecretField, MASKED, REDACTED, redact } from './audit-redaction';

/** The chain's hash of a record whose details are `details`. */
function recordHashOf(details: unknown): string {
  return recordHash({ seq: 1, prevHash: '0'.repeat(64), details } as unknown as AuditRecord);
}

describe('isSecretField', () => {
  it.each([
    'password',
    'passwordHash',
    'password_hash',
    'tokenHash',
    'refreshToken',
    'accessToken',
    'secretHash',
    'mfaSecret',
    'otp',
    'totpCode',
    'otpauthUrl',
    'recoveryCodes',
    'key',
    'apiKey',
    'privateKey',
    'signature',
    'authorization',
  ])('%s is a secret', (name) => expect(isSecretField(name)).toBe(true));

  it.each(['email', 'roles', 'apiKeyId', 'name', 'mfaEnabled', 'organizationId', 'keyId', 'footprint', 'status'])(
    '%s is not',
    (name) => expect(isSecretField(name)).toBe(false),
  );
});

describe('redact', () => {
  it('makes text well-formed, keys and values, so that the chain can hash every event', () => {
    const loneHigh = 'a\uD800b';
    const pair = 'pair \uD83D\uDE00';
    const redacted = redact({ [loneHigh]: { note: loneHigh, tags: [pair, '\uDC00'] } });
    expect(redacted).toEqual({ 'a\uFFFDb': { note: 'a\uFFFDb', tags: [pair, '\uFFFD'] } });
    expect(() => recordHashOf(redacted)).not.toThrow();
    expect(() => recordHashOf({ note: loneHigh })).toThrow(/surrogate/);
  });

  it('replaces secrets at any depth, and values that look like credentials whatever their field', () => {
    expect(
      redact({
        user: { email: 'a@example.com', passwordHash: '$argon2id$v=19$m=65536,t=3,p=4$abc$def' },
        note: '$argon2id$v=19$m=65536,t=3,p=4$abc$def',
        bearer: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig',
        list: [{ token: 'x' }],
        nothing: null,
      }),
    ).toEqual({
      user: { email: 'a@example.com', passwordHash: REDACTED },
      note: REDACTED,
      bearer: REDACTED,
      list: [{ token: REDACTED }],
      nothing: null,
    });
  });
});

describe('auditChanges', () => {
  it('keeps only the fields that changed, redacts secrets and masks sensitive fields', () => {
    const before = {
      id: '1',
      email: 'a@example.com',
      phone: '+33 1 23',
      passwordHash: 'h1',
      version: 1,
      roles: ['buyer'],
    };
    const after = {
      id: '1',
      email: 'a@example.com',
      phone: '+33 9 99',
      passwordHash: 'h2',
      version: 2,
      roles: ['org_admin'],
    };
    expect(auditChanges(before, after, { sensitive: ['phone'] })).toEqual({
      before: { phone: MASKED, passwordHash: REDACTED, roles: ['buyer'] },
      after: { phone: MASKED, passwordHash: REDACTED, roles: ['org_admin'] },
    });
  });

  it('shows a creation as after only, with dates as ISO strings', () => {
    const createdAt = new Date('2026-01-01T00:00:00.000Z');
    expect(auditChanges(null, { name: 'Acme', createdAt, mfaSecret: 'JBSWY3DP' })).toEqual({
      before: {},
      after: { name: 'Acme', createdAt: '2026-01-01T00:00:00.000Z', mfaSecret: REDACTED },
    });
  });

  it('is null when nothing recordable changed', () => {
    const at = new Date('2026-01-01T00:00:00.000Z');
    expect(auditChanges({ a: 1, at, version: 1 }, { a: 1, at: new Date(at), version: 2 })).toBeNull();
  });
});
