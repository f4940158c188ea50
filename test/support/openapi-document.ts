import { randomUUID } from 'node:crypto';
import type { OpenAPIV3 } from 'openapi-types';
import type TestAgent from 'supertest/lib/agent';

export type OpenApiDocument = OpenAPIV3.Document;
export type SchemaObject = OpenAPIV3.SchemaObject;
export type SchemaOrReference = OpenAPIV3.SchemaObject | OpenAPIV3.ReferenceObject;

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** One operation of the served document, with what the rules and the fuzzer need about it. */
export interface DocumentedOperation {
  method: HttpMethod;
  /** The path template as documented, e.g. `/v1/test-probes/{id}`. */
  path: string;
  operation: OpenAPIV3.OperationObject;
  /** Path-level and operation-level parameters, resolved; the operation's win. */
  parameters: OpenAPIV3.ParameterObject[];
  /** `GET /v1/test-probes/{id} (Probe_findOne)`: how failure messages name it. */
  label: string;
}

/** `/v1/products/{id}` → `/v1/products/<a random UUID>`: a request path for a documented path template. */
export function concretePath(template: string): string {
  return template.replace(/\{[^}]+\}/g, () => randomUUID());
}

export async function fetchOpenApiDocument(http: TestAgent): Promise<OpenApiDocument> {
  const response = await http.get('/docs-json').expect(200);
  return response.body as OpenApiDocument;
}

export function isReference(value: object): value is OpenAPIV3.ReferenceObject {
  return '$ref' in value;
}

/** Follows local `#/components/...` references until a non-reference object. */
export function resolve<T extends object>(document: OpenApiDocument, value: T | OpenAPIV3.ReferenceObject): T {
  let current: object = value;
  const seen = new Set<string>();
  while (isReference(current)) {
    const ref = current.$ref;
    if (seen.has(ref)) throw new Error(`Circular $ref ${ref}`);
    seen.add(ref);
    current = lookup(document, ref);
  }
  return current as T;
}

function lookup(document: OpenApiDocument, ref: string): object {
  if (!ref.startsWith('#/')) throw new Error(`Only local references are supported, got ${ref}`);
  let node: unknown = document;
  for (const segment of ref.slice(2).split('/')) {
    const key = segment.replace(/~1/g, '/').replace(/~0/g, '~');
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  }
  if (typeof node !== 'object' || node === null) throw new Error(`Unresolvable $ref ${ref}`);
  return node;
}

export function operationsOf(document: OpenApiDocument): DocumentedOperation[] {
  return Object.entries(document.paths).flatMap(([path, pathItem]) =>
    pathItem ? HTTP_METHODS.flatMap((method) => describeOperation(document, path, pathItem, method)) : [],
  );
}

function describeOperation(
  document: OpenApiDocument,
  path: string,
  pathItem: OpenAPIV3.PathItemObject,
  method: HttpMethod,
): DocumentedOperation[] {
  const operation = pathItem[method];
  if (!operation) return [];
  const byKey = new Map<string, OpenAPIV3.ParameterObject>();
  for (const parameter of [...(pathItem.parameters ?? []), ...(operation.parameters ?? [])]) {
    const resolved = resolve(document, parameter);
    byKey.set(`${resolved.in}:${resolved.name}`, resolved);
  }
  const label = `${method.toUpperCase()} ${path} (${operation.operationId ?? 'no operationId'})`;
  return [{ method, path, operation, parameters: [...byKey.values()], label }];
}

/** The JSON schema of an operation's request body, resolved, or undefined when it takes none. */
export function requestBodySchema(
  document: OpenApiDocument,
  operation: OpenAPIV3.OperationObject,
): SchemaObject | undefined {
  if (!operation.requestBody) return undefined;
  const body = resolve(document, operation.requestBody);
  const media =
    Object.entries(body.content).find(([type]) => /json/i.test(type))?.[1] ?? Object.values(body.content)[0];
  return media?.schema ? resolve(document, media.schema) : {};
}

/** Security requirements in force for an operation: its own, else the document's. */
export function effectiveSecurity(
  document: OpenApiDocument,
  operation: OpenAPIV3.OperationObject,
): OpenAPIV3.SecurityRequirementObject[] {
  return operation.security ?? document.security ?? [];
}

/** An operation is public when no requirement applies, or one of them is the empty (anonymous) one. */
export function isPublic(security: OpenAPIV3.SecurityRequirementObject[]): boolean {
  return security.length === 0 || security.some((requirement) => Object.keys(requirement).length === 0);
}
