import { generate } from 'otplib';
import { matchingTimeStep, newTotpSecret, totpUri } from './totp';

/** RFC 6238 appendix B: the SHA-1 seed "12345678901234567890" (base32 below), 8-digit vectors cut to 6. */
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const RFC_VECTORS: [epochSeconds: number, code: string][] = [
  [59, '287082'],
  [1111111109, '081804'],
  [1111111111, '050471'],
  [1234567890, '005924'],
  [2000000000, '279037'],
];

const codeAt = (secret: string, epochSeconds: number) => generate({ secret, epoch: epochSeconds });

describe('TOTP', () => {
  it.each(RFC_VECTORS)('matches the RFC 6238 SHA-1 vector at %i s', async (epochSeconds, code) => {
    expect(await matchingTimeStep(RFC_SECRET, code, epochSeconds)).toBe(Math.floor(epochSeconds / 30));
  });

  it('accepts the codes of one step either side and nothing further', async () => {
    const secret = newTotpSecret();
    const now = 1_800_000_015;
    const step = Math.floor(now / 30);
    for (const offset of [-1, 0, 1]) {
      expect(await matchingTimeStep(secret, await codeAt(secret, now + offset * 30), now)).toBe(step + offset);
    }
    for (const offset of [-2, 2]) {
      expect(await matchingTimeStep(secret, await codeAt(secret, now + offset * 30), now)).toBeNull();
    }
  });

  it.each(['', '12345', '1234567', 'abcdef', ' 123456'])(
    'refuses the malformed code %j without throwing',
    async (code) => {
      expect(await matchingTimeStep(newTotpSecret(), code)).toBeNull();
    },
  );

  it('makes 160-bit base32 secrets and otpauth URIs authenticator apps read', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(totpUri('B2B Commerce', 'alice@example.com', secret));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/B2B Commerce:alice@example.com');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('issuer')).toBe('B2B Commerce');
    // Absent parameters mean the Key URI format's defaults, which are ours.
    expect(uri.searchParams.get('algorithm') ?? 'SHA1').toBe('SHA1');
    expect(uri.searchParams.get('digits') ?? '6').toBe('6');
    expect(uri.searchParams.get('period') ?? '30').toBe('30');
  });
});
