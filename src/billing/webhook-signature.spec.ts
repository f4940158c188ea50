import { signWebhook, WEBHOOK_TOLERANCE_S, webhookSignatureProblem } from './webhook-signature';

const SECRET = 'a test webhook secret of enough length';
const BODY = Buffer.from('{"id":"evt_1","type":"payment.succeeded"}');
const NOW = 1_800_000_000;

describe('webhook signatures', () => {
  it('accepts a signature of the body made within the tolerance', () => {
    expect(webhookSignatureProblem(SECRET, BODY, signWebhook(SECRET, BODY, NOW), NOW)).toBeNull();
    expect(webhookSignatureProblem(SECRET, BODY, signWebhook(SECRET, BODY, NOW - WEBHOOK_TOLERANCE_S), NOW)).toBeNull();
  });

  it('refuses a missing, malformed, stale, future, foreign or altered signature', () => {
    const signed = signWebhook(SECRET, BODY, NOW);
    expect(webhookSignatureProblem(SECRET, BODY, undefined, NOW)).toBe('no Payment-Signature header');
    expect(webhookSignatureProblem(SECRET, BODY, 'v1=abc', NOW)).toBe('no valid timestamp');
    expect(webhookSignatureProblem(SECRET, BODY, `t=${NOW}`, NOW)).toBe('no v1 signature');
    expect(webhookSignatureProblem(SECRET, BODY, signed, NOW + WEBHOOK_TOLERANCE_S + 1)).toBe(
      'timestamp outside the tolerance',
    );
    expect(webhookSignatureProblem(SECRET, BODY, signWebhook(SECRET, BODY, NOW + 3600), NOW)).toBe(
      'timestamp outside the tolerance',
    );
    expect(webhookSignatureProblem(SECRET, BODY, signWebhook('another secret entirely', BODY, NOW), NOW)).toBe(
      'signature does not match',
    );
    expect(webhookSignatureProblem(SECRET, Buffer.from(`${BODY.toString()} `), signed, NOW)).toBe(
      'signature does not match',
    );
    expect(webhookSignatureProblem(SECRET, BODY, signed.replace(/t=\d+/, `t=${NOW - 1}`), NOW)).toBe(
      'signature does not match',
    );
  });

  it('accepts any one matching v1 among several (secret rotation)', () => {
    const good = signWebhook(SECRET, BODY, NOW).split(',')[1];
    expect(webhookSignatureProblem(SECRET, BODY, `t=${NOW},v1=${'0'.repeat(64)},${good}`, NOW)).toBeNull();
  });
});
