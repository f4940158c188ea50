import type { OpenAPIV3 } from 'openapi-types';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import packageJson from '../package.json';
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
} from './support/openapi-document';
import { startTestApp } from './support/test-app';

const PROBLEM_MEDIA_TYPE = 'application/problem+json';
const PROBLEM_SCHEMA_REF = '#/components/schemas/ProblemDetailsDto';
const PROBLEM_MEMBERS = ['type', 'title', 'status', 'detail', 'instance', 'requestId'];

interface Violation {
  operation: string;
  rule: string;
}

const problemRule = (status: string) =>
  `${status} response is ${PROBLEM_MEDIA_TYPE} only, with the ProblemDetailsDto schema`;

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
    .filter(([, response]) => !isProblemResponse(resolve(document, response)))
    .map(([status]) => problemRule(status));

function isProblemResponse(response: OpenAPIV3.ResponseObject): boolean {
  const mediaTypes = Object.keys(response.content ?? {});
  const schema = response.content?.[PROBLEM_MEDIA_TYPE]?.schema;
  return mediaTypes.length === 1 && schema !== undefined && refersToProblem(schema);
}

/** A problem schema is the DTO itself, or an extension of it (`allOf: [ProblemDetailsDto, {...}]`). */
function refersToProblem(schema: OpenAPIV3.SchemaObject | OpenAPIV3.ReferenceObject): boolean {
  if (isReference(schema)) return schema.$ref === PROBLEM_SCHEMA_REF;
  return (schema.allOf ?? []).some((part) => isReference(part) && part.$ref === PROBLEM_SCHEMA_REF);
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

async function validateOpenApi(document: OpenApiDocument): Promise<{ valid: boolean; errors?: unknown }> {
  const { Validator } = await loadOpenApiValidator();
  // It annotates the document it checks; give it a copy.
  return new Validator().validate(structuredClone(document) as unknown as Record<string, unknown>);
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
      { operation: get, rule: '404 response is application/problem+json only, with the ProblemDetailsDto schema' },
      { operation: get, rule: 'takes a body or path/query parameters, so documents 400' },
      { operation: get, rule: 'declares security, so documents 401' },
      { operation: get, rule: 'declares security, so documents 403' },
      { operation: get, rule: 'documents its 200 JSON body with a schema' },
      { operation: get, rule: 'gives parameter "outcome" a type' },
      { operation: get, rule: 'parameter "format" has a default, so is not required' },
      { operation: remove, rule: '409 response is application/problem+json only, with the ProblemDetailsDto schema' },
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

  it('serves the interactive docs as HTML', async () => {
    const response = await testApp.http.get('/docs').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.text).toMatch(/<html/i);
  });
});
