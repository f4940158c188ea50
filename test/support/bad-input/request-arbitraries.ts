import fc from 'fast-check';
import type { OpenAPIV3 } from 'openapi-types';
import { type DocumentedOperation, type OpenApiDocument, requestBodySchema, resolve } from '../openapi-document';
import { type FuzzBody, FUZZ_METHODS, type FuzzMethod, FuzzRequest } from './fuzz-request';
import {
  BROKEN_JSON,
  CONTENT_TYPES,
  deeplyNested,
  encodeComponent,
  hugeText,
  invalidUtf8Json,
  junkHeaderValue,
  junkKey,
  junkValue,
  oddText,
  saneRequestId,
} from './junk';
import { mutatedValue, validValue } from './schema-values';

/** Fastify's router refuses longer path parameters (414). */
const MAX_PARAM_LENGTH = 100;
/** Far past the depth the JSON parser accepts, and past what a recursive walk of the body would survive. */
const DEEP_NESTING = 100_000;

export interface FuzzOptions {
  bodyLimitBytes: number;
  /**
   * Headers of real sessions, one per role worth fuzzing as. Most requests
   * carry one of them, so input gets past authentication to the validation
   * and handlers behind it; the others carry junk credentials or none. One
   * role is not enough: staff may not place orders (403 before any input is
   * read), customers may not edit the catalog.
   */
  credentials: Record<string, string>[];
}

/** Malformed requests aimed at one documented operation, derived from its parameters and body schema. */
export function requestsFor(
  document: OpenApiDocument,
  operation: DocumentedOperation,
  options: FuzzOptions,
): fc.Arbitrary<FuzzRequest> {
  const documented = operation.method.toUpperCase() as FuzzMethod;
  return fc
    .record({
      method: fc.oneof(
        { weight: 9, arbitrary: fc.constant(documented) },
        { weight: 1, arbitrary: fc.constantFrom(...FUZZ_METHODS) },
      ),
      path: pathFor(document, operation),
      query: queryFor(declaredQueryEntries(document, operation.parameters)),
      headers: headersWith(options.credentials, requiredHeaders(document, operation.parameters)),
      body: bodyFor(document, operation.operation, options),
    })
    .map(toRequest);
}

/** Requests no route matches: unknown paths, wrong versions, traversal attempts, stray suffixes. */
export function unroutedRequests(options: FuzzOptions): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      method: fc.constantFrom(...FUZZ_METHODS),
      path: fc.oneof(
        junkSegments.map((segments) => `/v1/${segments.join('/')}`),
        fc.constantFrom(...ODD_PATHS),
      ),
      query: queryFor([]),
      headers: headersWith(options.credentials),
      body: fc.option(jsonBody(junkValue.map((value) => ({ value, label: 'junk JSON value' }))), { nil: undefined }),
    })
    .map(toRequest);
}

interface RequestParts {
  method: FuzzMethod;
  path: string;
  query: string;
  headers: Record<string, string | string[]>;
  body: FuzzBody | undefined;
}

function toRequest({ method, path, query, headers, body }: RequestParts): FuzzRequest {
  // HTTP clients send HEAD without framing a body, so its bytes would reach the server as a second, garbage request.
  return new FuzzRequest(method, path, query, headers, method === 'HEAD' ? undefined : body);
}

const ODD_PATHS = [
  '/',
  '//',
  '/v1',
  '/v1/',
  '/v2/test-probes',
  '/V1/TEST-PROBES',
  '/v1//test-probes',
  '/v1/test-probes/00000000-0000-4000-8000-000000000000/extra',
  '/docs/../package.json',
  '/docs/%2e%2e/package.json',
  '/docs/nope.js',
  '/docs-json/extra',
  '/health',
  '/health/',
  '/metrics/extra',
  '/*',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/v1/%00',
] as const;

const junkSegments: fc.Arbitrary<string[]> = fc.array(
  fc.oneof(oddText, fc.string({ maxLength: 10 })).map(encodeComponent),
  { minLength: 1, maxLength: 4 },
);

