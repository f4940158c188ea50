import { randomBytes } from 'node:crypto';
import { FieldDecryptionError, KeyRing, KeyRingError } from './key-ring';

const keyOf = () => randomBytes(32).toString('base64');
const OLD = `old:${keyOf()}`;
const NEW = `new:${keyOf()}`;
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

/** Changes one byte of the base64url part at `index` (1 = key id, 2 = iv, 3 = tag, 4 = ciphertext). */
function withByteChanged(stored: string, index: number): string {
  const parts = stored.split(':');
  const bytes = Buffer.from(parts[index], 'base64url');
  bytes[bytes.length - 1] ^= 0x01;
  parts[index] = bytes.toString('base64url');
  return parts.join(':');
}

describe('KeyRing', () => {
  it('round-trips text, empty and non-ASCII included, with a fresh IV each time', () => {
    const ring = KeyRing.parse(OLD, 'old');
    for (const plaintext of [SECRET, '', 'grüße 🔐']) expect(ring.decrypt(ring.encrypt(plaintext))).toBe(plaintext);
    expect(ring.encrypt(SECRET)).not.toBe(ring.encrypt(SECRET));
  });

  it('stores v1:<key id>:<iv>:<tag>:<ciphertext>, base64url, without the plaintext', () => {
    const stored = KeyRing.parse(OLD, 'old').encrypt(SECRET);
    expect(stored).toMatch(/^v1:old:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+$/);
    expect(stored).not.toContain(SECRET);
  });

  it.each([
    ['the iv', 2],
    ['the tag', 3],
    ['the ciphertext', 4],
  ])('refuses a value with a byte of %s changed', (_part, index) => {
    const ring = KeyRing.parse(OLD, 'old');
    const tampered = withByteChanged(ring.encrypt(SECRET), index);
    expect(() => ring.decrypt(tampered)).toThrow(FieldDecryptionError);
  });

  it('refuses a non-canonical encoding that would decode to the same bytes', () => {
    const ring = KeyRing.parse(OLD, 'old');
    const parts = ring.encrypt(SECRET).split(':');
    // 16 tag bytes in base64url: the last character carries 4 unused bits.
    const last = parts[3].at(-1) ?? '';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    parts[3] = parts[3].slice(0, -1) + alphabet[alphabet.indexOf(last) ^ 0x01];
    expect(() => ring.decrypt(parts.join(':'))).toThrow(FieldDecryptionError);
  });

  it('refuses a value relabelled with another key id (the id is authenticated)', () => {
    const ring = KeyRing.parse(`${OLD},${NEW}`, 'old');
    const relabelled = ring.encrypt(SECRET).replace(/^v1:old:/, 'v1:new:');
    expect(() => ring.decrypt(relabelled)).toThrow(FieldDecryptionError);
  });

  it('decrypts values of a retired key after rotation and writes new ones under the current key', () => {
    const before = KeyRing.parse(OLD, 'old');
    const storedBefore = before.encrypt(SECRET);

    const after = KeyRing.parse(`${NEW},${OLD}`, 'new');
    expect(after.decrypt(storedBefore)).toBe(SECRET);
    const storedAfter = after.encrypt(SECRET);
    expect(storedAfter.split(':')[1]).toBe('new');
    expect(() => before.decrypt(storedAfter)).toThrow(/unknown encryption key id "new"/);
  });

  it('refuses a value under a key id it does not hold, naming the id', () => {
    const stored = KeyRing.parse(OLD, 'old').encrypt(SECRET);
    expect(() => KeyRing.parse(NEW, 'new').decrypt(stored)).toThrow(/unknown encryption key id "old"/);
  });

  it.each(['', 'plain text', 'v2:old:a:b:c', 'v1:old:only-three'])('refuses %j as not an encrypted value', (stored) => {
    expect(() => KeyRing.parse(OLD, 'old').decrypt(stored)).toThrow(FieldDecryptionError);
  });

  describe('parse', () => {
    it.each([
      ['no keys', '', 'k', /no keys/],
      ['a missing id', `:${keyOf()}`, 'k', /entry 1 must be/],
      ['an id with a character outside the pattern', `k.1:${keyOf()}`, 'k.1', /entry 1 must be/],
      ['a short key', `k:${randomBytes(16).toString('base64')}`, 'k', /"k" must be 32 random bytes/],
      ['a key that is not base64', `k:${'*'.repeat(44)}`, 'k', /"k" must be 32 random bytes/],
      ['a duplicate id', `k:${keyOf()},k:${keyOf()}`, 'k', /"k" appears twice/],
      ['a current id not in the ring', `k:${keyOf()}`, 'other', /"other" is not among/],
    ])('refuses %s without echoing key material', (_case, spec, current, message) => {
      let thrown: unknown;
      try {
        KeyRing.parse(spec, current);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(KeyRingError);
      expect((thrown as Error).message).toMatch(message);
      for (const entry of spec.split(',')) {
        const material = entry.split(':')[1];
        if (material) expect((thrown as Error).message).not.toContain(material);
      }
    });

    it('accepts spaces around entries', () => {
      expect(KeyRing.parse(` ${OLD} , ${NEW} `, 'new').currentKeyId).toBe('new');
    });
  });
});
