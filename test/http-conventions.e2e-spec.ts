import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { adminSession, bearer, type TestUser } from './support/identity';
import { fetchOpenApiDocument, type OpenApiDocument, operationsOf } from './support/openapi-document';
import { startTestApp, type TestApp } from './support/test-app';

const PROBLEM_JSON = /^application\/problem\+json/;
const PROBLEM_TYPE = 'https://problems.b2b-commerce.example/';

/** `GET /v1/products/{id}` → `GET /v1/products/<a random UUID>`: a concrete request for a documented operation. */
const concrete = (path: string): string => path.replace(/\{[^}]+\}/g, () => randomUUID());

/** The methods an `Allow` header lists, as a sorted array. */
const allowed = (response: Response): string[] =>
  String(response.headers.allow ?? '')
    .split(',')
    .map((method) => method.trim())
    .filter(Boolean)
    .sort();

describe('HTTP conventions', () => {
  let testApp: TestApp;
  let document: OpenApiDocument;
  let admin: TestUser;

  beforeAll(async () => {
    testApp = await startTestApp({ RATE_LIMIT_MAX: '100000' });
    document = await fetchOpenApiDocument(testApp.http);
    admin = await adminSession(testApp);
  });
  afterAll(() => testApp.close());

  describe('405 Method Not Allowed', () => {
    const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

    it('answers every method a documented path does not support with 405 and the Allow of the methods it does', async () => {
      const byPath = new Map<string, Set<string>>();
      for (const { method, path } of operationsOf(document)) {
        byPath.set(path, (byPath.get(path) ?? new Set()).add(method));
      }
      let checked = 0;
      for (const [path, methods] of byPath) {
        const expected = [...methods, ...(methods.has('get') ? ['head'] : [])].map((m) => m.toUpperCase()).sort();
        for (const method of METHODS.filter((m) => !methods.has(m))) {
          const response = await testApp.http[method](concrete(path)).set(bearer(admin));
          const label = `${method.toUpperCase()} ${path}`;
          expect({ label, status: response.status }).toEqual({ label, status: 405 });
          expect({ label, allow: allowed(response) }).toEqual({ label, allow: expected });
          checked += 1;
        }
      }
      expect(checked).toBeGreaterThan(50);
    });

    it('answers 405 as problem+json, before authentication, for paths with and without parameters', async () => {
      const cases: [string, 'put' | 'post' | 'delete' | 'patch', string[]][] = [
        [`/v1/products/${randomUUID()}`, 'put', ['DELETE', 'GET', 'HEAD', 'PATCH']],
        [`/v1/products/${randomUUID()}`, 'post', ['DELETE', 'GET', 'HEAD', 'PATCH']],
        ['/v1/orders', 'delete', ['GET', 'HEAD', 'POST']],
        [`/v1/api-keys/${randomUUID()}`, 'patch', ['DELETE']],
        // A static segment wins over a parameter (`/v1/audit-events/{id}`), as in routing.
        ['/v1/audit-events/export', 'post', ['GET', 'HEAD']],
        ['/health/live', 'post', ['GET', 'HEAD']],
        // Not a UUID: the path still names a resource, so its methods are still known.
        ['/v1/products/not-a-uuid', 'put', ['DELETE', 'GET', 'HEAD', 'PATCH']],
      ];
      for (const [path, method, allow] of cases) {
        const response = await testApp.http[method](path);
        expect({ method, path, status: response.status, allow: allowed(response) }).toEqual({
          method,
          path,
          status: 405,
          allow,
        });
        expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
        expect(response.body).toEqual({
          type: `${PROBLEM_TYPE}method-not-allowed`,
          title: 'Method Not Allowed',
          status: 405,
          detail: `${method.toUpperCase()} is not supported on ${path}; use ${allow.join(', ')}.`,
          instance: path,
          requestId: response.headers['x-request-id'],
        });
      }
    });

    it('keeps 404 for a path no route has, whatever the method', async () => {
      for (const [method, path] of [
        ['get', '/v1/nothing-here'],
        ['put', `/v1/nothing-here/${randomUUID()}`],
        ['delete', `/v1/products/${randomUUID()}/nothing`],
        ['post', '/v2/orders'],
      ] as const) {
        const response = await testApp.http[method](path);
        expect({ method, path, status: response.status }).toEqual({ method, path, status: 404 });
        expect(response.headers.allow).toBeUndefined();
        expect(response.body.type).toBe(`${PROBLEM_TYPE}not-found`);
      }
    });
  });
});
