import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { fingerprintOf } from './idempotency.service';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('idempotency fingerprint', () => {
  it('is the hash of the RFC 8785 canonical JSON for any well-formed JSON, as it always was', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ stringUnit: 'grapheme' })), (parts) => {
        expect(fingerprintOf(parts)).toBe(sha256(canonicalize(parts) ?? ''));
      }),
    );
  });

  it('ignores the order of members, not the order of array elements', () => {
    const body = { items: [{ productId: 'a', quantity: 1 }], shippingAddress: { city: 'Hamburg', name: 'Dock' } };
    const reordered = { shippingAddress: { name: 'Dock', city: 'Hamburg' }, items: [{ quantity: 1, productId: 'a' }] };
    expect(fingerprintOf(['POST', '/v1/orders', {}, reordered])).toBe(fingerprintOf(['POST', '/v1/orders', {}, body]));
    expect(fingerprintOf([[1, 2]])).not.toBe(fingerprintOf([[2, 1]]));
  });

  it('takes lone surrogates, telling them apart from each other and from their escaped text', () => {
    const fingerprints = ['\ud800', '\udc00', '\\ud800', '\ufffd', 'x\ud800'].map((text) =>
      fingerprintOf([{ name: text }]),
    );
    expect(new Set(fingerprints).size).toBe(fingerprints.length);
    expect(fingerprintOf([{ ['\ud800']: 1 }])).not.toBe(fingerprintOf([{ ['\udc00']: 1 }]));
  });

  it('keeps a `__proto__` member as data, and a parameters object without a prototype', () => {
    const parsed = JSON.parse('{"__proto__": {"admin": true}, "a": 1}') as unknown;
    expect(fingerprintOf([parsed])).not.toBe(fingerprintOf([{ a: 1 }]));
    const params = Object.assign(Object.create(null) as Record<string, string>, { id: 'x' });
    expect(fingerprintOf([params])).toBe(fingerprintOf([{ id: 'x' }]));
  });

  it('leaves out undefined members, and writes undefined elements as null, as JSON does', () => {
    expect(fingerprintOf([{ a: 1, b: undefined }])).toBe(fingerprintOf([{ a: 1 }]));
    expect(fingerprintOf([[undefined]])).toBe(fingerprintOf([[null]]));
  });
});
