import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { types } from 'node:util';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { getMetadataStorage, ValidationTypes } from 'class-validator';
import type { OpenAPIV3 } from 'openapi-types';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import packageJson from '../package.json';
import { DomainError, type DomainErrorClass } from '../src/platform/errors/domain-error';
import { problemType, STATUS_BY_KIND } from '../src/platform/errors/problem';
import { CSV_COLUMN_NAMES } from '../src/audit/audit-export-format';
import { validatedClasses } from '../src/platform/library-internals/class-validator';
import { killAppProcesses, startAppProcess, testAppEnvironment } from './support/app-process';
import { ProbeModule } from './support/fixtures/probe.module';
import loadOpenApiValidator from './support/load-openapi-validator.cjs';
import {
  type DocumentedOperation,
  effectiveSecurity,
  fetchOpenApiDocument,
  isPublic,
  isReference,
  type OpenApiDocument,
  operationsOf,
  resolve,
  type SchemaObject,
} from './support/openapi-document';
import { CARD, postPayment } from './support/billing';
import { createProduct, uniqueSku } from './support/catalog';
import { adminSession, bearer, createUser, type TestUser } from './support/identity';
import { placeOrder, postOrder } from './support/orders';
import { startTestApp, type TestApp } from './support/test-app';

const PROBLEM_MEDIA_TYPE = 'application/problem+json';
const PROBLEM_SCHEMA_REF = '#/components/schemas/ProblemDetailsDto';
const PROBLEM_MEMBERS = ['type', 'title', 'status', 'detail', 'instance', 'requestId'];

interface Violation {
  operation: string;
  rule: string;
}

const problemRule = (status: string) =>
  status === 'default'
    ? `default response is ${PROBLEM_MEDIA_TYPE} only, with the ProblemDetailsDto schema`
    : `${status} response is ${PROBLEM_MEDIA_TYPE} only, with a schema per problem type of that status`;

/**
 * Violations accepted on purpose, each with a reason a reviewer can check
 * against docs/. An exception that no longer matches a violation fails the
 * suite, so the table never outlives its reasons.
 */
const RULE_EXCEPTIONS: readonly (Violation & { reason: string })[] = [
  {
    operation: 'GET /health/live (Health_live)',
    rule: problemRule('503'),
    reason: "Probes (docs/operations.md) answer with terminus' body, which load balancers and probes read.",
  },
  {
    operation: 'GET /health/startup (Health_startup)',
    rule: problemRule('503'),
    reason: "Kubernetes' startup probe reads terminus' body, as the other health endpoints answer it.",
  },
  {
    operation: 'GET /health/ready (Health_ready)',
    rule: problemRule('503'),
    reason: "docs/operations.md: `GET /health/ready` answers 503 with terminus' body naming the failing checks.",
  },
  {
    operation: 'GET /v1/me (Me_profile)',
    rule: 'declares security, so documents 403',
    reason: '@Authenticated(): every signed-in caller may read its own profile, so no role is ever refused.',
  },
];

const isExcepted = (violation: Violation): boolean =>
  RULE_EXCEPTIONS.some((exception) => exception.operation === violation.operation && exception.rule === violation.rule);

type Rule = (operation: DocumentedOperation, document: OpenApiDocument) => string[];

const isErrorStatus = (status: string): boolean => /^(default|[45](\d\d|XX))$/i.test(status);

const hasSummary: Rule = ({ operation }) => (operation.summary?.trim() ? [] : ['has a summary']);

const hasTag: Rule = ({ operation }) => ((operation.tags ?? []).length > 0 ? [] : ['has at least one tag']);

const hasOperationId: Rule = ({ operation }) => (operation.operationId?.trim() ? [] : ['has an operationId']);

const hasDefaultResponse: Rule = ({ operation }) =>
  operation.responses.default ? [] : ['documents a `default` response'];

const documentsBadInput: Rule = ({ operation, parameters }) => {
  const takesInput = operation.requestBody !== undefined || parameters.some((p) => p.in === 'path' || p.in === 'query');
  return takesInput && !operation.responses['400'] ? ['takes a body or path/query parameters, so documents 400'] : [];
};

const documentsAuthFailures: Rule = ({ operation }, document) => {
  if (isPublic(effectiveSecurity(document, operation))) return [];
  return ['401', '403']
    .filter((status) => !operation.responses[status])
    .map((status) => `declares security, so documents ${status}`);
};

const namesDeclaredSchemes: Rule = ({ operation }, document) => {
  const declared = Object.keys(document.components?.securitySchemes ?? {});
  return effectiveSecurity(document, operation)
    .flatMap((requirement) => Object.keys(requirement))
    .filter((scheme) => !declared.includes(scheme))
    .map((scheme) => `security names the undeclared scheme "${scheme}"`);
};

const errorResponsesAreProblems: Rule = ({ operation }, document) =>
  Object.entries(operation.responses)
    .filter(([status]) => isErrorStatus(status))
    .filter(([status, response]) => !isProblemResponse(document, status, resolve(document, response)))
    .map(([status]) => problemRule(status));

/**
 * `default` may be any problem (the generic ProblemDetailsDto); a status lists
 * the problem types it can be, each a schema of its own (`oneOf` when several)
 * that extends ProblemDetailsDto and pins `type`, and `status` to that status.
 */
