import { newRecoveryCodes, RECOVERY_CODE_COUNT, recoveryCodeHash } from './recovery-codes';

describe('recovery codes', () => {
  it('makes ten distinct 16-symbol codes in groups of four, without look-alike characters', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
    for (const code of codes) expect(code).toMatch(/^[a-km-np-z2-9]{4}(-[a-km-np-z2-9]{4}){3}$/);
  });

  it('hashes with SHA-256, ignoring case, hyphens and spaces as a user may type them', () => {
    const [code] = newRecoveryCodes(1);
    const hash = recoveryCodeHash(code);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(recoveryCodeHash(code.toUpperCase())).toBe(hash);
    expect(recoveryCodeHash(code.replace(/-/g, ' '))).toBe(hash);
    expect(recoveryCodeHash(code.replace(/-/g, ''))).toBe(hash);
    expect(recoveryCodeHash(`${code}x`)).not.toBe(hash);
  });
});
