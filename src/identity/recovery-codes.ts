import { createHash, randomInt } from 'node:crypto';

export const RECOVERY_CODE_COUNT = 10;
/** 32 symbols without look-alikes (no 0/o, 1/l): 5 bits each, 16 symbols = 80 bits. */
const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
const SYMBOLS = 16;
const GROUP = 4;

/** Fresh single-use codes, grouped for reading (`k7pq-3xmd-a9wn-eh4c`); shown once, stored hashed. */
export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    const symbols = Array.from({ length: SYMBOLS }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    return symbols.match(new RegExp(`.{${GROUP}}`, 'g'))?.join('-') ?? symbols;
  });
}

/**
 * SHA-256 (hex) of a code as the user may type it: case, hyphens and spaces
 * do not matter. 80 random bits need no slow hash.
 */
export function recoveryCodeHash(code: string): string {
  const normalized = code.toLowerCase().replace(/[\s-]/g, '');
  return createHash('sha256').update(normalized, 'utf8').digest('hex');
}