function isProblemResponse(document: OpenApiDocument, status: string, response: OpenAPIV3.ResponseObject): boolean {
  const mediaTypes = Object.keys(response.content ?? {});
  const schema = response.content?.[PROBLEM_MEDIA_TYPE]?.schema;
  if (mediaTypes.length !== 1 || schema === undefined) return false;
  if (status === 'default') return isReference(schema) && schema.$ref === PROBLEM_SCHEMA_REF;
  const members = isReference(schema) ? [schema] : (schema.oneOf ?? []);
  return (
    members.length > 0 &&
    members.every((member) => isReference(member) && isProblemTypeSchema(document, member, Number(status)))
  );
}

/** The schema of one problem type: extends ProblemDetailsDto, `type` one URI, `status` among its statuses. */
function isProblemTypeSchema(document: OpenApiDocument, reference: OpenAPIV3.ReferenceObject, status: number): boolean {
  if (reference.$ref === PROBLEM_SCHEMA_REF) return false;
  const schema = resolve<OpenAPIV3.SchemaObject>(document, reference);
  const parts = schema.allOf ?? [];
  const pinned = problemTypeMembers(document, reference);
  return (
    parts.some((part) => isReference(part) && part.$ref === PROBLEM_SCHEMA_REF) &&
    pinned.type?.enum?.length === 1 &&
    (pinned.status?.enum ?? []).includes(status)
  );
}

/** The members a problem type's schema declares beyond ProblemDetailsDto, variants' included. */
function problemTypeMembers(
  document: OpenApiDocument,
  reference: OpenAPIV3.ReferenceObject,
): Record<string, OpenAPIV3.SchemaObject> {
  const members: Record<string, OpenAPIV3.SchemaObject> = {};
  const collect = (schema: OpenAPIV3.SchemaObject | OpenAPIV3.ReferenceObject): void => {
    if (isReference(schema) && schema.$ref === PROBLEM_SCHEMA_REF) return;
    const resolved = resolve<OpenAPIV3.SchemaObject>(document, schema);
    for (const [name, member] of Object.entries(resolved.properties ?? {})) {
      members[name] = resolve<OpenAPIV3.SchemaObject>(document, member);
    }
    for (const part of [...(resolved.allOf ?? []), ...(resolved.oneOf ?? [])]) collect(part);
  };
  collect(reference);
  return members;
}

/** An anonymous `{ type: object }` means the swagger plugin could not see the type a handler returns. */
const namesSuccessSchemas: Rule = ({ operation }, document) =>
  Object.entries(operation.responses)
    .filter(([status]) => /^2\d\d$/.test(status))
    .filter(([, response]) => {
      const schema = resolve(document, response).content?.['application/json']?.schema;
      return schema !== undefined && !isReference(schema) && schema.type === 'object' && !schema.properties;
    })
    .map(([status]) => `documents its ${status} JSON body with a schema`);

/** A parameter typed `$ref: Object` is one whose TypeScript type the plugin could not translate. */
const typesParameters: Rule = ({ parameters }, document) =>
  parameters
    .filter(({ schema }) => {
      const resolved = schema && resolve<OpenAPIV3.SchemaObject>(document, schema);
      return !resolved || (resolved.type === undefined && resolved.enum === undefined) || resolved.type === 'object';
    })
    .map(({ name }) => `gives parameter "${name}" a type`);

const defaultedParametersAreOptional: Rule = ({ parameters }, document) =>
  parameters
    .filter(({ required, schema }) => required && schema && resolve(document, schema).default !== undefined)
    .map(({ name }) => `parameter "${name}" has a default, so is not required`);

const RULES: Rule[] = [
  hasOperationId,
  hasSummary,
  hasTag,
  hasDefaultResponse,
  errorResponsesAreProblems,
  documentsBadInput,
  documentsAuthFailures,
  namesDeclaredSchemes,
  namesSuccessSchemas,
  typesParameters,
  defaultedParametersAreOptional,
];

function houseRuleViolations(document: OpenApiDocument): Violation[] {
  const operations = operationsOf(document);
  const perOperation = operations.flatMap((operation) =>
    RULES.flatMap((rule) => rule(operation, document)).map((rule) => ({ operation: operation.label, rule })),
  );
  return [...perOperation, ...duplicateOperationIds(operations)];
}

function duplicateOperationIds(operations: DocumentedOperation[]): Violation[] {
  const labelsById = new Map<string, string[]>();
  for (const { operation, label } of operations) {
    if (operation.operationId)
      labelsById.set(operation.operationId, [...(labelsById.get(operation.operationId) ?? []), label]);
  }
  return [...labelsById.values()]
    .filter((labels) => labels.length > 1)
    .flatMap((labels) => labels.map((operation) => ({ operation, rule: 'has a unique operationId' })));
}

type Constraints = readonly unknown[];

/**
 * What the document must say of a property for each validator on it, checked
 * on the schema of the property (or of its items, for a validator with
 * `each`). Written apart from the derivation in src/platform/openapi, so a
 * validator the derivation forgets shows here.
 */
