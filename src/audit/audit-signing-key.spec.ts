import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidEnvironmentError, validateEnvironment } from '../platform/config/environment';
import { AuditSigningKey, DEVELOPMENT_KEY_FILE } from './audit-signing-key';

const pem = () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const checkpoint = { seq: 7, hash: 'a'.repeat(64), signedAt: '2026-01-01T00:00:00.000Z' };

describe('AuditSigningKey', () => {
  it('reads a PEM, the same PEM with literal \\n escapes, or its base64, as the same key', () => {
    const text = pem();
    const keyIds = [text, text.replace(/\n/g, '\\n'), Buffer.from(text).toString('base64')].map(
      (configured) => AuditSigningKey.parse(configured).publicKey.keyId,
    );
    expect(new Set(keyIds).size).toBe(1);
  });

  it('refuses a key that is not Ed25519', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    expect(() => AuditSigningKey.parse(rsa.toString())).toThrow(/Ed25519/);
  });

  it('signs checkpoints its public key verifies, and nothing altered', () => {
    const key = AuditSigningKey.parse(pem());
    const signed = key.sign(checkpoint);
    expect(key.publicKey.verifies(signed)).toBe(true);
    expect(key.publicKey.verifies({ ...signed, seq: 8 })).toBe(false);
    expect(key.publicKey.verifies({ ...signed, signature: 'AAAA' })).toBe(false);
  });

  it('MACs chain links so that only its holder can write one', () => {
    const key = AuditSigningKey.parse(pem());
    const mac = key.linkMac(3, 'b'.repeat(64));
    expect(key.verifiesLinkMac(3, 'b'.repeat(64), mac)).toBe(true);
    expect(key.verifiesLinkMac(4, 'b'.repeat(64), mac)).toBe(false);
    expect(AuditSigningKey.parse(pem()).verifiesLinkMac(3, 'b'.repeat(64), mac)).toBe(false);
    expect(key.verifiesLinkMac(3, 'b'.repeat(64), '')).toBe(false);
  });

  it('outside production, makes a key once in the data directory (owner-only) and reuses it', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'audit-key-'));
    try {
      const first = AuditSigningKey.persistedIn(dataDir);
      const second = AuditSigningKey.persistedIn(dataDir);
      expect(second.publicKey.keyId).toBe(first.publicKey.keyId);
      expect(statSync(join(dataDir, DEVELOPMENT_KEY_FILE)).mode & 0o077).toBe(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('is required in production, and never echoed when invalid', () => {
    const production = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://db.example.com/app',
      JWT_SECRET: 'x'.repeat(40),
    };
    const problems = (() => {
      try {
        validateEnvironment(production);
        return [];
      } catch (error) {
        return (error as InvalidEnvironmentError).problems;
      }
    })();
    expect(problems).toContainEqual(expect.stringMatching(/^AUDIT_SIGNING_KEY: must be set in production/));

    const secret = 'not-a-key-but-a-secret-all-the-same';
    expect(() => validateEnvironment({ AUDIT_SIGNING_KEY: [secret] })).toThrow(InvalidEnvironmentError);
    expect(() => validateEnvironment({ AUDIT_SIGNING_KEY: [secret] })).not.toThrow(new RegExp(secret));
  });
});