function pathFor(document: OpenApiDocument, operation: DocumentedOperation): fc.Arbitrary<string> {
  const names = [...operation.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
  const values = names.map((name) => {
    const parameter = operation.parameters.find((candidate) => candidate.in === 'path' && candidate.name === name);
    return pathSegment(document, name, parameter?.schema);
  });
  return fc
    .tuple(fc.tuple(...values), pathSuffix)
    .map(
      ([segments, suffix]) =>
        names.reduce((path, name, index) => path.replace(`{${name}}`, segments[index]), operation.path) + suffix,
    );
}

const pathSuffix: fc.Arbitrary<string> = fc.oneof(
  { weight: 12, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constantFrom('/', '//', '/extra', '/..', '/%2e%2e', '/.', ';a=b', '%20') },
);

const BAD_UUIDS = [
  'not-a-uuid',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '123',
  '',
  '{3f2504e0-4f89-41d3-9a0c-0305e82c3301}',
  'urn:uuid:3f2504e0-4f89-41d3-9a0c-0305e82c3301',
  '3f2504e0-4f89-41d3-9a0c-0305e82c330',
  '3f2504e0-4f89-41d3-9a0c-0305e82c33011',
  '3F2504E0-4F89-41D3-9A0C-0305E82C3301',
  '3f2504e04f8941d39a0c0305e82c3301',
  '3f2504e0-4f89-41d3-9a0c-0305e82c330g',
  ' 3f2504e0-4f89-41d3-9a0c-0305e82c3301',
] as const;

const badUuid: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...BAD_UUIDS),
  fc
    .tuple(fc.uuid(), fc.nat(35), fc.constantFrom('z', '-', '', 'é', '\u0000'))
    .map(([uuid, index, replacement]) => uuid.slice(0, index) + replacement + uuid.slice(index + 1)),
);

function pathSegment(
  document: OpenApiDocument,
  name: string,
  schema?: OpenAPIV3.ParameterObject['schema'],
): fc.Arbitrary<string> {
  const resolved = schema ? resolve(document, schema) : {};
  const looksLikeId = resolved.format === 'uuid' || /^id$|Id$/.test(name);
  const valid = looksLikeId ? fc.uuid() : validValue(document, resolved).map(asText);
  return fc.oneof(
    { weight: 3, arbitrary: valid.map(encodeComponent) },
    { weight: 3, arbitrary: badUuid.map(encodeComponent) },
    { weight: 3, arbitrary: oddText.map(encodeComponent) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '0',
        '-1',
        '1e309',
        'NaN',
        'null',
        'undefined',
        '%20',
        '%2F',
        '%2e%2e',
        '%00',
        '..',
        '.',
        '~',
      ),
    },
    { weight: 2, arbitrary: fc.constantFrom('%', '%zz', '%E0%A4%A', '%ED%A0%80', '%C0%AF', '%FF') },
    {
      weight: 1,
      arbitrary: fc.integer({ min: MAX_PARAM_LENGTH + 1, max: 2_000 }).map((length) => 'a'.repeat(length)),
    },
    { weight: 1, arbitrary: hugeText.map(encodeComponent) },
  );
}

/** A parameter value as a client would write it; objects (possibly without a prototype) as JSON. */
function asText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}

const BAD_QUERY_VALUES = [
  '',
  '-1',
  '0',
  '-0',
  '1e309',
  '-1e309',
  'NaN',
  'Infinity',
  '9007199254740993',
  '99999999999999999999999',
  '1.5',
  '0x10',
  ' 1',
  '1 ',
  'true',
  'null',
  'undefined',
  '[]',
  '{}',
  '1,2',
] as const;

const badQueryValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...BAD_QUERY_VALUES) },
  { weight: 2, arbitrary: fc.oneof(fc.integer().map(String), fc.double().map(String), fc.bigInt().map(String)) },
  { weight: 3, arbitrary: oddText },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 2_000 }).map((length) => 'q'.repeat(length)) },
  { weight: 1, arbitrary: hugeText },
);