const PROMISES: Record<string, (schema: SchemaObject, constraints: Constraints) => boolean> = {
  isInt: (schema) => schema.type === 'integer',
  isUuid: (schema) => schema.format === 'uuid',
  isEmail: (schema) => schema.format === 'email',
  matches: (schema, [pattern]) => schema.pattern === (types.isRegExp(pattern) ? pattern.source : pattern),
  isIn: (schema, [values]) => JSON.stringify(schema.enum) === JSON.stringify(values),
  isISO4217CurrencyCode: (schema) => schema.pattern === '^[A-Z]{3}$',
  isISO31661Alpha2: (schema) => schema.pattern === '^[A-Z]{2}$',
  min: (schema, [minimum]) => schema.minimum !== undefined && schema.minimum >= (minimum as number),
  max: (schema, [maximum]) => schema.maximum !== undefined && schema.maximum <= (maximum as number),
  minLength: (schema, [minimum]) => schema.minLength !== undefined && schema.minLength >= (minimum as number),
  maxLength: (schema, [maximum]) => schema.maxLength !== undefined && schema.maxLength <= (maximum as number),
  isLength: (schema, [minimum, maximum]) =>
    (schema.minLength ?? 0) >= (minimum as number) &&
    (maximum === undefined || (schema.maxLength !== undefined && schema.maxLength <= (maximum as number))),
  arrayMinSize: (schema, [minimum]) => schema.minItems !== undefined && schema.minItems >= (minimum as number),
  arrayMaxSize: (schema, [maximum]) => schema.maxItems !== undefined && schema.maxItems <= (maximum as number),
  arrayUnique: (schema) => schema.uniqueItems === true,
};

/** Every validator of every class documented as a component schema that the document does not state. */
function unstatedValidators(document: OpenApiDocument): string[] {
  const schemas = document.components?.schemas ?? {};
  return validatedClasses().flatMap((type) => {
    const component = schemas[type.name];
    if (!component) return [];
    const properties = resolve<SchemaObject>(document, component).properties ?? {};
    return getMetadataStorage()
      .getTargetValidationMetadatas(type, '', true, false)
      .filter(({ type: kind, name }) => kind === ValidationTypes.CUSTOM_VALIDATION && name && name in PROMISES)
      .flatMap(({ name, propertyName, constraints, each }) => {
        const where = `${type.name}.${propertyName}: @${name}`;
        const property = properties[propertyName];
        if (!property) return [`${where}, but the property is not documented`];
        const resolved = resolve<SchemaObject>(document, property);
        const schema = each && resolved.type === 'array' ? resolve<SchemaObject>(document, resolved.items) : resolved;
        const holds = PROMISES[name as string](schema, (constraints as Constraints | undefined) ?? []);
        return holds ? [] : [`${where}, documented as ${JSON.stringify(schema)}`];
      });
  });
}

/** The fixtures of test/support/fixtures tag their operations `test-...`: they are not the service's. */
const isFixtureTag = (tag: string): boolean => tag.startsWith('test-');

/** The operations the access module's @Public() opens to anybody, credentials neither needed nor read. */
const PUBLIC_OPERATIONS = [
  'POST /v1/auth/register (Auth_register)',
  'POST /v1/auth/login (Auth_login)',
  'POST /v1/auth/refresh (Auth_refresh)',
  'POST /v1/auth/logout (Auth_logout)',
  'POST /v1/billing/webhooks/{provider} (Webhooks_receive)',
  'GET /health/startup (Health_startup)',
  'GET /health/live (Health_live)',
  'GET /health/ready (Health_ready)',
  'GET /metrics (Metrics_scrape)',
];

async function validateOpenApi(document: OpenApiDocument): Promise<{ valid: boolean; errors?: unknown }> {
  const { Validator } = await loadOpenApiValidator();
  // It annotates the document it checks; give it a copy.
  return new Validator().validate(structuredClone(document) as unknown as Record<string, unknown>);
}

