import Ajv, { type ErrorObject, type Format, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import FindMyWay from 'find-my-way';
import type { OpenAPIV3 } from 'openapi-types';
import { componentsSchema, toJsonSchema } from './openapi-json-schema';
import {
  type DocumentedOperation,
  HTTP_METHODS,
  type OpenApiDocument,
  operationsOf,
  resolve,
} from './openapi-document';

const PROBLEM_MEDIA_TYPE = 'application/problem+json';
/** Every problem body extends it (see test/openapi.e2e-spec.ts). */
const PROBLEM_SCHEMA_REF = '#/components/schemas/ProblemDetailsDto';

/** What the contract reads of a response: supertest's, or any client's alike. */
export interface ReceivedResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The raw body when the client buffered it as text (JSON and text/*). */
  text?: string;
  /** The parsed body otherwise. */
  body?: unknown;
}

/**
 * Requests that no documented operation answers, on purpose, and why. Anything
 * else that matches no operation fails: a test reaching an undocumented route
 * is a hole in the document or a typo in the test.
 */
const UNDOCUMENTED: readonly { method?: string; path: RegExp; reason: string }[] = [
  { path: /^\/docs(-json|\/.*)?$/, reason: 'the document itself and its interactive UI' },
  { method: 'OPTIONS', path: /^\//, reason: 'CORS preflights, which the CORS layer answers for every path' },
];

/** OpenAPI 3.0's formats beyond JSON Schema's. */
const OPENAPI_FORMATS: Record<string, Format> = {
  int32: { type: 'number', validate: (value: number) => value >= -(2 ** 31) && value < 2 ** 31 },
  int64: { type: 'number', validate: (value: number) => Number.isSafeInteger(value) },
  float: { type: 'number', validate: () => true },
  double: { type: 'number', validate: () => true },
  byte: /^[A-Za-z0-9+/]*={0,2}$/,
  binary: () => true,
  password: () => true,
};

interface MediaType {
  essence: string;
  parameters: Map<string, string>;
}

/**
 * The served OpenAPI document as a check of responses: the documented
 * operation of a request, its documented status (or `default`), media type,
 * body schema and required headers. Built once per document; each response
 * schema compiled the first time a response needs it.
 */
export class ResponseContract {
  private static readonly byDocument = new Map<string, ResponseContract>();

  private readonly router = FindMyWay<FindMyWay.HTTPVersion.V1>();
  private readonly ajv: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();

  private constructor(private readonly document: OpenApiDocument) {
    this.ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats(this.ajv);
    for (const [name, format] of Object.entries(OPENAPI_FORMATS)) this.ajv.addFormat(name, format);
    this.ajv.addSchema(componentsSchema(document));
    for (const operation of operationsOf(document)) {
      const path = operation.path.replace(/\{([^}]+)\}/g, ':$1');
      this.router.on(operation.method.toUpperCase() as FindMyWay.HTTPMethod, path, () => undefined, operation);
    }
  }

  static of(document: OpenApiDocument): ResponseContract {
    const key = JSON.stringify(document);
    let contract = ResponseContract.byDocument.get(key);
    if (!contract) {
      contract = new ResponseContract(document);
      ResponseContract.byDocument.set(key, contract);
    }
    return contract;
  }

  /** Throws an error naming the operation, the status and every mismatch, when the response breaks the document. */
  check(method: string, url: string, response: ReceivedResponse): void {
    const path = pathOf(url);
    if (UNDOCUMENTED.some((entry) => (entry.method ?? method) === method && entry.path.test(path))) return;
    const operation = this.operationFor(method, path);
    if (!operation) return this.checkRouterAnswer(method, path, response);
    const mismatches = this.mismatches(operation, method === 'HEAD', response);
    if (mismatches.length > 0) throw contractError(operation.label, response, mismatches);
  }

  /**
   * A request no operation matches is the router's or the transport's to
   * refuse, as a 4xx problem: 404 only when no operation has the path, 405
   * only when some do, with an `Allow` naming each documented method. Any
   * other answer is an undocumented route.
   */
  private checkRouterAnswer(method: string, path: string, response: ReceivedResponse): void {
    const documentedMethods = HTTP_METHODS.map((each) => each.toUpperCase()).filter((each) =>
      this.operationFor(each, path),
    );
    const shown = path.length > 200 ? `${path.slice(0, 200)}...` : path;
    const label = `${method} ${shown} (no documented operation)`;
    const { status } = response;
    const allow = String(response.headers.allow ?? '').split(/\s*,\s*/);
    const refusal = status >= 400 && status < 500 && status !== (documentedMethods.length === 0 ? 405 : 404);
    if (!refusal)
      throw contractError(label, response, [`the document has no such operation (Allow: ${allow.join(', ')})`]);
    const mismatches = [
      ...(method === 'HEAD' ? [] : this.problemMismatches(response)),
      ...(status === 405 ? documentedMethods.filter((each) => !allow.includes(each)) : []).map(
        (each) => `Allow does not name ${each}`,
      ),
    ];
    if (mismatches.length > 0) throw contractError(label, response, mismatches);
  }

  private problemMismatches(response: ReceivedResponse): string[] {
    const contentType = response.headers['content-type'];
    const actual = typeof contentType === 'string' ? parseMediaType(contentType) : undefined;
    if (actual?.essence !== PROBLEM_MEDIA_TYPE)
      return [`Content-Type ${String(contentType)} is not ${PROBLEM_MEDIA_TYPE}`];
    const body = bodyOf(actual, response);
    if (body.kind !== 'value') return [`the body is not the ${PROBLEM_MEDIA_TYPE} it says it is`];
    const validate = this.validator('router problem', { $ref: PROBLEM_SCHEMA_REF });
    return validate(body.value) ? [] : describeErrors('body', validate.errors);
  }

  /** HEAD is GET without content (RFC 9110), answered by GET's route. */
  private operationFor(method: string, path: string): DocumentedOperation | undefined {
    const found = this.router.find((method === 'HEAD' ? 'GET' : method) as FindMyWay.HTTPMethod, path);
    return (found?.store as DocumentedOperation | undefined) ?? undefined;
  }

  private mismatches(operation: DocumentedOperation, head: boolean, response: ReceivedResponse): string[] {
    const responses = operation.operation.responses;
    const status = String(response.status);
    const documented = responses[status] ?? responses[`${status[0]}XX`] ?? responses.default;
    if (!documented) return [`status ${status} is not documented (documented: ${Object.keys(responses).join(', ')})`];
    const spec = resolve(this.document, documented);
    return [
      ...this.headerMismatches(spec, response),
      ...(head ? [] : this.contentMismatches(operation, spec, response)),
    ];
  }

  private headerMismatches(spec: OpenAPIV3.ResponseObject, response: ReceivedResponse): string[] {
    return Object.entries(spec.headers ?? {}).flatMap(([name, header]) => {
      const { required, schema } = resolve(this.document, header);
      const value = response.headers[name.toLowerCase()];
      if (value === undefined) return required ? [`required header ${name} is missing`] : [];
      if (!schema) return [];
      const validate = this.validator(`header:${JSON.stringify(schema)}`, schema);
      const values = Array.isArray(value) ? value : [value];
      return values.flatMap((each) =>
        validate(headerValue(each, resolve(this.document, schema)))
          ? []
          : describeErrors(`header ${name}`, validate.errors),
      );
    });
  }

  private contentMismatches(
    operation: DocumentedOperation,
    spec: OpenAPIV3.ResponseObject,
    response: ReceivedResponse,
  ): string[] {
    const contentType = response.headers['content-type'];
    const content = spec.content ?? {};
    if (Object.keys(content).length === 0) {
      const hasBody = contentType !== undefined || (response.text ?? '') !== '';
      return hasBody ? [`a body (${String(contentType)}) where the document says there is none`] : [];
    }
    if (typeof contentType !== 'string') return [`no Content-Type; documented: ${Object.keys(content).join(', ')}`];
    const actual = parseMediaType(contentType);
    const entry = Object.entries(content).find(([documented]) => mediaTypeMatches(parseMediaType(documented), actual));
    if (!entry)
      return [`Content-Type ${contentType} is not documented (documented: ${Object.keys(content).join(', ')})`];
    const [documentedType, media] = entry;
    if (!media.schema) return [];
    const body = bodyOf(actual, response);
    if (body.kind === 'unreadable') return [];
    if (body.kind === 'malformed') return [`the body is not the ${actual.essence} it says it is`];
    const key = `${operation.label} ${response.status} ${documentedType}`;
    const validate = this.validator(key, media.schema);
    if (body.kind === 'lines') {
      return body.lines.flatMap((line, index) =>
        validate(line) ? [] : describeErrors(`line ${index + 1}`, validate.errors),
      );
    }
    return validate(body.value) ? [] : describeErrors('body', validate.errors);
  }

  private validator(key: string, schema: OpenAPIV3.SchemaObject | OpenAPIV3.ReferenceObject): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(toJsonSchema(schema));
      this.validators.set(key, validate);
    }
    return validate;
  }
}

