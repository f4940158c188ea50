import { generateSecret, generateURI, verify } from 'otplib';

/** RFC 6238 as every authenticator app implements it: HMAC-SHA-1, 6 digits, 30-second steps. */
const PERIOD_SECONDS = 30;
const DIGITS = 6;
/** 160 bits, the size RFC 4226 recommends for HMAC-SHA-1. */
const SECRET_BYTES = 20;

export const TOTP_CODE = /^\d{6}$/;

/** A new shared secret, base32 as authenticator apps expect it. */
export function newTotpSecret(): string {
  return generateSecret({ length: SECRET_BYTES });
}

/** The otpauth:// URI an authenticator app reads (usually from a QR code). */
export function totpUri(issuer: string, accountName: string, secret: string): string {
  return generateURI({ issuer, label: accountName, secret, algorithm: 'sha1', digits: DIGITS, period: PERIOD_SECONDS });
}

/**
 * The time step `code` belongs to, within one step either side of `epochSeconds`
 * (clock drift, a code typed as it rolled over), or null when it matches none.
 * Whether that step was already used is the caller's to check.
 */
export async function matchingTimeStep(
  secret: string,
  code: string,
  epochSeconds = Math.floor(Date.now() / 1000),
): Promise<number | null> {
  if (!TOTP_CODE.test(code)) return null;
  const result = await verify({
    secret,
    token: code,
    algorithm: 'sha1',
    digits: DIGITS,
    period: PERIOD_SECONDS,
    epoch: epochSeconds,
    epochTolerance: PERIOD_SECONDS,
  });
  // The functional API types TOTP and HOTP results together; only TOTP's carry the time step.
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}
