import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { payInvoice } from './support/billing';
import { createCategory, createProduct, uniqueSku } from './support/catalog';
import { adminSession, bearer, createUser, strongPassword, uniqueEmail, type TestUser } from './support/identity';
import { concretePath, fetchOpenApiDocument, type OpenApiDocument, operationsOf } from './support/openapi-document';
import { placeOrder, shippingAddress } from './support/orders';
import { startTestApp, type TestApp } from './support/test-app';

const PROBLEM_JSON = /^application\/problem\+json/;
const PROBLEM_TYPE = 'https://problems.b2b-commerce.example/';

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
          const response = await testApp.http[method](concretePath(path)).set(bearer(admin));
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
        expect({ operation, etag }).toEqual({ operation, etag: expect.stringMatching(/^"\d+-[A-Za-z0-9_-]{16}"$/) });
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
      const version = Number(/^"(\d+)-/.exec(etag)?.[1]);

      for (const match of [etag, `W/${etag}`, `"nope", ${etag}`, `"a",W/${etag} , "b"`, '*']) {
        const response = await testApp.http.get(path).set('If-None-Match', match);
        expect({ match, status: response.status }).toEqual({ match, status: 304 });
        expect(response.headers.etag).toBe(etag);
      }
      for (const stale of [
        `"${version}"`,
        `"${version - 1}"`,
        `"${version + 1}"`,
        'W/"x"',
        '"a", "b"',
        'junk, not a tag',
      ]) {
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

  describe('Cache-Control on answers to credentialed requests', () => {
    it('keeps any answer to a request with credentials out of shared caches, and keyed by them', async () => {
      const answers = {
        list: await testApp.http.get('/v1/orders').set(bearer(buyer)).expect(200),
        catalog: await testApp.http.get('/v1/products?limit=1').set(bearer(buyer)).expect(200),
        me: await testApp.http.get('/v1/me').set(bearer(buyer)).expect(200),
        // Errors too: a 404 to one caller says nothing of what another would get.
        notFound: await testApp.http.get(`/v1/orders/${randomUUID()}`).set(bearer(buyer)).expect(404),
        badKey: await testApp.http.get('/v1/products?limit=1').set('X-API-Key', 'bk_not-a-key').expect(401),
      };
      for (const [name, answer] of Object.entries(answers)) {
        expect({ name, cacheControl: answer.headers['cache-control'] }).toEqual({
          name,
          cacheControl: 'private, no-cache',
        });
        expect({ name, vary: answer.headers.vary }).toEqual({
          name,
          vary: expect.stringMatching(/\bAuthorization, X-API-Key\b/),
        });
      }
    });

    it('leaves anonymous answers and a route’s own Cache-Control as they are', async () => {
      const anonymous = await testApp.http.get('/v1/products?limit=1').expect(200);
      expect(anonymous.headers['cache-control']).toBeUndefined();
      expect(anonymous.headers.vary ?? '').not.toMatch(/Authorization/);
      const login = await testApp.http
        .post('/v1/auth/login')
        .set(bearer(buyer))
        .send({ email: buyer.email, password: buyer.password })
        .expect(200);
      expect(login.headers['cache-control']).toBe('no-store');
    });
  });

  describe('201 Created carries Location', () => {
    interface Creation {
      /** `METHOD path` as documented. */
      operation: string;
      create(): Promise<Response>;
      /** The path Location must name, from the created body. */
      location(body: Record<string, unknown>): string;
      /**
       * What a GET of Location answers `admin`: the created resource itself, what shows it (the
       * resource it belongs to), or 405 for a resource with no GET.
       */
      reads: 'itself' | 'what shows it' | 'nothing';
    }

    const idOf = (body: Record<string, unknown>): string => String(body.id);
    const paidInvoice = async () => {
      const product = await createProduct(testApp, admin, { stock: 10 });
      const order = await placeOrder(testApp, buyer, [{ productId: product.id, quantity: 1 }]);
      return payInvoice(testApp, buyer, order.invoiceId);
    };

    const CREATIONS: Creation[] = [
      {
        operation: 'POST /v1/auth/register',
        create: () =>
          testApp.http.post('/v1/auth/register').send({
            organizationName: `Located Org ${randomUUID()}`,
            email: uniqueEmail('located'),
            displayName: 'Lou Located',
            password: strongPassword(),
          }),
        // The organization is what registration creates, its first user inside it.
        location: (body) => `/v1/organizations/${String((body.organization as { id: string }).id)}`,
        reads: 'what shows it',
      },
      {
        operation: 'POST /v1/organizations',
        create: () =>
          testApp.http
            .post('/v1/organizations')
            .set(bearer(admin))
            .send({ name: `Org ${randomUUID()}` }),
        location: (body) => `/v1/organizations/${idOf(body)}`,
        reads: 'itself',
      },
      {
        operation: 'POST /v1/users',
        create: () =>
          testApp.http
            .post('/v1/users')
            .set(bearer(admin))
            .send({
              email: uniqueEmail('located'),
              displayName: 'Lou Located',
              password: strongPassword(),
              roles: ['auditor'],
            }),
        location: (body) => `/v1/users/${idOf(body)}`,
        reads: 'itself',
      },
      {
        operation: 'POST /v1/api-keys',
        create: () =>
          testApp.http
            .post('/v1/api-keys')
            .set(bearer(admin))
            .send({ name: 'located key', roles: ['admin'] }),
        // The key's own URL, where it is revoked; it has no GET (the secret is shown once).
        location: (body) => `/v1/api-keys/${idOf(body)}`,
        reads: 'nothing',
      },
      {
        operation: 'POST /v1/categories',
        create: () =>
          testApp.http
            .post('/v1/categories')
            .set(bearer(admin))
            .send({ name: `Located ${randomUUID()}` }),
        location: (body) => `/v1/categories/${idOf(body)}`,
        reads: 'itself',
      },
      {
        operation: 'POST /v1/products',
        create: () =>
          testApp.http
            .post('/v1/products')
            .set(bearer(admin))
            .send({
              sku: uniqueSku('LOC'),
              name: 'Located bolt',
              priceCents: 100,
              currency: 'EUR',
              taxRateBps: 1900,
              stock: 1,
            }),
        location: (body) => `/v1/products/${idOf(body)}`,
        reads: 'itself',
      },
      {
        operation: 'POST /v1/products/{id}/stock-adjustments',
        create: async () => {
          const product = await createProduct(testApp, admin, { stock: 1 });
          return testApp.http
            .post(`/v1/products/${product.id}/stock-adjustments`)
            .set(bearer(admin))
            .send({ delta: 5, reason: 'received' });
        },
        // A movement has no URL of its own: its product's movements list it, newest first.
        location: (body) => `/v1/products/${String(body.productId)}/stock-movements`,
        reads: 'what shows it',
      },
      {
        operation: 'POST /v1/orders',
        create: async () => {
          const product = await createProduct(testApp, admin, { stock: 10 });
          return testApp.http
            .post('/v1/orders')
            .set(bearer(buyer))
            .set('Idempotency-Key', randomUUID())
            .send({ items: [{ productId: product.id, quantity: 1 }], shippingAddress: shippingAddress() });
        },
        location: (body) => `/v1/orders/${idOf(body)}`,
        reads: 'itself',
      },
      {
        operation: 'POST /v1/invoices/{id}/payments',
        create: async () => {
          const product = await createProduct(testApp, admin, { stock: 10 });
          const order = await placeOrder(testApp, buyer, [{ productId: product.id, quantity: 1 }]);
          return testApp.http
            .post(`/v1/invoices/${order.invoiceId}/payments`)
            .set(bearer(buyer))
            .set('Idempotency-Key', randomUUID())
            .send({ paymentMethod: { type: 'card', token: 'tok_visa' } });
        },
        // A payment lives at /v1/payments/<id>, not under the invoice it was posted to.
        location: (body) => `/v1/payments/${idOf(body)}`,
        reads: 'itself',
      },
      {
        operation: 'POST /v1/payments/{id}/refunds',
        create: async () => {
          const payment = await paidInvoice();
          return testApp.http
            .post(`/v1/payments/${payment.id}/refunds`)
            .set(bearer(admin))
            .set('Idempotency-Key', randomUUID())
            .send({ amountCents: 1, reason: 'located refund' });
        },
        // A refund has no URL of its own: the payment it belongs to shows it (refundedCents).
        location: (body) => `/v1/payments/${String(body.paymentId)}`,
        reads: 'what shows it',
      },
    ];

    it.each(CREATIONS.map((creation) => [creation.operation, creation] as const))(
      '%s answers 201 with the Location of what it created',
      async (_operation, creation) => {
        const response = await creation.create();
        expect(response.status).toBe(201);
        const location = creation.location(response.body as Record<string, unknown>);
        expect(response.headers.location).toBe(location);
        const read = await testApp.http.get(location).set(bearer(admin));
        expect(read.status).toBe(creation.reads === 'nothing' ? 405 : 200);
        if (creation.reads === 'itself') expect(read.body.id).toBe(response.body.id);
      },
    );

    it('replays the Location with an idempotent replay', async () => {
      const product = await createProduct(testApp, admin, { stock: 10 });
      const key = randomUUID();
      const send = () =>
        testApp.http
          .post('/v1/orders')
          .set(bearer(buyer))
          .set('Idempotency-Key', key)
          .send({ items: [{ productId: product.id, quantity: 1 }], shippingAddress: shippingAddress() })
          .expect(201);
      const first = await send();
      const replay = await send();
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.headers.location).toBe(`/v1/orders/${String(first.body.id)}`);
      expect(replay.text).toBe(first.text);
    });

    it('covers every operation the document says answers 201, and each documents its Location', () => {
      const created = operationsOf(document).filter(({ operation }) => operation.responses['201']);
      expect(created.map(({ method, path }) => `${method.toUpperCase()} ${path}`).sort()).toEqual(
        CREATIONS.map((creation) => creation.operation).sort(),
      );
      const undocumented = created
        .filter(({ operation }) => {
          const response = operation.responses['201'] as { headers?: Record<string, unknown> };
          return !response.headers?.Location;
        })
        .map(({ label }) => label);
      expect(undocumented).toEqual([]);
    });
  });

  describe('bad requests on every documented operation', () => {
    it('answers a body that is not JSON with 415 on every operation that takes one, before anything else', async () => {
      const withBody = operationsOf(document).filter(({ operation }) => operation.requestBody);
      expect(withBody.length).toBeGreaterThan(15);
      for (const { method, path, label } of withBody) {
        for (const [contentType, body] of [
          ['text/plain', '{"name":"looks like JSON"}'],
          ['text/plain; charset=utf-8', 'hello'],
          ['application/x-www-form-urlencoded', 'name=form'],
        ]) {
          const response = await testApp.http[method as 'post' | 'patch' | 'put'](concretePath(path))
            .set('Content-Type', contentType)
            .set('Idempotency-Key', randomUUID())
            .send(body);
          expect({ label, contentType, status: response.status }).toEqual({ label, contentType, status: 415 });
          expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
          expect(response.body.type).toBe(`${PROBLEM_TYPE}unsupported-media-type`);
        }
      }
    });

    it('answers a malformed id in any path with 400 naming the parameter in errors[], as a query does', async () => {
      const withIds = operationsOf(document).filter(({ parameters }) =>
        parameters.some((parameter) => parameter.in === 'path' && parameter.name !== 'provider'),
      );
      expect(withIds.length).toBeGreaterThan(15);
      for (const { method, path, label, parameters } of withIds) {
        const [parameter] = parameters.filter((p) => p.in === 'path');
        expect({ label, schema: parameter.schema }).toEqual({
          label,
          schema: expect.objectContaining({ format: 'uuid' }),
        });
        // Guards run first: the caller must be one who may call the operation at all.
        const caller = path === '/v1/invoices/{id}/payments' ? buyer : admin;
        const request = testApp.http[method as 'get' | 'post' | 'patch' | 'delete'](
          path.replace(`{${parameter.name}}`, 'not-a-uuid'),
        )
          .set(bearer(caller))
          .set('Idempotency-Key', randomUUID());
        const response = await (method === 'post' || method === 'patch' ? request.send({}) : request);
        expect({ label, status: response.status }).toEqual({ label, status: 400 });
        expect(response.body).toMatchObject({
          type: `${PROBLEM_TYPE}validation-failed`,
          errors: [{ field: parameter.name, message: expect.stringContaining('UUID') }],
        });
      }

      const query = await testApp.http.get('/v1/products?categoryId=not-a-uuid').expect(400);
      expect(query.body).toMatchObject({
        type: `${PROBLEM_TYPE}validation-failed`,
        errors: [{ field: 'categoryId', message: expect.stringContaining('UUID') }],
      });
    });
  });
});
