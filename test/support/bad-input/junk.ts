import fc from 'fast-check';

/** Long enough to find missing length limits, short enough to keep a run fast. */
export const HUGE_LENGTH = 100_000;

/**
 * Text that trips parsers, normalizers, logs and databases: lone surrogates,
 * NUL (PostgreSQL text refuses it), bidi overrides, RTL and zero-width marks,
 * a BOM, emoji sequences, combining marks, non-characters, case-mapping
 * oddities, line separators, and the usual injection probes.
 */
export const ODD_TEXTS = [
  '\uD800',
  '\uDFFF',
  'a\uD83Db',
  '\u0000',
  'a\u0000b',
  '\u202Eevil\u202C',
  '\u2066\u200Fx',
  '\u200B',
  '\uFEFF',
  '😀',
  '👩‍👩‍👧‍👦',
  '🏳️‍🌈',
  'e\u0301\u0301\u0301',
  '\u{10FFFF}',
  '\uFFFE\uFFFF',
  'İı ß ﬀ Ω 𝕏',
  '\r\n',
  '\u0085\u2028\u2029',
  "'; DROP TABLE users; --",
  '${7*7}{{7*7}}',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '%00%2e%2e%2f',
] as const;

export const oddText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...ODD_TEXTS),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.array(fc.constantFrom(...ODD_TEXTS), { minLength: 2, maxLength: 4 }).map((parts) => parts.join('')),
);

export const hugeText: fc.Arbitrary<string> = fc
  .constantFrom('a', '😀', '\u0000', '\uD800', 'é', ' ', '\u202E')
  .map((unit) => unit.repeat(Math.ceil(HUGE_LENGTH / unit.length)));

const SCALAR_JUNK: readonly unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  2 ** 53 + 2,
  -(2 ** 63),
  1e308,
  -1e308,
  Number.MIN_VALUE,
  '',
  ' ',
  '0',
  'true',
  'null',
  'NaN',
  '[]',
  [],
  {},
  [null],
  [[]],
  { '': '' },
];

/** Nested arrays or objects; deep enough to probe recursion, bounded by `maxDepth`. */
export function deeplyNested(minDepth: number, maxDepth: number): fc.Arbitrary<string> {
  return fc
    .tuple(fc.integer({ min: minDepth, max: maxDepth }), fc.boolean())
    .map(([depth, arrays]) =>
      arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
    );
}

/** A JSON value of the wrong type, size or content for wherever it is put. */
export const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SCALAR_JUNK) },
  { weight: 3, arbitrary: oddText },
  { weight: 1, arbitrary: hugeText },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 1, arbitrary: deeplyNested(16, 128).map((text): unknown => JSON.parse(text)) },
);

/** Object keys worth sending: prototype-pollution names, odd text, near-misses of real names. */
export const junkKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    '',
    ' ',
    'id',
    'isAdmin',
    'role',
  ),
  oddText,
  fc.string({ maxLength: 12 }),
);

/** JSON text no strict parser accepts (plus some valid texts parsers are told to refuse). */
export const BROKEN_JSON = [
  '',
  ' ',
  '{',
  '}',
  '{"a":',
  '{"a":1,}',
  '[1,]',
  "{'a':1}",
  '{a:1}',
  'NaN',
  'Infinity',
  'undefined',
  '{"a":NaN}',
  '{"a":01}',
  '{"a":1}}',
  '{"a":"\\x41"}',
  '{"a":"\\u12"}',
  '{"a":"line\nbreak"}',
  '\uFEFF{}',
  '{}garbage',
  '{"a":1}{"b":2}',
  '/* comment */ {}',
  'nul',
  '\u0000',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
] as const;

/** Bytes that are not UTF-8 at all, inside an otherwise well-formed JSON object. */
export const invalidUtf8Json: fc.Arbitrary<Buffer> = fc
  .constantFrom([0xff], [0xfe, 0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc0, 0xaf], [0x80])
  .map((bytes) => Buffer.concat([Buffer.from('{"name":"'), Buffer.from(bytes), Buffer.from('"}')]));

export const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json; charset=utf-16le',
  'application/json; charset=nonsense',
  'application/json;;;',
  'application/merge-patch+json',
  'application/problem+json',
  'text/plain',
  'text/html',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----fuzz',
  'application/octet-stream',
  '*/*',
  '',
  'garbage',
] as const;

/** Characters a header value may carry on the wire (Node's client refuses the rest). */
const headerCharacter: fc.Arbitrary<string> = fc
  .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constant(0x09))
  .map((code) => String.fromCharCode(code));

export const saneRequestId: fc.Arbitrary<string> = fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/);

export const junkHeaderValue: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: headerCharacter, maxLength: 64 }),
  fc.constantFrom(
    '',
    ' ',
    '\t',
    'x'.repeat(129),
    'a'.repeat(4_000),
    'id with spaces',
    'id\t',
    '%0d%0aX-Injected: 1',
    'café',
  ),
  saneRequestId.map((id) => ` ${id} `),
);

/** A percent-encoded URL component. Lone surrogates become their (invalid) UTF-8 bytes, as a naive client sends them. */
export function encodeComponent(text: string): string {
  return text.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]|[\s\S]/g, (unit) =>
    isLoneSurrogate(unit) ? percentBytes(unit.charCodeAt(0)) : encodeURIComponent(unit),
  );
}

export function hasLoneSurrogate(text: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

function isLoneSurrogate(unit: string): boolean {
  return unit.length === 1 && hasLoneSurrogate(unit);
}

function percentBytes(codeUnit: number): string {
  const bytes = [0xe0 | (codeUnit >> 12), 0x80 | ((codeUnit >> 6) & 0x3f), 0x80 | (codeUnit & 0x3f)];
  return bytes.map((byte) => `%${byte.toString(16).toUpperCase()}`).join('');
}
