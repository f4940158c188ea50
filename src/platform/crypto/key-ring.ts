import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const FORMAT = 'v1';
const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** What a key id may look like: it is stored in every value, so short and delimiter-free. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/** Committed so development just works; `validateEnvironment` refuses it in production. */
export const DEVELOPMENT_ENCRYPTION_KEY_ID = 'dev';
export const DEVELOPMENT_ENCRYPTION_KEYS = `${DEVELOPMENT_ENCRYPTION_KEY_ID}:${Buffer.from('development-only-field-key-32-by').toString('base64')}`;

/** The key configuration is unusable; the message never contains key material. */
export class KeyRingError extends Error {
  override readonly name = 'KeyRingError';
}

/** A stored value cannot be decrypted: altered, truncated, or under a key this ring lacks. */
export class FieldDecryptionError extends Error {
  override readonly name = 'FieldDecryptionError';
}

/**
 * AES-256-GCM under named keys. Values are written under the current key and
 * carry its id (`v1:<kid>:<iv>:<tag>:<ciphertext>`, base64url parts), so after
 * a rotation old values still decrypt under their own key while new writes use
 * the new one. The version and key id are authenticated along with the data.
 */
export class KeyRing {
  private constructor(
    private readonly keys: ReadonlyMap<string, Buffer>,
    readonly currentKeyId: string,
  ) {}

  /** `spec` is `kid1:<base64 of 32 bytes>,kid2:...`; `currentKeyId` names the one that encrypts. */
  static parse(spec: string, currentKeyId: string): KeyRing {
    const keys = parseKeys(spec);
    if (!keys.has(currentKeyId)) {
      throw new KeyRingError(`the current key id "${currentKeyId}" is not among the configured keys`);
    }
    return new KeyRing(keys, currentKeyId);
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key(this.currentKeyId), iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData(this.currentKeyId));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [FORMAT, this.currentKeyId, iv, cipher.getAuthTag(), ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join(':');
  }

  decrypt(stored: string): string {
    const parts = stored.split(':');
    if (parts.length !== 5 || parts[0] !== FORMAT) {
      throw new FieldDecryptionError(`not a ${FORMAT} encrypted value`);
    }
    const [, keyId, ivText, tagText, ciphertextText] = parts;
    if (!this.keys.has(keyId)) throw new FieldDecryptionError(`unknown encryption key id "${keyId}"`);
    const iv = strictBase64Url(ivText, IV_BYTES);
    const tag = strictBase64Url(tagText, TAG_BYTES);
    const ciphertext = strictBase64Url(ciphertextText);
    try {
      const decipher = createDecipheriv(ALGORITHM, this.key(keyId), iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(associatedData(keyId));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new FieldDecryptionError('authentication failed: the value was altered');
    }
  }

  private key(keyId: string): Buffer {
    const key = this.keys.get(keyId);
    if (!key) throw new FieldDecryptionError(`unknown encryption key id "${keyId}"`);
    return key;
  }
}

/** Whether `spec` holds the committed development key under any id (whatever else it holds). */
export function containsDevelopmentKey(spec: string): boolean {
  const developmentKey = DEVELOPMENT_ENCRYPTION_KEYS.slice(DEVELOPMENT_ENCRYPTION_KEY_ID.length + 1);
  const developmentBytes = Buffer.from(developmentKey, 'base64');
  return spec.split(',').some((entry) => {
    const material = entry.slice(entry.indexOf(':') + 1).trim();
    return Buffer.from(material, 'base64').equals(developmentBytes);
  });
}

function parseKeys(spec: string): Map<string, Buffer> {
  const keys = new Map<string, Buffer>();
  const entries = spec
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  if (entries.length === 0) throw new KeyRingError('no keys configured');
  for (const [index, entry] of entries.entries()) {
    const separator = entry.indexOf(':');
    const keyId = separator > 0 ? entry.slice(0, separator) : '';
    if (!KEY_ID_PATTERN.test(keyId)) {
      throw new KeyRingError(`entry ${index + 1} must be <key id>:<base64 key>, the id matching ${KEY_ID_PATTERN}`);
    }
    if (keys.has(keyId)) throw new KeyRingError(`key id "${keyId}" appears twice`);
    const material = entry.slice(separator + 1);
    const key = Buffer.from(material, 'base64');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(material) || key.length !== KEY_BYTES) {
      throw new KeyRingError(`key "${keyId}" must be ${KEY_BYTES} random bytes in base64`);
    }
    keys.set(keyId, key);
  }
  return keys;
}

function associatedData(keyId: string): Buffer {
  return Buffer.from(`${FORMAT}:${keyId}`, 'utf8');
}

/** Decodes only canonical base64url, so no altered character can decode to the same bytes. */
function strictBase64Url(text: string, expectedBytes?: number): Buffer {
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.toString('base64url') !== text || (expectedBytes !== undefined && bytes.length !== expectedBytes)) {
    throw new FieldDecryptionError('malformed encrypted value');
  }
  return bytes;
}
