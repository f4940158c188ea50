import { InvalidRequestError } from '../errors/invalid-request.error';
import {
  ensureMatches,
  etagFor,
  etagOf,
  NO_PRECONDITION,
  noneMatchNames,
  parseIfMatch,
  PreconditionFailedError,
} from './etag';

describe('ETag and If-Match', () => {
  it('formats a version as a strong entity tag', () => {
    expect(etagFor(3)).toBe('"3"');
  });

  it('tags a representation by its version and a digest of all of it: any field that changes changes the tag', () => {
    const product = { id: 'p', stock: 3, version: 3 };
    expect(etagOf(product)).toMatch(/^"3-[A-Za-z0-9_-]{16}"$/);
    expect(etagOf({ ...product })).toBe(etagOf(product));
    const moved = { ...product, stock: 4 };
    expect(etagOf(moved)).not.toBe(etagOf(product));
    expect(etagOf({ ...product, version: 4 })).toMatch(/^"4-/);
  });

  it.each<[string | string[] | undefined, ReturnType<typeof parseIfMatch>]>([
    [undefined, NO_PRECONDITION],
    ['*', NO_PRECONDITION],
    [' * ', NO_PRECONDITION],
    ['"3"', { any: false, tags: ['"3"'] }],
    ['"3", "4"', { any: false, tags: ['"3"', '"4"'] }],
    ['"3","4" ', { any: false, tags: ['"3"', '"4"'] }],
    ['W/"3"', { any: false, tags: [] }],
    ['W/"3", "5"', { any: false, tags: ['"5"'] }],
    [['"3"', '"4"'], { any: false, tags: ['"3"', '"4"'] }],
    ['"opaque-tag"', { any: false, tags: ['"opaque-tag"'] }],
    ['"3",', { any: false, tags: ['"3"'] }],
    [', "3"', { any: false, tags: ['"3"'] }],
  ])('parses %j', (header, expected) => {
    expect(parseIfMatch(header)).toEqual(expected);
  });

  it.each(['', ' ', ',', ' , ', '3', '"3', '3"', '"3" "4"', '"a"b"', '*, "3"', 'W/3', '"\u0001"', '"3";x'])(
    'refuses the malformed header %j with a 400 naming If-Match',
    (header) => {
      expect(() => parseIfMatch(header)).toThrow(InvalidRequestError);
      expect(() => parseIfMatch(header)).toThrow(
        expect.objectContaining({ errors: [expect.objectContaining({ field: 'If-Match' })] }),
      );
    },
  );

  it("admits a representation's ETag by the version it carries, whatever else changed since", () => {
    const product = { stock: 3, version: 3 };
    const read = etagOf(product);
    expect(() => ensureMatches(parseIfMatch(read), 3)).not.toThrow();
    expect(() => ensureMatches(parseIfMatch(read), 4)).toThrow(PreconditionFailedError);
    expect(() => ensureMatches(parseIfMatch('"3-"'), 3)).not.toThrow();
  });

  it('admits the current version, any version without a precondition, and refuses others with a 412', () => {
    expect(() => ensureMatches(parseIfMatch('"3"'), 3)).not.toThrow();
    expect(() => ensureMatches(parseIfMatch('"2", "3"'), 3)).not.toThrow();
    expect(() => ensureMatches(NO_PRECONDITION, 7)).not.toThrow();
    expect(() => ensureMatches(parseIfMatch('"2"'), 3)).toThrow(PreconditionFailedError);
    expect(() => ensureMatches(parseIfMatch('W/"3"'), 3)).toThrow(PreconditionFailedError);
    expect(() => ensureMatches(parseIfMatch('"33"'), 3)).toThrow(PreconditionFailedError);
    expect(() => ensureMatches(parseIfMatch('"opaque"'), 3)).toThrow(PreconditionFailedError);
    expect(() => ensureMatches(parseIfMatch('"2"'), 3)).toThrow(
      expect.objectContaining({ kind: 'precondition_failed', extensions: { currentETag: '"3"' } }),
    );
  });
});

describe('If-None-Match', () => {
  it.each([
    ['"3"', true],
    ['W/"3"', true],
    ['"2", "3"', true],
    ['"a",W/"3" , "b"', true],
    [['"2"', '"3"'], true],
    ['*', true],
    [' * ', true],
    ['"2"', false],
    ['W/"2", "4"', false],
    ['"33"', false],
    [undefined, false],
  ])('%j names the representation "3": %s', (header, names) => {
    expect(noneMatchNames(header, '"3"')).toBe(names);
  });

  it.each(['', 'junk', '3', '"3', '"3" "4"', '*, "3"', '"3";x'])(
    'takes the malformed %j as naming nothing, so the full answer goes out',
    (header) => {
      expect(noneMatchNames(header, '"3"')).toBe(false);
    },
  );
});
