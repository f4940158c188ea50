import type { ValueTransformer } from 'typeorm';
import type { KeyRing } from './key-ring';

let activeKeyRing: KeyRing | undefined;

/**
 * Installs the key ring the `encryptedText` transformer uses. Entity metadata
 * is built from decorators at import time, long before configuration is read,
 * so the transformer cannot receive the keys itself: DatabaseModule calls this
 * once, from the validated environment, before the DataSource exists.
 */
export function useFieldEncryptionKeys(keyRing: KeyRing): void {
  activeKeyRing = keyRing;
}

function keyRing(): KeyRing {
  if (!activeKeyRing) {
    throw new Error('Field encryption is not configured: call useFieldEncryptionKeys() before using the DataSource');
  }
  return activeKeyRing;
}

/**
 * Column transformer for a sensitive `text` column: the entity holds the
 * plaintext, the database an AES-256-GCM value tagged with its key id.
 * A value that fails authentication makes the read fail, never pass silently.
 */
export const encryptedText: ValueTransformer = {
  to: (value: unknown) => (typeof value === 'string' ? keyRing().encrypt(value) : value),
  from: (value: string | null) => (value === null ? null : keyRing().decrypt(value)),
};