/** Every error class in src: the exported subclasses of DomainError, found in the files that declare an `...Error` class. */
function domainErrorClasses(): DomainErrorClass[] {
  const sourceFiles = readdirSync(SOURCE_ROOT, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'))
    .map((file) => join(SOURCE_ROOT, file))
    .filter((file) => /\bclass \w+ extends \w*Error\b/.test(readFileSync(file, 'utf8')));
  const classes = new Set<DomainErrorClass>();
  for (const file of sourceFiles) {
    // Jest's CommonJS registry, where the app's modules are: import() would load second copies of them.
    for (const exported of Object.values(jest.requireActual<Record<string, unknown>>(file))) {
      if (typeof exported === 'function' && exported.prototype instanceof DomainError) {
        classes.add(exported as DomainErrorClass);
      }
    }
  }
  return [...classes];
}

const SOURCE_ROOT = join(__dirname, '..', 'src');

/** The last segment of a problem type URI: `.../insufficient-stock` → `insufficient-stock`. */
const typeSlug = (uri: string): string => uri.slice(uri.lastIndexOf('/') + 1);

/** Each problem type of the document, by its slug, with the members its schema declares. */
function problemTypesOf(document: OpenApiDocument): Map<string, Record<string, OpenAPIV3.SchemaObject>[]> {
  const byType = new Map<string, Record<string, OpenAPIV3.SchemaObject>[]>();
  for (const name of Object.keys(document.components?.schemas ?? {})) {
    const reference = { $ref: `#/components/schemas/${name}` };
    if (reference.$ref === PROBLEM_SCHEMA_REF) continue;
    const members = problemTypeMembers(document, reference);
    const uris = (members.type?.enum ?? []) as string[];
    if (uris.length !== 1 || !members.status) continue;
    byType.set(typeSlug(uris[0]), [...(byType.get(typeSlug(uris[0])) ?? []), members]);
  }
  return byType;
}

/** The problem types (slugs) an operation documents for `status`. */
function documentedProblemTypes(document: OpenApiDocument, operationId: string, status: string): string[] {
  const found = operationsOf(document).find(({ operation }) => operation.operationId === operationId);
  if (!found) throw new Error(`no operation ${operationId}`);
  const response = found.operation.responses[status];
  const schema = response && resolve(document, response).content?.[PROBLEM_MEDIA_TYPE]?.schema;
  if (!schema) return [];
  const members = isReference(schema) ? [schema] : (schema.oneOf ?? []);
  return members
    .filter(isReference)
    .flatMap((member) => ((problemTypeMembers(document, member).type?.enum ?? []) as string[]).map(typeSlug));
}

/** Extension members the API guide promises, by problem type: each must be in that type's schema. */
const EXTENSION_MEMBERS: Record<string, string[]> = {
  'insufficient-stock': ['shortages', 'productId', 'stock'],
  'order-state-conflict': ['currentStatus', 'allowedNext'],
  'precondition-failed': ['currentETag'],
  'payment-declined': ['declineCode'],
  'payment-pending': ['paymentId'],
  'invoice-not-payable': ['currentStatus'],
  'payment-not-refundable': ['currentStatus'],
  'refund-exceeds-captured': ['refundableCents'],
  'category-in-use': ['subcategories', 'products'],
  'mixed-currencies': ['currencies'],
  'validation-failed': ['errors'],
  'weak-password': ['errors'],
  'invalid-cursor': ['errors'],
};

/** Some problems each operation must list, by status: its own, its decorators', and those every operation has. */
const DOCUMENTED_PROBLEMS: readonly [operationId: string, status: string, types: string[]][] = [
  ['Orders_place', '400', ['validation-failed', 'duplicate-order-line', 'product-unavailable', 'malformed-json']],
  ['Orders_place', '400', ['idempotency-key-required']],
  ['Orders_place', '409', ['insufficient-stock', 'idempotent-request-in-flight']],
  ['Orders_place', '413', ['payload-too-large']],
  ['Orders_place', '415', ['unsupported-media-type']],
  ['Orders_place', '422', ['idempotency-key-reused']],
  ['Orders_cancel', '409', ['order-state-conflict', 'payment-pending']],
  ['Orders_list', '400', ['validation-failed', 'invalid-cursor']],
  ['Orders_list', '401', ['authentication-required', 'invalid-credential']],
  ['Orders_list', '403', ['forbidden']],
  ['Orders_list', '429', ['rate-limited']],
  ['Orders_list', '503', ['database-unavailable']],
  ['Products_get', '401', ['invalid-credential']],
  ['Products_get', '404', ['not-found']],
  ['Products_update', '412', ['precondition-failed']],
  ['Products_adjustStock', '409', ['insufficient-stock']],
  ['Payments_pay', '402', ['payment-declined']],
  ['Payments_pay', '409', ['invoice-not-payable', 'payment-pending']],
  ['Payments_refund', '409', ['payment-not-refundable', 'refund-exceeds-captured']],
  ['Categories_remove', '409', ['category-in-use']],
  ['Auth_login', '401', ['invalid-credentials', 'mfa-required', 'invalid-otp']],
  ['MeCredentials_enableMfa', '400', ['invalid-otp']],
  ['AuditEvents_export', '429', ['audit-exports-busy', 'rate-limited']],
];

/** Response headers of the API's own (not those of HTTP plumbing: CORS, security, content negotiation). */
const OWN_HEADERS = [
  'x-request-id',
  'location',
  'etag',
  'cache-control',
  'idempotent-replayed',
  'retry-after',
  'ratelimit',
  'ratelimit-policy',
];

/** Response headers each operation must document, by status (names as sent, any case). */
const DOCUMENTED_HEADERS: readonly [operationId: string, status: string, headers: string[]][] = [
  ['Orders_place', '201', ['X-Request-Id', 'Location', 'Idempotent-Replayed', 'RateLimit', 'RateLimit-Policy']],
  ['Orders_place', '409', ['X-Request-Id', 'Retry-After']],
  ['Orders_list', '429', ['Retry-After', 'RateLimit', 'RateLimit-Policy']],
  ['Orders_list', '503', ['Retry-After']],
  ['Orders_list', 'default', ['X-Request-Id']],
  ['Products_get', '200', ['ETag', 'Cache-Control', 'Vary']],
  ['Products_get', '304', ['ETag', 'Cache-Control', 'Vary']],
  ['Products_update', '200', ['ETag']],
  ['Products_create', '201', ['Location']],
  ['Auth_login', '200', ['Cache-Control', 'RateLimit']],
  ['ApiKeys_create', '201', ['Location', 'Cache-Control']],
];

/** The headers an operation documents for `status`, by lower-case name, resolved. */
function documentedHeaders(
  document: OpenApiDocument,
  operationId: string,
  status: string,
): Map<string, OpenAPIV3.HeaderObject> {
  const found = operationsOf(document).find(({ operation }) => operation.operationId === operationId);
  if (!found) throw new Error(`no operation ${operationId}`);
  const response = found.operation.responses[status];
  const headers = response ? (resolve(document, response).headers ?? {}) : {};
  return new Map(
    Object.entries(headers).map(([name, header]) => [
      name.toLowerCase(),
      resolve<OpenAPIV3.HeaderObject>(document, header),
    ]),
  );
}

describe('house rules', () => {
  const problem = { description: 'x', content: { [PROBLEM_MEDIA_TYPE]: { schema: { $ref: PROBLEM_SCHEMA_REF } } } };

  it('flag an operation for each rule it breaks', () => {
    const document: OpenApiDocument = {
      openapi: '3.0.0',
      info: { title: 'rules', version: '1' },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
        schemas: { Object: { type: 'object', properties: {} } },
      },
      paths: {
        '/things/{id}': {
          get: {
            operationId: 'thing',
            parameters: [
              { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
              { name: 'outcome', in: 'query', schema: { $ref: '#/components/schemas/Object' } },
              { name: 'format', in: 'query', required: true, schema: { type: 'string', default: 'csv' } },
            ],
            security: [{ bearer: [] }],
            responses: {
              '200': { description: 'x', content: { 'application/json': { schema: { type: 'object' } } } },
              '404': { description: 'x', content: { 'application/json': { schema: { type: 'object' } } } },
            },
          },
          delete: {
            operationId: 'thing',
            summary: 'Remove a thing.',
            tags: ['things'],
            security: [{ nope: [] }, {}],
            responses: {
              default: problem,
              '409': { description: 'x', content: { [PROBLEM_MEDIA_TYPE]: { schema: { type: 'object' } } } },
              '412': problem,
            },
          },
        },
      },
    };
    const get = 'GET /things/{id} (thing)';
    const remove = 'DELETE /things/{id} (thing)';
    expect(houseRuleViolations(document)).toEqual([
      { operation: get, rule: 'has a summary' },
      { operation: get, rule: 'has at least one tag' },
      { operation: get, rule: 'documents a `default` response' },
      { operation: get, rule: problemRule('404') },
      { operation: get, rule: 'takes a body or path/query parameters, so documents 400' },
      { operation: get, rule: 'declares security, so documents 401' },
      { operation: get, rule: 'declares security, so documents 403' },
      { operation: get, rule: 'documents its 200 JSON body with a schema' },
      { operation: get, rule: 'gives parameter "outcome" a type' },
      { operation: get, rule: 'parameter "format" has a default, so is not required' },
      { operation: remove, rule: problemRule('409') },
      { operation: remove, rule: problemRule('412') },
      { operation: remove, rule: 'security names the undeclared scheme "nope"' },
      { operation: get, rule: 'has a unique operationId' },
      { operation: remove, rule: 'has a unique operationId' },
    ]);
  });
});

describe('the OpenAPI validator', () => {
  it('refuses a document that breaks the OpenAPI 3 schema', async () => {
    const broken = { openapi: '3.0.0', info: { title: 'broken' }, paths: { 'no-leading-slash': {} } };
    expect(await validateOpenApi(broken as unknown as OpenApiDocument)).toMatchObject({ valid: false });
  });
});

interface ServingApp {
  http: TestAgent;
  close(): Promise<void>;
}

/** What clients read is the document of the built app, compiled by `nest build` with the swagger plugin. */
async function builtApp(): Promise<ServingApp> {
  const { baseUrl } = await startAppProcess(testAppEnvironment());
  return { http: request(baseUrl), close: killAppProcesses };
}

async function appWithTestProbe(): Promise<ServingApp> {
  return startTestApp({}, [ProbeModule]);
}

describe.each<[string, () => Promise<ServingApp>, string[]]>([
  ['the built app, as it serves', builtApp, ['GET /health/live (Health_live)', 'GET /metrics (Metrics_scrape)']],
  [
    'the in-process app with the test probe mounted',
    appWithTestProbe,
    ['POST /v1/test-probes (Probe_create)', 'GET /v1/test-probes/{id} (Probe_findOne)'],
  ],
])('OpenAPI document of %s', (_name, startApp, expectedOperations) => {
  let testApp: ServingApp;
  let document: OpenApiDocument;

  beforeAll(async () => {
    testApp = await startApp();
    document = await fetchOpenApiDocument(testApp.http);
  });
  afterAll(() => testApp.close());

  it('is a valid OpenAPI 3 document', async () => {
    const result = await validateOpenApi(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('lists the operations the rules below are checked against', () => {
    expect(operationsOf(document).map((operation) => operation.label)).toEqual(
      expect.arrayContaining(expectedOperations),
    );
  });

  it('holds every operation to the house rules, but for the listed exceptions', () => {
    expect(houseRuleViolations(document).filter((violation) => !isExcepted(violation))).toEqual([]);
  });

  it('lists no exception that no longer applies', () => {
    const violations = houseRuleViolations(document);
    const stale = RULE_EXCEPTIONS.filter(
      (exception) =>
        !violations.some(({ operation, rule }) => operation === exception.operation && rule === exception.rule),
    );
    expect(stale).toEqual([]);
  });

  it('states what each validator enforces: integers, UUIDs, patterns, enums, bounds', () => {
    expect(unstatedValidators(document)).toEqual([]);
  });

  it('types the ids in paths as UUIDs, and the chain positions to verify as integers', () => {
    const untypedIds = operationsOf(document).flatMap(({ label, parameters }) =>
      parameters
        .filter((parameter) => parameter.in === 'path' && /(^id|Id)$/.test(parameter.name))
        .filter((parameter) => resolve<SchemaObject>(document, parameter.schema ?? {}).format !== 'uuid')
        .map((parameter) => `${label}: ${parameter.name}`),
    );
    expect(untypedIds).toEqual([]);
    const verify = operationsOf(document).find(({ path }) => path === '/v1/audit/verify');
    if (verify) {
      const types = verify.parameters.map(({ name, schema }) => [
        name,
        resolve<SchemaObject>(document, schema ?? {}).type,
      ]);
      expect(types).toEqual([
        ['from', 'integer'],
        ['to', 'integer'],
      ]);
    }
  });

  it('documents the length a new password must have', () => {
    const schemas = document.components?.schemas ?? {};
    for (const [schema, property] of [
      ['RegisterDto', 'password'],
      ['CreateUserDto', 'password'],
      ['ChangePasswordDto', 'newPassword'],
    ]) {
      const properties = resolve<SchemaObject>(document, schemas[schema]).properties ?? {};
      expect(resolve<SchemaObject>(document, properties[property])).toMatchObject({ minLength: 15, maxLength: 256 });
    }
  });

  it('names its servers, its licence and whom to contact', () => {
    expect(document.servers).toEqual([{ url: '/', description: expect.any(String) }]);
    expect(document.info.license).toEqual({ name: packageJson.license });
    expect(document.info.contact).toEqual({ name: expect.any(String), email: expect.stringMatching(/^\S+@\S+$/) });
  });

  it('describes every tag its operations use, in a line, and no tag they do not use', () => {
    const used = new Set(operationsOf(document).flatMap(({ operation }) => operation.tags ?? []));
    const described = (document.tags ?? []).filter(({ description }) => description?.trim());
    expect([...used].filter((tag) => !isFixtureTag(tag) && !described.some(({ name }) => name === tag))).toEqual([]);
    expect((document.tags ?? []).map(({ name }) => name).filter((tag) => !used.has(tag))).toEqual([]);
    for (const { description } of described) expect(description).not.toMatch(/\n/);
  });

  it('tags the probes and metrics `operations`, apart from the business modules', () => {
    const tagsOf = (path: string) =>
      operationsOf(document)
        .filter((operation) => operation.path === path)
        .map(({ operation }) => operation.tags);
    for (const path of ['/health/startup', '/health/live', '/health/ready', '/metrics']) {
      expect(tagsOf(path)).toEqual([['operations']]);
    }
  });

  it('says on every operation who may call it: `security: []` on the public ones', () => {
    const operations = operationsOf(document);
    expect(operations.filter(({ operation }) => operation.security === undefined).map(({ label }) => label)).toEqual(
      [],
    );
    const open = operations.filter(({ operation }) => operation.security?.length === 0).map(({ label }) => label);
    expect(open.filter((label) => !label.includes('/v1/test-'))).toEqual(expect.arrayContaining(PUBLIC_OPERATIONS));
    expect(open.filter((label) => !label.includes('/v1/test-') && !PUBLIC_OPERATIONS.includes(label))).toEqual([]);
  });

  it("documents the audit export's NDJSON and CSV bodies, line by line", () => {
    const exported = operationsOf(document).find(({ path }) => path === '/v1/audit-events/export');
    const content = resolve(document, exported?.operation.responses['200'] ?? { description: '' }).content ?? {};
    expect(Object.keys(content).sort()).toEqual(['application/x-ndjson', 'text/csv']);
    const line = resolve<SchemaObject>(document, content['application/x-ndjson'].schema ?? {});
    expect(line.oneOf).toEqual([
      { $ref: '#/components/schemas/AuditEventDto' },
      { $ref: '#/components/schemas/AuditExportCheckpointLineDto' },
    ]);
    const checkpointLine = resolve<SchemaObject>(document, {
      $ref: '#/components/schemas/AuditExportCheckpointLineDto',
    });
    expect(checkpointLine).toMatchObject({
      required: ['checkpoint'],
      properties: { checkpoint: { $ref: '#/components/schemas/CheckpointDto' } },
    });
    const csv = resolve<SchemaObject>(document, content['text/csv'].schema ?? {});
    expect(csv.type).toBe('string');
    for (const column of CSV_COLUMN_NAMES) expect(csv.description).toContain(`\`${column}\``);
  });

  it('is titled and versioned as package.json', () => {
    expect(document.info).toMatchObject({ title: packageJson.name, version: packageJson.version });
  });

  it('declares the bearer (JWT) and API-key security schemes', () => {
    expect(document.components?.securitySchemes).toMatchObject({
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      'api-key': { type: 'apiKey', in: 'header', name: 'X-API-Key' },
    });
  });

  it('describes the problem body with every member a client relies on', () => {
    const problem = resolve<OpenAPIV3.SchemaObject>(document, { $ref: PROBLEM_SCHEMA_REF });
    expect(Object.keys(problem.properties ?? {})).toEqual(expect.arrayContaining(PROBLEM_MEMBERS));
    expect(problem.required ?? []).toEqual(expect.arrayContaining(PROBLEM_MEMBERS));
  });

  it('describes every problem type an error class declares, once, with its status and extension members', () => {
    const problemTypes = problemTypesOf(document);
    const classes = domainErrorClasses();
    expect(classes.length).toBeGreaterThan(50);
    const missing = classes.flatMap((errorClass) => {
      const { code, kind, extensions = {} } = errorClass.problem;
      const schemas = problemTypes.get(typeSlug(problemType(code))) ?? [];
      const members = schemas[0] ?? {};
      const status = STATUS_BY_KIND[kind];
      return [
        ...(schemas.length === 1 ? [] : [`${errorClass.name}: ${schemas.length} schemas of type ${code}`]),
        ...((members.status?.enum ?? []).includes(status) ? [] : [`${errorClass.name}: status ${status}`]),
        ...Object.keys(extensions)
          .filter((name) => !members[name])
          .map((name) => `${errorClass.name}: member ${name}`),
      ];
    });
    expect(missing).toEqual([]);
  });

  it.each(Object.entries(EXTENSION_MEMBERS))('gives problem type %s its extension members %j', (type, names) => {
    const members = problemTypesOf(document).get(type)?.[0] ?? {};
    expect(Object.keys(members)).toEqual(expect.arrayContaining(names));
  });

  it.each(DOCUMENTED_PROBLEMS)('lists for %s, under %s, the problem types %j', (operationId, status, types) => {
    expect(documentedProblemTypes(document, operationId, status)).toEqual(expect.arrayContaining(types));
  });

  it('defines each response header once, under components.headers, and every answer refers to it there', () => {
    const definitions = Object.keys(document.components?.headers ?? {});
    expect(definitions.length).toBeGreaterThan(5);
    const violations = operationsOf(document).flatMap(({ operation, label }) =>
      Object.entries(operation.responses).flatMap(([status, response]) => {
        const headers = resolve(document, response).headers ?? {};
        const inline = Object.entries(headers)
          .filter(([, header]) => !isReference(header))
          .map(([name]) => `${label} ${status}: ${name} defined inline`);
        return headers['X-Request-Id'] ? inline : [...inline, `${label} ${status}: no X-Request-Id`];
      }),
    );
    expect(violations).toEqual([]);
  });

  it.each(DOCUMENTED_HEADERS)('documents for %s, answering %s, the headers %j', (operationId, status, headers) => {
    expect([...documentedHeaders(document, operationId, status).keys()]).toEqual(
      expect.arrayContaining(headers.map((header) => header.toLowerCase())),
    );
  });

  it('documents neither 429 nor rate-limit fields where no rate limit applies', () => {
    const responses = Object.entries(
      operationsOf(document).find(({ operation }) => operation.operationId === 'Health_live')?.operation.responses ??
        {},
    );
    expect(responses.length).toBeGreaterThan(0);
    expect(responses.map(([status]) => status)).not.toContain('429');
    for (const [status] of responses) {
      expect([...documentedHeaders(document, 'Health_live', status).keys()]).not.toContain('ratelimit');
    }
  });

  it('serves the interactive docs as HTML', async () => {
    const response = await testApp.http.get('/docs').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.text).toMatch(/<html/i);
  });
});

/**
 * Problems answered over HTTP, each checked against the schema its operation
 * documents for its status: the body validates, and its `type` is one the
 * operation lists there.
 */
describe('problems as the service answers them', () => {
  let testApp: TestApp;
  let document: OpenApiDocument;
  let admin: TestUser;
  let buyer: TestUser;
  let ajv: Ajv;

  beforeAll(async () => {
    testApp = await startTestApp();
    document = await fetchOpenApiDocument(testApp.http);
    admin = await adminSession(testApp);
    buyer = await createUser(testApp, { roles: ['buyer'] });
    ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
  });
  afterAll(() => testApp.close());

  function expectDocumented(operationId: string, response: { status: number; body: unknown }): void {
    const status = String(response.status);
    const found = operationsOf(document).find(({ operation }) => operation.operationId === operationId);
    const documented = found?.operation.responses[status];
    const schema = documented && resolve(document, documented).content?.[PROBLEM_MEDIA_TYPE]?.schema;
    expect({ operationId, status, documented: schema !== undefined }).toEqual({
      operationId,
      status,
      documented: true,
    });
    const validate = ajv.compile({ ...schema, components: document.components });
    expect({ body: response.body, errors: validate(response.body) ? [] : validate.errors }).toEqual({
      body: response.body,
      errors: [],
    });
    const { type } = response.body as { type: string };
    expect(documentedProblemTypes(document, operationId, status)).toContain(typeSlug(type));
  }

  it('a stock adjustment below zero: 409 insufficient-stock with the stock on hand', async () => {
    const product = await createProduct(testApp, admin, { stock: 1 });
    const response = await testApp.http
      .post(`/v1/products/${product.id}/stock-adjustments`)
      .set(bearer(admin))
      .send({ delta: -5, reason: 'damaged' });
    expect(response.status).toBe(409);
    expectDocumented('Products_adjustStock', response);
  });

  it('an order for more than is in stock: 409 insufficient-stock with the shortages', async () => {
    const product = await createProduct(testApp, admin, { stock: 1 });
    const response = await postOrder(testApp, buyer, [{ productId: product.id, quantity: 3 }]);
    expect(response.status).toBe(409);
    expectDocumented('Orders_place', response);
  });

  it('a transition the order life does not allow: 409 order-state-conflict with the current status', async () => {
    const product = await createProduct(testApp, admin, { stock: 5 });
    const order = await placeOrder(testApp, buyer, [{ productId: product.id, quantity: 1 }]);
    await testApp.http.post(`/v1/orders/${order.id}/cancel`).set(bearer(buyer)).expect(200);
    const response = await testApp.http.post(`/v1/orders/${order.id}/cancel`).set(bearer(buyer));
    expect(response.status).toBe(409);
    expectDocumented('Orders_cancel', response);
  });

  it('a declined card: 402 payment-declined with the decline code', async () => {
    const product = await createProduct(testApp, admin, { stock: 5 });
    const order = await placeOrder(testApp, buyer, [{ productId: product.id, quantity: 1 }]);
    const response = await postPayment(testApp, buyer, order.invoiceId, CARD.declined);
    expect(response.status).toBe(402);
    expectDocumented('Payments_pay', response);
  });

  it('an edit of a changed resource: 412 precondition-failed with the current ETag', async () => {
    const product = await createProduct(testApp, admin);
    const response = await testApp.http
      .patch(`/v1/products/${product.id}`)
      .set(bearer(admin))
      .set('If-Match', '"999"')
      .send({ name: 'Renamed' });
    expect(response.status).toBe(412);
    expectDocumented('Products_update', response);
  });

  it('a body that fails validation: 400 validation-failed with errors[]', async () => {
    const response = await testApp.http.post('/v1/products').set(bearer(admin)).send({ sku: '', priceCents: -1 });
    expect(response.status).toBe(400);
    expectDocumented('Products_create', response);
  });

  it('an order nobody placed: 404 not-found', async () => {
    const response = await testApp.http.get(`/v1/orders/${randomUUID()}`).set(bearer(buyer));
    expect(response.status).toBe(404);
    expectDocumented('Orders_get', response);
  });

  it('no credential on a secured operation: 401 authentication-required', async () => {
    const response = await testApp.http.get('/v1/orders');
    expect(response.status).toBe(401);
    expectDocumented('Orders_list', response);
  });

  /** Headers of the API's own the service sent, each documented for that answer, with a value its schema admits. */
  function expectHeadersDocumented(operationId: string, response: { status: number; headers: Record<string, string> }) {
    const documented = documentedHeaders(document, operationId, String(response.status));
    const sent = OWN_HEADERS.filter((name) => response.headers[name] !== undefined);
    expect(sent).toContain('x-request-id');
    const violations = sent.flatMap((name) => {
      const schema = documented.get(name)?.schema;
      if (!schema) return [`${name} not documented for ${operationId} ${response.status}`];
      const resolved = resolve<OpenAPIV3.SchemaObject>(document, schema);
      const value = resolved.type === 'integer' ? Number(response.headers[name]) : response.headers[name];
      return ajv.validate(resolved, value) ? [] : [`${name}: ${response.headers[name]} does not fit its schema`];
    });
    expect(violations).toEqual([]);
  }

  it('a creation, a read, a replay and a login send only headers their answers document', async () => {
    const created = await testApp.http
      .post('/v1/products')
      .set(bearer(admin))
      .send({ sku: uniqueSku(), name: 'Header check', priceCents: 100, currency: 'EUR', taxRateBps: 0, stock: 5 });
    expect(created.status).toBe(201);
    expectHeadersDocumented('Products_create', created);

    const read = await testApp.http.get(`/v1/products/${(created.body as { id: string }).id}`).set(bearer(admin));
    expect(read.status).toBe(200);
    expectHeadersDocumented('Products_get', read);
    const notModified = await testApp.http
      .get(`/v1/products/${(created.body as { id: string }).id}`)
      .set(bearer(admin))
      .set('If-None-Match', read.headers.etag);
    expect(notModified.status).toBe(304);
    expectHeadersDocumented('Products_get', notModified);

    const key = randomUUID();
    const items = [{ productId: (created.body as { id: string }).id, quantity: 1 }];
    expect((await postOrder(testApp, buyer, items, { key })).status).toBe(201);
    const replay = await postOrder(testApp, buyer, items, { key });
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expectHeadersDocumented('Orders_place', replay);

    const login = await testApp.http.post('/v1/auth/login').send({ email: buyer.email, password: buyer.password });
    expect(login.status).toBe(200);
    expectHeadersDocumented('Auth_login', login);
  });

  it('a body that is not JSON: 415 unsupported-media-type', async () => {
    const response = await testApp.http
      .post('/v1/products')
      .set(bearer(admin))
      .set('Content-Type', 'application/xml')
      .send('<product/>');
    expect(response.status).toBe(415);
    expectDocumented('Products_create', response);
  });
});