function parseMediaType(value: string): MediaType {
  const [essence, ...parameters] = value.split(';').map((part) => part.trim());
  return {
    essence: essence.toLowerCase(),
    parameters: new Map(
      parameters.map((parameter) => {
        const [name, ...rest] = parameter.split('=');
        return [name.trim().toLowerCase(), rest.join('=').trim().replace(/^"|"$/g, '').toLowerCase()];
      }),
    ),
  };
}

/** `*\/*` and `text/*` ranges as documented; a parameter the document names must be sent with that value. */
function mediaTypeMatches(documented: MediaType, actual: MediaType): boolean {
  const [type, subtype] = documented.essence.split('/');
  const [actualType, actualSubtype] = actual.essence.split('/');
  const essenceMatches = (type === '*' || type === actualType) && (subtype === '*' || subtype === actualSubtype);
  return essenceMatches && [...documented.parameters].every(([name, value]) => actual.parameters.get(name) === value);
}

const isJson = (mediaType: MediaType): boolean => /^application\/([\w.-]+\+)?json$/.test(mediaType.essence);

/** JSON lines: the document gives the schema of one line, as for the audit export. */
const isJsonLines = (mediaType: MediaType): boolean =>
  ['application/x-ndjson', 'application/jsonl', 'application/x-jsonlines'].includes(mediaType.essence);

