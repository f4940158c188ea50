import { createHmac, timingSafeEqual } from 'node:crypto';

/** How old a signed webhook may be, in seconds, before it is refused as a possible replay. */
export const WEBHOOK_TOLERANCE_S = 300;

/** `Payment-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. */
export function signWebhook(
  secret: string,
  rawBody: Buffer | string,
  timestamp = Math.floor(Date.now() / 1000),
): string {
  return `t=${timestamp},v1=${hmac(secret, timestamp, rawBody)}`;
}

/**
 * Why `header` does not sign `rawBody` now, or null when it does: every v1
 * signature is compared in constant time, and the timestamp must be within
 * the tolerance either way.
 */
export function webhookSignatureProblem(
  secret: string,
  rawBody: Buffer,
  header: string | undefined,
  now = Math.floor(Date.now() / 1000),
): string | null {
  if (!header) return 'no Payment-Signature header';
  const parts = header.split(',').map((part) => part.trim().split('='));
  const timestamps = parts.filter(([name]) => name === 't').map(([, value]) => value);
  const signatures = parts.filter(([name]) => name === 'v1').map(([, value]) => value ?? '');
  if (timestamps.length !== 1 || !/^\d{1,12}$/.test(timestamps[0] ?? '')) return 'no valid timestamp';
  if (signatures.length === 0) return 'no v1 signature';
  const timestamp = Number(timestamps[0]);
  if (Math.abs(now - timestamp) > WEBHOOK_TOLERANCE_S) return 'timestamp outside the tolerance';
  const expected = Buffer.from(hmac(secret, timestamp, rawBody), 'hex');
  const matches = signatures.some((signature) => {
    const given = /^[0-9a-f]{64}$/.test(signature) ? Buffer.from(signature, 'hex') : Buffer.alloc(0);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matches ? null : 'signature does not match';
}

function hmac(secret: string, timestamp: number, rawBody: Buffer | string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}
