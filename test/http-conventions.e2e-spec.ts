import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { payInvoice } from './support/billing';
import { createCategory, createProduct } from './support/catalog';
import { adminSession, bearer, createUser, type TestUser } from './support/identity';
import { fetchOpenApiDocument, type OpenApiDocument, operationsOf } from './support/openapi-document';
import { placeOrder } from './support/orders';
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
  let buyer: TestUser;

  beforeAll(async () => {
    testApp = await startTestApp({ RATE_LIMIT_MAX: '100000' });
    document = await fetchOpenApiDocument(testApp.http);
    admin = await adminSession(testApp);
    buyer = await createUser(testApp, { roles: ['buyer'] });
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

  describe('conditional GET: If-None-Match, 304 and Cache-Control', () => {
    const ANONYMOUS_CACHE = 'public, no-cache';
    const PRIVATE_CACHE = 'private, no-cache';

    const varyOf = (response: Response): string[] =>
      String(response.headers.vary ?? '')
        .split(',')
        .map((name) => name.trim().toLowerCase());

    /** Every single-resource GET that returns an ETag, with a resource and a caller who may read it. */
    const readable = async (): Promise<[string, string, TestUser][]> => {
      const product = await createProduct(testApp, admin, { stock: 10 });
      const category = await createCategory(testApp, admin);
      const order = await placeOrder(testApp, buyer, [{ productId: product.id, quantity: 1 }]);
      const payment = await payInvoice(testApp, buyer, order.invoiceId);
      return [
        ['GET /v1/products/{id}', `/v1/products/${product.id}`, admin],
        ['GET /v1/categories/{id}', `/v1/categories/${category.id}`, admin],
        ['GET /v1/users/{id}', `/v1/users/${buyer.id}`, admin],
        ['GET /v1/organizations/{id}', `/v1/organizations/${String(buyer.organizationId)}`, buyer],
        ['GET /v1/orders/{id}', `/v1/orders/${order.id}`, buyer],
        ['GET /v1/invoices/{id}', `/v1/invoices/${order.invoiceId}`, buyer],
        ['GET /v1/payments/{id}', `/v1/payments/${payment.id}`, buyer],
      ];
    };

    it('answers a matching If-None-Match with 304, no body, the ETag and the same caching headers, on every single-resource GET', async () => {
      const reads = await readable();
      const documented = operationsOf(document)
        .filter(({ method, operation }) => {
          const ok = operation.responses['200'] as { headers?: Record<string, unknown> } | undefined;
          return method === 'get' && ok?.headers?.ETag !== undefined;
        })
        .map(({ path }) => `GET ${path}`)
        .sort();
      expect(reads.map(([operation]) => operation).sort()).toEqual(documented);

      for (const [operation, path, caller] of reads) {
        const first = await testApp.http.get(path).set(bearer(caller)).expect(200);
        const etag = String(first.headers.etag);
        expect({ operation, etag }).toEqual({ operation, etag: expect.stringMatching(/^"\d+"$/) });
        expect({ operation, cacheControl: first.headers['cache-control'] }).toEqual({
          operation,
          cacheControl: PRIVATE_CACHE,
        });
        expect(varyOf(first)).toEqual(expect.arrayContaining(['authorization', 'x-api-key']));

        const revalidated = await testApp.http.get(path).set(bearer(caller)).set('If-None-Match', etag);
        expect({ operation, status: revalidated.status }).toEqual({ operation, status: 304 });
        expect(revalidated.text).toBe('');
        expect(revalidated.headers.etag).toBe(etag);
        expect(revalidated.headers['cache-control']).toBe(PRIVATE_CACHE);
        expect(varyOf(revalidated)).toEqual(expect.arrayContaining(['authorization', 'x-api-key']));
      }
    });

    it('compares weakly and accepts lists and *, and answers a stale or foreign tag with the full 200', async () => {
      const product = await createProduct(testApp, admin, { stock: 10 });
      const path = `/v1/products/${product.id}`;
      const etag = String((await testApp.http.get(path).expect(200)).headers.etag);
      const version = Number(JSON.parse(etag));

      for (const match of [etag, `W/${etag}`, `"nope", ${etag}`, `"a",W/${etag} , "b"`, '*']) {
        const response = await testApp.http.get(path).set('If-None-Match', match);
        expect({ match, status: response.status }).toEqual({ match, status: 304 });
        expect(response.headers.etag).toBe(etag);
      }
      for (const stale of [`"${version - 1}"`, `"${version + 1}"`, 'W/"x"', '"a", "b"', 'junk, not a tag']) {
        const response = await testApp.http.get(path).set('If-None-Match', stale);
        expect({ stale, status: response.status }).toEqual({ stale, status: 200 });
        expect(response.body.id).toBe(product.id);
        expect(response.headers.etag).toBe(etag);
      }

      await testApp.http
        .patch(path)
        .set(bearer(admin))
        .set('If-Match', etag)
        .send({ name: 'Renamed bolt' })
        .expect(200);
      const changed = await testApp.http.get(path).set('If-None-Match', etag).expect(200);
      expect(changed.body.name).toBe('Renamed bolt');
      expect(changed.headers.etag).not.toBe(etag);
    });

    it('answers HEAD with 304 too', async () => {
      const product = await createProduct(testApp, admin, { stock: 10 });
      const path = `/v1/products/${product.id}`;
      const etag = String((await testApp.http.head(path).expect(200)).headers.etag);
      await testApp.http.head(path).set('If-None-Match', etag).expect(304);
    });

    it('lets shared caches keep an anonymous catalog read, to be revalidated; a signed-in read is private', async () => {
      const product = await createProduct(testApp, admin, { stock: 10 });
      const category = await createCategory(testApp, admin);
      for (const path of [`/v1/products/${product.id}`, `/v1/categories/${category.id}`]) {
        const anonymous = await testApp.http.get(path).expect(200);
        expect(anonymous.headers['cache-control']).toBe(ANONYMOUS_CACHE);
        expect(varyOf(anonymous)).toEqual(expect.arrayContaining(['authorization', 'x-api-key']));
        const revalidated = await testApp.http.get(path).set('If-None-Match', String(anonymous.headers.etag));
        expect(revalidated.status).toBe(304);
        expect(revalidated.headers['cache-control']).toBe(ANONYMOUS_CACHE);

        const signedIn = await testApp.http.get(path).set(bearer(buyer)).expect(200);
        expect(signedIn.headers['cache-control']).toBe(PRIVATE_CACHE);
      }
    });

    it('checks access before the precondition: no 304 for a caller who may not read the resource', async () => {
      const product = await createProduct(testApp, admin, { stock: 10 });
      const order = await placeOrder(testApp, buyer, [{ productId: product.id, quantity: 1 }]);
      const etag = String(
        (await testApp.http.get(`/v1/orders/${order.id}`).set(bearer(buyer)).expect(200)).headers.etag,
      );
      const stranger = await createUser(testApp, { roles: ['buyer'] });

      await testApp.http.get(`/v1/orders/${order.id}`).set('If-None-Match', etag).expect(401);
      await testApp.http.get(`/v1/orders/${order.id}`).set(bearer(stranger)).set('If-None-Match', etag).expect(404);
      await testApp.http.get(`/v1/orders/${order.id}`).set(bearer(stranger)).set('If-None-Match', '*').expect(404);
    });
  });
});