/** Raw query strings whose shape, not their values, is the problem. */
const RAW_QUERIES = [
  '&',
  '=',
  '&&=&',
  'a',
  '%',
  '%zz=1',
  'a=%E0%A4%A',
  'a=%ED%A0%80',
  'a[]=1&a[]=2',
  'a[b]=1',
  '__proto__[polluted]=1',
  'constructor[prototype][polluted]=1',
  '__proto__=1',
] as const;

type QueryEntry = [name: string, value: string];

/** Name-value pairs for each documented query parameter: valid values mixed with bad ones. */
function declaredQueryEntries(
  document: OpenApiDocument,
  parameters: OpenAPIV3.ParameterObject[],
): fc.Arbitrary<QueryEntry>[] {
  return parameters
    .filter((parameter) => parameter.in === 'query')
    .map((parameter) =>
      fc.tuple(fc.constant(parameter.name), fc.oneof(validQueryValue(document, parameter), badQueryValue)),
    );
}

/** A query string of declared and junk parameters, repeated names included, or a malformed raw one. */
function queryFor(declared: fc.Arbitrary<QueryEntry>[]): fc.Arbitrary<string> {
  const entry = fc.oneof(...declared.map((arbitrary) => ({ weight: 3, arbitrary })), {
    weight: 1,
    arbitrary: fc.tuple(fc.oneof(junkKey, fc.constantFrom('limit', 'cursor', 'sort', 'q')), badQueryValue),
  });
  const encoded = fc
    .array(entry, { maxLength: 6 })
    .map((entries) => entries.map(([name, value]) => `${encodeComponent(name)}=${encodeComponent(value)}`).join('&'));
  return fc.oneof({ weight: 6, arbitrary: encoded }, { weight: 1, arbitrary: fc.constantFrom(...RAW_QUERIES) });
}

function validQueryValue(document: OpenApiDocument, parameter: OpenAPIV3.ParameterObject): fc.Arbitrary<string> {
  return parameter.schema ? validValue(document, parameter.schema).map(asText) : fc.string({ maxLength: 10 });
}

type Headers = Record<string, string | string[]>;

const junkCredentials: fc.Arbitrary<Headers> = fc.record(
  {
    authorization: fc.oneof(
      junkHeaderValue,
      junkHeaderValue.map((value) => `Bearer ${value}`),
      fc.constantFrom('Bearer', 'Bearer ', 'Basic Zm9vOmJhcg==', 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.'),
    ),
    'x-api-key': junkHeaderValue,
  },
  { requiredKeys: [] },
);

function headersWith(
  credentials: Record<string, string>[],
  documented: fc.Arbitrary<Headers> = fc.constant({}),
): fc.Arbitrary<Headers> {
  const chosenCredentials = fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom<Headers>(...credentials) },
    { weight: 1, arbitrary: fc.constant<Headers>({}) },
    { weight: 2, arbitrary: junkCredentials },
  );
  return fc
    .tuple(junkHeaders, documented, chosenCredentials)
    .map(([junk, required, chosen]) => ({ ...junk, ...required, ...chosen }));
}

/**
 * The headers an operation documents as required (`Idempotency-Key`), mostly
 * valid so that requests get past that first check to the body's, sometimes
 * junk or left to the junk headers' chance.
 */
function requiredHeaders(document: OpenApiDocument, parameters: OpenAPIV3.ParameterObject[]): fc.Arbitrary<Headers> {
  const entries = parameters
    .filter((parameter) => parameter.in === 'header' && parameter.required)
    .map((parameter) => {
      const name = parameter.name.toLowerCase();
      const value = fc.oneof(
        { weight: 8, arbitrary: validHeaderValue(document, parameter) },
        { weight: 1, arbitrary: junkHeaderValue },
      );
      return fc.option(
        value.map((text): [string, string] => [name, text]),
        { nil: undefined, freq: 10 },
      );
    });
  return fc
    .tuple(...entries)
    .map((chosen) => Object.fromEntries(chosen.filter((entry): entry is [string, string] => entry !== undefined)));
}