type Body =
  | { kind: 'value'; value: unknown }
  | { kind: 'lines'; lines: unknown[] }
  | { kind: 'malformed' }
  | { kind: 'unreadable' };

function bodyOf(mediaType: MediaType, response: ReceivedResponse): Body {
  const text = textOf(response);
  if (isJsonLines(mediaType) && text !== undefined) {
    try {
      return {
        kind: 'lines',
        lines: text
          .split('\n')
          .filter((line) => line !== '')
          .map((line): unknown => JSON.parse(line)),
      };
    } catch {
      return { kind: 'malformed' };
    }
  }
  if (isJson(mediaType)) {
    if (text === undefined) return { kind: 'value', value: response.body };
    try {
      return { kind: 'value', value: JSON.parse(text) };
    } catch {
      return { kind: 'malformed' };
    }
  }
  return text === undefined ? { kind: 'unreadable' } : { kind: 'value', value: text };
}

/** The body as received: the client's text, or the bytes a test asked for raw (`.buffer().parse(...)`). */
function textOf(response: ReceivedResponse): string | undefined {
  if (typeof response.text === 'string') return response.text;
  return Buffer.isBuffer(response.body) ? response.body.toString('utf8') : undefined;
}

/** Header values are text; a header documented as a number or boolean is checked as one. */
function headerValue(value: string, schema: OpenAPIV3.SchemaObject): unknown {
  if ((schema.type === 'integer' || schema.type === 'number') && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (schema.type === 'boolean' && /^(true|false)$/.test(value)) return value === 'true';
  return value;
}

function describeErrors(what: string, errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map(
    (error) => `${what}${error.instancePath || ''}: ${error.message ?? error.keyword} ${JSON.stringify(error.params)}`,
  );
}

/** The path as sent: no `new URL()`, which would resolve the `..` and `%2e%2e` segments a test sends on purpose. */
function pathOf(url: string): string {
  return url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').replace(/[?#].*$/s, '') || '/';
}

function contractError(label: string, response: ReceivedResponse, mismatches: string[]): Error {
  return new Error(
    `${label} answered ${response.status} against the document:\n` +
      mismatches.map((mismatch) => `  - ${mismatch}`).join('\n') +
      `\nbody: ${bodyPreview(response)}`,
  );
}

function bodyPreview(response: ReceivedResponse): string {
  const text = textOf(response) ?? JSON.stringify(response.body);
  return text === undefined ? '(none)' : text.length > 500 ? `${text.slice(0, 500)}...` : text;
}
