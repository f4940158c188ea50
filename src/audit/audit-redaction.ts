import type { AuditChanges } from './audit-event.entity';

/** What replaces a secret (password, hash, token, key, TOTP code): never its value, only that it changed. */
export const REDACTED = '[REDACTED]';
/** What replaces a field the caller marked sensitive (personal data). */
export const MASKED = '[MASKED]';

/** Words that make a field a credential, in any position of its name (`passwordHash`, `token_hash`, `mfaSecret`). */
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'hash',
  'otp',
  'totp',
  'hotp',
  'recovery',
  'signature',
  'credential',
  'cookie',
  'authorization',
]);

/** Values that are credentials whatever their field is called: PHC hashes (argon2, bcrypt), JWTs, PEM keys. */
const SECRET_VALUE = /^\$(argon2(id|i|d)|2[aby]|scrypt|pbkdf2)|^eyJ[\w-]+\.[\w-]+\.|-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/** `passwordHash`, `refresh_token`, `otpauthUrl`, `recoveryCodes`, `key`, `apiKey`, `privateKey` (not `apiKeyId`). */
export function isSecretField(name: string): boolean {
  const words = (name.match(/[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])/g) ?? []).map((word) => word.toLowerCase());
  const singular = (word: string) => word.replace(/(?<=sh)es$|s$/, '');
  return (
    words.some((word) => SECRET_WORDS.has(singular(word))) ||
    singular(words.at(-1) ?? '') === 'key' ||
    words[0]?.startsWith('otp') === true
  );
}

/**
 * A deep copy of `value` with every secret replaced by `REDACTED` (by field
 * name at any depth, or by the look of the value) and every field named in
 * `sensitive` by `MASKED`. Applied by the recorder to all it writes, so a
 * caller passing a whole entity still leaks nothing.
 *
 * Text is made well-formed (a lone surrogate becomes U+FFFD): the chain hashes
 * RFC 8785 JSON, which has no form for a lone surrogate, and one event the
 * sealer cannot hash would stop the chain for every event after it.
 */
export function redact(value: unknown, sensitive: ReadonlySet<string> = new Set()): unknown {
  if (typeof value === 'string') return SECRET_VALUE.test(value) ? REDACTED : value.toWellFormed();
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => redact(item, sensitive));
  const result: Record<string, unknown> = {};
  for (const [name, fieldValue] of Object.entries(value)) {
    if (fieldValue === undefined || typeof fieldValue === 'function') continue;
    const field = name.toWellFormed();
    if (isSecretField(field)) result[field] = fieldValue === null ? null : REDACTED;
    else if (sensitive.has(field)) result[field] = fieldValue === null ? null : MASKED;
    else result[field] = redact(fieldValue, sensitive);
  }
  return result;
}

export interface ChangesOptions {
  /** Fields of personal data to mask: the event says they changed, never to what. */
  sensitive?: readonly string[];
  /** Fields not worth recording (`updatedAt`, `version`). */
  ignore?: readonly string[];
}

const IGNORED_BY_DEFAULT = ['updatedAt', 'version'];

/**
 * Before/after of the fields that differ between two states of a resource
 * (a creation: `before` null; a removal: `after` null), redacted. Returns null
 * when nothing recordable changed.
 *
 *   auditChanges(userBefore, userAfter, { sensitive: ['phone'] })
 *   // { before: { roles: ['buyer'], passwordHash: '[REDACTED]' }, after: { roles: ['org_admin'], passwordHash: '[REDACTED]' } }
 */
export function auditChanges(
  before: object | null | undefined,
  after: object | null | undefined,
  options: ChangesOptions = {},
): AuditChanges | null {
  const ignored = new Set([...IGNORED_BY_DEFAULT, ...(options.ignore ?? [])]);
  const sensitive = new Set(options.sensitive ?? []);
  const old = toRecord(before);
  const next = toRecord(after);
  const changed: AuditChanges = { before: {}, after: {} };
  for (const field of new Set([...Object.keys(old), ...Object.keys(next)])) {
    if (ignored.has(field)) continue;
    if (comparable(old[field]) === comparable(next[field])) continue;
    if (field in old) changed.before[field] = old[field] ?? null;
    if (field in next) changed.after[field] = next[field] ?? null;
  }
  if (Object.keys(changed.before).length === 0 && Object.keys(changed.after).length === 0) return null;
  return {
    before: redact(changed.before, sensitive) as Record<string, unknown>,
    after: redact(changed.after, sensitive) as Record<string, unknown>,
  };
}

function toRecord(state: object | null | undefined): Record<string, unknown> {
  if (!state) return {};
  return Object.fromEntries(
    Object.entries(state).filter(([, value]) => value !== undefined && typeof value !== 'function'),
  );
}

function comparable(value: unknown): string {
  return JSON.stringify(value instanceof Date ? value.toISOString() : (value ?? null));
}