function validHeaderValue(document: OpenApiDocument, parameter: OpenAPIV3.ParameterObject): fc.Arbitrary<string> {
  const schema = parameter.schema ? resolve(document, parameter.schema) : {};
  // A documented pattern says exactly what passes; without one, the schema's strings might not (spaces, control characters).
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
  return fc.uuid();
}

const junkHeaders: fc.Arbitrary<Headers> = fc.record(
  {
    'x-request-id': fc.oneof(saneRequestId, junkHeaderValue, fc.array(saneRequestId, { minLength: 2, maxLength: 2 })),
    accept: fc.constantFrom('application/xml', '*/*', 'text/html', '', 'application/json;q=0', 'garbage'),
    'idempotency-key': junkHeaderValue,
    'if-match': fc.oneof(junkHeaderValue, fc.constantFrom('*', '"x"', 'W/"x"')),
    'x-forwarded-for': fc.constantFrom('127.0.0.1', '::1, 10.0.0.1', 'garbage', ''),
  },
  { requiredKeys: [] },
);

interface LabelledValue {
  value: unknown;
  label: string;
}

const jsonContentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

function jsonBody(values: fc.Arbitrary<LabelledValue>): fc.Arbitrary<FuzzBody> {
  return fc.tuple(values, jsonContentType).map(([{ value, label }, contentType]) => ({
    contentType,
    // JSON.stringify(undefined) is undefined: the mutation removed the whole body.
    bytes: Buffer.from(JSON.stringify(value) ?? ''),
    label,
  }));
}

function textBody(texts: fc.Arbitrary<string>, label: string): fc.Arbitrary<FuzzBody> {
  return fc
    .tuple(texts, jsonContentType)
    .map(([text, contentType]) => ({ contentType, bytes: Buffer.from(text), label }));
}

function bodyFor(
  document: OpenApiDocument,
  operation: OpenAPIV3.OperationObject,
  options: FuzzOptions,
): fc.Arbitrary<FuzzBody | undefined> {
  const schema = requestBodySchema(document, operation);
  const junkJson = jsonBody(junkValue.map((value) => ({ value, label: 'junk JSON value' })));
  if (!schema) return fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: junkJson });
  const valid = validValue(document, schema);
  return fc.oneof(
    {
      weight: 5,
      arbitrary: jsonBody(
        mutatedValue(document, schema).map(({ value, label }) => ({ value, label: `mutated: ${label}` })),
      ),
    },
    { weight: 1, arbitrary: jsonBody(valid.map((value) => ({ value, label: 'schema-valid' }))) },
    { weight: 2, arbitrary: junkJson },
    { weight: 2, arbitrary: textBody(brokenJson(valid), 'broken JSON text') },
    {
      weight: 1,
      arbitrary: invalidUtf8Json.map((bytes) => ({ contentType: 'application/json', bytes, label: 'invalid UTF-8' })),
    },
    {
      weight: 2,
      arbitrary: textBody(deeplyNested(100, DEEP_NESTING), 'deeply nested'),
    },
    { weight: 1, arbitrary: overLimitBody(options.bodyLimitBytes) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

/** Broken by hand, or a valid body cut short or with a byte overwritten. */
function brokenJson(valid: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  const damaged = fc
    .tuple(
      valid.map((value) => JSON.stringify(value) ?? ''),
      fc.nat(),
      fc.constantFrom('', '"', '\\', '{', ',', '\u0000'),
    )
    .map(([json, at, insert]) => {
      const index = json.length === 0 ? 0 : at % json.length;
      return json.slice(0, index) + insert + (insert === '' ? '' : json.slice(index + 1));
    });
  return fc.oneof(fc.constantFrom(...BROKEN_JSON), damaged);
}

function overLimitBody(bodyLimitBytes: number): fc.Arbitrary<FuzzBody> {
  return fc.constant({
    contentType: 'application/json',
    bytes: Buffer.from(JSON.stringify({ name: 'x'.repeat(bodyLimitBytes) })),
    label: 'over the body limit',
  });
}
