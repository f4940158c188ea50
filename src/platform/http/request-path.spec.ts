import { problemInstanceOf } from './request-path';

describe('problemInstanceOf', () => {
  it('is the path as sent when it is a URI reference, without the query', () => {
    expect(problemInstanceOf("/v1/products/a-b_c.d~e!$&'()*+,;=:@?q=1")).toBe("/v1/products/a-b_c.d~e!$&'()*+,;=:@");
    expect(problemInstanceOf('/v1/products/%ED%A0%80%00')).toBe('/v1/products/%ED%A0%80%00');
  });

  it.each([
    ['a % that starts no escape', '/v1/products/%', '/v1/products/%25'],
    ['a % followed by one hex digit', '/v1/products/%A/x', '/v1/products/%25A/x'],
    ['a space and a quote', '/v1/a b"c', '/v1/a%20b%22c'],
    ['a character outside ASCII', '/v1/caf\u00e9', '/v1/caf%C3%A9'],
  ])('percent-encodes %s', (_case, url, instance) => {
    expect(problemInstanceOf(url)).toBe(instance);
  });
});
