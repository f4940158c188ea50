import { randomBytes } from 'node:crypto';
import { encryptedText, useFieldEncryptionKeys } from './encrypted-text.transformer';
import { KeyRing } from './key-ring';

describe('encryptedText', () => {
  it('fails loudly when used before the key ring is configured', () => {
    jest.isolateModules(() => {
      // A fresh copy of the module: nothing has configured it.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const fresh = require('./encrypted-text.transformer') as typeof import('./encrypted-text.transformer');
      expect(() => void fresh.encryptedText.to('secret')).toThrow(/not configured/);
      expect(() => void fresh.encryptedText.from('v1:k:a:b:c')).toThrow(/not configured/);
    });
  });

  describe('configured', () => {
    const ring = KeyRing.parse(`k1:${randomBytes(32).toString('base64')}`, 'k1');
    beforeAll(() => useFieldEncryptionKeys(ring));

    it('encrypts on the way to the database and decrypts on the way back', () => {
      const stored: unknown = encryptedText.to('JBSWY3DPEHPK3PXP');
      expect(typeof stored).toBe('string');
      expect(stored).toMatch(/^v1:k1:/);
      expect(encryptedText.from(stored)).toBe('JBSWY3DPEHPK3PXP');
    });

    it('passes null and undefined through (a cleared or untouched column)', () => {
      expect(encryptedText.to(null)).toBeNull();
      expect(encryptedText.to(undefined)).toBeUndefined();
      expect(encryptedText.from(null)).toBeNull();
    });
  });
});
