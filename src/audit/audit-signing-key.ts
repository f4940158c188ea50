import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  sign,
  timingSafeEqual,
  verify,
} from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkpointPayload, type SignedCheckpoint } from './audit-chain';

/** Where development keeps its generated key when AUDIT_SIGNING_KEY is not set. */
export const DEVELOPMENT_KEY_FILE = 'audit-signing-key.pem';

/** The audit key's public half, identified as checkpoints name it. */
export class AuditPublicKey {
  readonly keyId: string;
  readonly pem: string;

  constructor(readonly key: KeyObject) {
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('The audit signing key must be an Ed25519 key');
    this.keyId = createHash('sha256')
      .update(key.export({ type: 'spki', format: 'der' }))
      .digest('hex')
      .slice(0, 16);
    this.pem = key.export({ type: 'spki', format: 'pem' }).toString();
  }

  /** A PEM public key, or the JSON of `GET /v1/audit/public-key` (offline verifier). */
  static parse(text: string): AuditPublicKey {
    const trimmed = text.trim();
    const pem = trimmed.startsWith('{')
      ? String((JSON.parse(trimmed) as { publicKeyPem?: unknown }).publicKeyPem)
      : trimmed;
    return new AuditPublicKey(createPublicKey(pem));
  }

  verifies(checkpoint: SignedCheckpoint): boolean {
    if (checkpoint.keyId !== this.keyId) return false;
    try {
      return verify(null, checkpointPayload(checkpoint), this.key, Buffer.from(checkpoint.signature, 'base64'));
    } catch {
      return false;
    }
  }
}

/** The Ed25519 key that signs checkpoints. Its private half never leaves this object. */
export class AuditSigningKey {
  readonly publicKey: AuditPublicKey;

  private readonly macKey: Buffer;

  private constructor(private readonly privateKey: KeyObject) {
    this.publicKey = new AuditPublicKey(createPublicKey(privateKey));
    this.macKey = Buffer.from(
      hkdfSync('sha256', privateKey.export({ type: 'pkcs8', format: 'der' }), '', 'audit-chain-link-mac', 32),
    );
  }

  /** `configured`: a PKCS#8 PEM (literal `\n` accepted, as env files write it) or its base64. */
  static parse(configured: string): AuditSigningKey {
    const text = configured.trim().replace(/\\n/g, '\n');
    const pem = text.startsWith('-----BEGIN') ? text : Buffer.from(text, 'base64').toString('utf8');
    return new AuditSigningKey(createPrivateKey(pem));
  }

  /**
   * The key in `dataDir`, made on first use (development and tests only:
   * production refuses to start without AUDIT_SIGNING_KEY). Exclusive create,
   * so processes starting together end up with the same key.
   */
  static persistedIn(dataDir: string): AuditSigningKey {
    const file = join(resolve(dataDir), DEVELOPMENT_KEY_FILE);
    mkdirSync(resolve(dataDir), { recursive: true });
    const { privateKey } = generateKeyPairSync('ed25519');
    try {
      writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    return AuditSigningKey.parse(readFileSync(file, 'utf8'));
  }

  /**
   * HMAC-SHA256 of a link's place and hash: only the sealer can write a link
   * that passes, so a link forged in the database (a record inserted, the
   * chain rehashed) is named at its own seq by the online verifier, and the
   * sealer never extends it. (Offline verification relies on checkpoints.)
   */
  linkMac(seq: number, hash: string): string {
    return createHmac('sha256', this.macKey).update(`${seq}:${hash}`).digest('hex');
  }

  verifiesLinkMac(seq: number, hash: string, mac: string): boolean {
    const expected = Buffer.from(this.linkMac(seq, hash), 'hex');
    const given = Buffer.from(mac, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  sign(checkpoint: Omit<SignedCheckpoint, 'signature' | 'keyId'>): SignedCheckpoint {
    const unsigned = { ...checkpoint, keyId: this.publicKey.keyId };
    return { ...unsigned, signature: sign(null, checkpointPayload(unsigned), this.privateKey).toString('base64') };
  }
}
