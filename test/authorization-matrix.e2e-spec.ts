import { randomUUID } from 'node:crypto';
import { generate } from 'otplib';
import {
  CALLERS,
  type Caller,
  endpoint,
  type MatrixRow,
  MatrixWorld,
  type Statuses,
} from './support/authorization-matrix';
import { signWebhook } from '../src/billing/webhook-signature';
import { createCategory, createProduct, uniqueSku } from './support/catalog';
import { bearer, createUser, login, strongPassword, type TestUser, uniqueEmail } from './support/identity';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * THE authorization matrix: every endpoint the service has, the status each
 * caller gets for a valid request. Columns, in order:
 *
 *   admin  catalog_manager  fulfillment  finance  auditor  org_admin  buyer  anonymous  otherCustomer
 *
 * org_admin and buyer belong to the "home" organization the rows' objects
 * belong to; otherCustomer is an org_admin + buyer of another organization,
 * to whom those objects do not exist (404). 403: the role may never do this.
 * A module adds one row per endpoint here; an endpoint without a row fails.
 */
const ALL_200: Statuses = [200, 200, 200, 200, 200, 200, 200, 200, 200];
const SIGNED_IN = (status: number): Statuses => [status, status, status, status, status, status, status, 401, status];
const AUDIT_READERS: Statuses = [200, 403, 403, 403, 200, 403, 403, 401, 403];
const CATALOG_EDITORS = (status: number): Statuses => [status, status, 403, 403, 403, 403, 403, 401, 403];

const homeMember = (world: MatrixWorld) =>
  world.once('home member', () =>
    createUser(world.testApp, { roles: ['buyer'], organizationId: world.homeOrganizationId }),
  );
/** A new key of the home buyer for each call: a revoked key is 404, so each caller revokes its own. */
const newHomeBuyerKeyId = async (world: MatrixWorld) => {
  const buyer = world.session('buyer') as TestUser;
  const response = await world.testApp.http
    .post('/v1/api-keys')
    .set(bearer(buyer))
    .send({ name: 'matrix', roles: ['buyer'] })
    .expect(201);
  return response.body.id as string;
};
const signInUser = (world: MatrixWorld) =>
  world.once('sign-in user', () => createUser(world.testApp, { roles: ['buyer'] }));
const someAuditEventId = (world: MatrixWorld) =>
  world.once('an audit event', async () => {
    const admin = world.session('admin') as TestUser;
    const response = await world.testApp.http
      .get('/v1/audit-events')
      .query({ limit: 1 })
      .set(bearer(admin))
      .expect(200);
    return response.body.items[0].id as string;
  });
const adminOf = (world: MatrixWorld) => world.session('admin') as TestUser;
/** A product the matrix's requests may edit, adjust and archive. */
const someProductId = (world: MatrixWorld) =>
  world.once('a product', async () => (await createProduct(world.testApp, adminOf(world), { stock: 10 })).id);
/** An archived product: staff who may read archived products see it, others get 404. */
const archivedProductId = (world: MatrixWorld) =>
  world.once('an archived product', async () => {
    const { id } = await createProduct(world.testApp, adminOf(world), { stock: 10 });
    await world.testApp.http
      .delete(`/v1/products/${id}`)
      .set(bearer(adminOf(world)))
      .expect(204);
    return id;
  });
const productToArchiveId = (world: MatrixWorld) =>
  world.once('a product to archive', async () => (await createProduct(world.testApp, adminOf(world))).id);
const someCategoryId = (world: MatrixWorld) =>
  world.once('a category', async () => (await createCategory(world.testApp, adminOf(world))).id);
const homeBuyer = (world: MatrixWorld) => world.session('buyer') as TestUser;
/** In stock for every order the matrix places. */
const orderableProductId = (world: MatrixWorld) =>
  world.once(
    'an orderable product',
    async () => (await createProduct(world.testApp, adminOf(world), { stock: 10_000 })).id,
  );
const orderBody = async (world: MatrixWorld) => ({
  items: [{ productId: await orderableProductId(world), quantity: 1 }],
  shippingAddress: { name: 'Receiving', line1: '1 Dock Road', postalCode: '10115', city: 'Berlin', country: 'DE' },
});
const idempotent = () => ({ 'Idempotency-Key': randomUUID() });
/** A new order of the home buyer, awaiting payment: `{ id, invoiceId }`. */
async function newHomeOrder(world: MatrixWorld): Promise<{ id: string; invoiceId: string }> {
  const response = await world.testApp.http
    .post('/v1/orders')
    .set(bearer(homeBuyer(world)))
    .set(idempotent())
    .send(await orderBody(world))
    .expect(201);
  return response.body as { id: string; invoiceId: string };
}
/** A new order of the home buyer, paid by card: `{ id, paymentId }`. */
async function newPaidHomeOrder(
  world: MatrixWorld,
): Promise<{ id: string; paymentId: string; providerPaymentId: string }> {
  return payHomeOrder(world, 'tok_visa');
}
async function payHomeOrder(world: MatrixWorld, token: string) {
  const order = await newHomeOrder(world);
  const payment = await world.testApp.http
    .post(`/v1/invoices/${order.invoiceId}/payments`)
    .set(bearer(homeBuyer(world)))
    .set(idempotent())
    .send({ paymentMethod: { type: 'card', token } })
    .expect(201);
  return {
    id: order.id,
    paymentId: payment.body.id as string,
    providerPaymentId: payment.body.providerPaymentId as string,
  };
}
const someHomeOrder = (world: MatrixWorld) => world.once('a home order', () => newHomeOrder(world));
const somePaidHomeOrder = (world: MatrixWorld) => world.once('a paid home order', () => newPaidHomeOrder(world));
const somePendingPayment = (world: MatrixWorld) =>
  world.once('a pending payment', () => payHomeOrder(world, 'tok_pending'));
/** A signed event of the simulated provider: each caller's has its own id. */
function signedEvent(world: MatrixWorld, providerPaymentId: string) {
  const body = JSON.stringify({
    id: `evt_${randomUUID().replace(/-/g, '')}`,
    type: 'payment.succeeded',
    providerPaymentId,
  });
  return { body, signature: signWebhook(world.testApp.environment.PAYMENT_WEBHOOK_SECRET, body) };
}

/** A new user like the caller with MFA set up (pending) or on; null for anonymous. */
async function withMfa(world: MatrixWorld, caller: Caller, enable: boolean) {
  const user = await world.fresh(caller);
  if (!user) return null;
  const setup = await world.testApp.http.post('/v1/me/mfa/setup').set(bearer(user)).expect(200);
  const secret = setup.body.secret as string;
  if (!enable) return { user, secret, recoveryCodes: [] as string[] };
  const enabled = await world.testApp.http
    .post('/v1/me/mfa/enable')
    .set(bearer(user))
    .send({ otp: await generate({ secret }) })
    .expect(200);
  return { user, secret, recoveryCodes: enabled.body.recoveryCodes as string[] };
}

// prettier-ignore
const MATRIX: MatrixRow[] = [
  // Ops                                                  admin cat  ful  fin  aud  orgA buy  anon other
  endpoint('GET /health/live',                            ALL_200),
  endpoint('GET /health/ready',                           ALL_200),
  endpoint('GET /health/startup',                         ALL_200),
  endpoint('GET /metrics',                                ALL_200),

  // Authentication: public, a credential sent along changes nothing
  endpoint('POST /v1/auth/register',                      [201, 201, 201, 201, 201, 201, 201, 201, 201], () => ({
    path: '/v1/auth/register',
    body: { organizationName: `Matrix ${randomUUID()}`, email: uniqueEmail('register'), displayName: 'R', password: strongPassword() },
  })),
  endpoint('POST /v1/auth/login',                         ALL_200, async (world) => {
    const user = await signInUser(world);
    return { path: '/v1/auth/login', body: { email: user.email, password: user.password } };
  }),
  endpoint('POST /v1/auth/refresh',                       ALL_200, async (world) => {
    const user = await signInUser(world);
    return { path: '/v1/auth/refresh', body: { refreshToken: (await login(world.testApp, user.email, user.password)).refreshToken } };
  }),
  endpoint('POST /v1/auth/logout',                        [204, 204, 204, 204, 204, 204, 204, 204, 204], async (world) => {
    const user = await signInUser(world);
    return { path: '/v1/auth/logout', body: { refreshToken: (await login(world.testApp, user.email, user.password)).refreshToken } };
  }),

  // Your own account
  endpoint('GET /v1/me',                                  SIGNED_IN(200)),
  endpoint('POST /v1/me/password',                        SIGNED_IN(204), async (world, caller) => {
    const user = await world.fresh(caller);
    return { path: '/v1/me/password', as: user, body: { currentPassword: user?.password ?? 'x', newPassword: strongPassword() } };
  }),
  endpoint('POST /v1/me/mfa/setup',                       SIGNED_IN(200)),
  endpoint('POST /v1/me/mfa/enable',                      SIGNED_IN(200), async (world, caller) => {
    const mfa = await withMfa(world, caller, false);
    return { path: '/v1/me/mfa/enable', as: mfa?.user ?? null, body: { otp: mfa ? await generate({ secret: mfa.secret }) : '000000' } };
  }),
  endpoint('POST /v1/me/mfa/disable',                     SIGNED_IN(204), async (world, caller) => {
    const mfa = await withMfa(world, caller, true);
    return {
      path: '/v1/me/mfa/disable',
      as: mfa?.user ?? null,
      body: { currentPassword: mfa?.user.password ?? 'x', otp: mfa?.recoveryCodes[0] ?? 'x' },
    };
  }),

  // Organizations                                        admin cat  ful  fin  aud  orgA buy  anon other
  endpoint('GET /v1/organizations',                       [200, 403, 403, 403, 200, 200, 200, 401, 200]),
  endpoint('POST /v1/organizations',                      [201, 403, 403, 403, 403, 403, 403, 401, 403], () => ({
    path: '/v1/organizations', body: { name: `Matrix ${randomUUID()}` },
  })),
  endpoint('GET /v1/organizations/{id}',                  [200, 403, 403, 403, 200, 200, 200, 401, 404], (world) => ({
    path: `/v1/organizations/${world.homeOrganizationId}`,
  })),
  endpoint('PATCH /v1/organizations/{id}',                [200, 403, 403, 403, 403, 403, 403, 401, 403], (world) => ({
    path: `/v1/organizations/${world.homeOrganizationId}`, body: { name: 'Matrix Home' },
  })),

  // Users
  endpoint('GET /v1/users',                               [200, 403, 403, 403, 200, 200, 403, 401, 200]),
  endpoint('POST /v1/users',                              [201, 403, 403, 403, 403, 201, 403, 401, 403], (world) => ({
    path: '/v1/users',
    body: { email: uniqueEmail('matrix'), displayName: 'M', password: strongPassword(), roles: ['buyer'], organizationId: world.homeOrganizationId },
  })),
  endpoint('GET /v1/users/{id}',                          [200, 403, 403, 403, 200, 200, 403, 401, 404], async (world) => ({
    path: `/v1/users/${(await homeMember(world)).id}`,
  })),
  endpoint('PATCH /v1/users/{id}',                        [200, 403, 403, 403, 403, 200, 403, 401, 404], async (world, caller) => ({
    path: `/v1/users/${(await homeMember(world)).id}`, body: { displayName: `Renamed by ${caller}` },
  })),

  // API keys: everyone their own; an org_admin its organization's
  endpoint('GET /v1/api-keys',                            SIGNED_IN(200)),
  endpoint('POST /v1/api-keys',                           SIGNED_IN(201), (world, caller) => ({
    path: '/v1/api-keys', body: { name: 'matrix', roles: world.session(caller)?.roles ?? ['buyer'] },
  })),
  endpoint('DELETE /v1/api-keys/{id}',                    [404, 404, 404, 404, 404, 204, 204, 401, 404], async (world) => ({
    path: `/v1/api-keys/${await newHomeBuyerKeyId(world)}`,
  })),

  // Catalog: anyone reads active products and categories; archived products per the matrix
  //                                                      admin cat  ful  fin  aud  orgA buy  anon other
  endpoint('GET /v1/products',                            ALL_200),
  endpoint('POST /v1/products',                           CATALOG_EDITORS(201), () => ({
    path: '/v1/products', body: { sku: uniqueSku('MATRIX'), name: 'Matrix product', priceCents: 100, currency: 'EUR', taxRateBps: 2000 },
  })),
  endpoint('GET /v1/products/{id}',                       [200, 200, 200, 404, 200, 404, 404, 404, 404], async (world) => ({
    path: `/v1/products/${await archivedProductId(world)}`,
  })),
  endpoint('PATCH /v1/products/{id}',                     CATALOG_EDITORS(200), async (world, caller) => ({
    path: `/v1/products/${await someProductId(world)}`, body: { name: `Renamed by ${caller}` },
  })),
  endpoint('DELETE /v1/products/{id}',                    CATALOG_EDITORS(204), async (world) => ({
    path: `/v1/products/${await productToArchiveId(world)}`,
  })),
  endpoint('POST /v1/products/{id}/stock-adjustments',    [201, 201, 201, 403, 403, 403, 403, 401, 403], async (world) => ({
    path: `/v1/products/${await someProductId(world)}/stock-adjustments`, body: { delta: 1, reason: 'received' },
  })),
  endpoint('GET /v1/products/{id}/stock-movements',       [200, 200, 200, 403, 200, 403, 403, 401, 403], async (world) => ({
    path: `/v1/products/${await archivedProductId(world)}/stock-movements`,
  })),
  endpoint('GET /v1/categories',                          ALL_200),
  endpoint('POST /v1/categories',                         CATALOG_EDITORS(201), () => ({
    path: '/v1/categories', body: { name: `Matrix ${randomUUID()}` },
  })),
  endpoint('GET /v1/categories/{id}',                     ALL_200, async (world) => ({
    path: `/v1/categories/${await someCategoryId(world)}`,
  })),
  endpoint('PATCH /v1/categories/{id}',                   CATALOG_EDITORS(200), async (world, caller) => ({
    path: `/v1/categories/${await someCategoryId(world)}`, body: { name: `Renamed by ${caller}` },
  })),
  endpoint('DELETE /v1/categories/{id}',                  CATALOG_EDITORS(204), async (world) => ({
    // An empty category of its own for each request: a deleted one is 404.
    path: `/v1/categories/${(await createCategory(world.testApp, adminOf(world))).id}`,
  })),

  // Orders: customers place; staff per the matrix; another organization's order is 404
  //                                                      admin cat  ful  fin  aud  orgA buy  anon other
  endpoint('POST /v1/orders',                             [403, 403, 403, 403, 403, 201, 201, 401, 201], async (world) => ({
    path: '/v1/orders', headers: idempotent(), body: await orderBody(world),
  })),
  endpoint('GET /v1/orders',                              [200, 403, 200, 200, 200, 200, 200, 401, 200]),
  endpoint('GET /v1/orders/{id}',                         [200, 403, 200, 200, 200, 200, 200, 401, 404], async (world) => ({
    path: `/v1/orders/${(await someHomeOrder(world)).id}`,
  })),
  endpoint('POST /v1/orders/{id}/cancel',                 [200, 403, 200, 403, 403, 200, 200, 401, 404], async (world) => ({
    // A pending order of its own for each request: a cancelled one is 409.
    path: `/v1/orders/${(await newHomeOrder(world)).id}/cancel`,
  })),
  endpoint('POST /v1/orders/{id}/fulfil',                 [200, 403, 200, 403, 403, 403, 403, 401, 403], async (world) => ({
    path: `/v1/orders/${(await newPaidHomeOrder(world)).id}/fulfil`,
  })),

  // Billing                                              admin cat  ful  fin  aud  orgA buy  anon other
  endpoint('GET /v1/invoices',                            [200, 403, 403, 200, 200, 200, 200, 401, 200]),
  endpoint('GET /v1/invoices/{id}',                       [200, 403, 403, 200, 200, 200, 200, 401, 404], async (world) => ({
    path: `/v1/invoices/${(await someHomeOrder(world)).invoiceId}`,
  })),
  endpoint('POST /v1/invoices/{id}/payments',             [403, 403, 403, 403, 403, 201, 201, 401, 404], async (world) => ({
    path: `/v1/invoices/${(await newHomeOrder(world)).invoiceId}/payments`,
    headers: idempotent(),
    body: { paymentMethod: { type: 'card', token: 'tok_visa' } },
  })),
  endpoint('GET /v1/payments',                            [200, 403, 403, 200, 200, 200, 200, 401, 200]),
  endpoint('GET /v1/payments/{id}',                       [200, 403, 403, 200, 200, 200, 200, 401, 404], async (world) => ({
    path: `/v1/payments/${(await somePaidHomeOrder(world)).paymentId}`,
  })),
  endpoint('POST /v1/payments/{id}/refunds',              [201, 403, 403, 201, 403, 403, 403, 401, 403], async (world) => ({
    path: `/v1/payments/${(await newPaidHomeOrder(world)).paymentId}/refunds`,
    headers: idempotent(),
    body: { reason: 'Returned goods' },
  })),
  endpoint('POST /v1/billing/webhooks/{provider}',        ALL_200, async (world) => {
    // Public: the provider's signature is the credential, whoever sends it.
    const { body, signature } = signedEvent(world, (await somePendingPayment(world)).providerPaymentId);
    return { path: '/v1/billing/webhooks/simulated', headers: { 'Payment-Signature': signature, 'content-type': 'application/json' }, body: JSON.parse(body) as object };
  }),

  // Audit trail                                          admin cat  ful  fin  aud  orgA buy  anon other
  endpoint('GET /v1/audit-events',                        AUDIT_READERS),
  endpoint('GET /v1/audit-events/export',                 AUDIT_READERS, () => ({
    path: '/v1/audit-events/export', query: { format: 'ndjson', from: new Date(Date.now() - 60_000).toISOString() },
  })),
  endpoint('GET /v1/audit-events/{id}',                   AUDIT_READERS, async (world) => ({
    path: `/v1/audit-events/${await someAuditEventId(world)}`,
  })),
  endpoint('GET /v1/audit/verify',                        AUDIT_READERS),
  endpoint('GET /v1/audit/checkpoints',                   AUDIT_READERS),
  endpoint('GET /v1/audit/public-key',                    AUDIT_READERS),
];

describe('authorization matrix', () => {
  let testApp: TestApp;
  let world: MatrixWorld;

  beforeAll(async () => {
    testApp = await startTestApp();
    world = await MatrixWorld.create(testApp);
  });
  afterAll(() => testApp.close());

  it('has exactly one row per endpoint the service documents', async () => {
    const document = (await testApp.http.get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((key) => ['get', 'post', 'put', 'patch', 'delete'].includes(key))
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
    const rows = MATRIX.map((row) => `${row.method} ${row.path}`);
    expect(new Set(rows).size).toBe(rows.length);
    expect([...rows].sort()).toEqual([...documented].sort());
  });

  describe.each(MATRIX.map((row) => [`${row.method} ${row.path}`, row] as const))('%s', (_operation, row) => {
    it.each(CALLERS.map((caller, column) => [caller, row.statuses[column]] as const))(
      '%s → %i',
      async (caller, expected) => {
        const { status, body } = await world.send(row, caller);
        expect({ status, body: status === expected ? undefined : body }).toEqual({ status: expected, body: undefined });
      },
    );
  });

  /**
   * A public read shows more to a signed-in caller, so a credential sent to it
   * is checked all the same: a bad one is 401, never silently anonymous.
   */
  const PUBLIC_READS = MATRIX.filter(
    (row) => row.method === 'GET' && row.path.startsWith('/v1/') && row.statuses[CALLERS.indexOf('anonymous')] !== 401,
  );
  it.each(PUBLIC_READS.map((row) => [`${row.method} ${row.path}`, row] as const))(
    '%s answers an invalid bearer token with 401',
    async (_operation, row) => {
      const request = await row.request(world, 'anonymous');
      await testApp.http
        .get(request.path)
        .query(request.query ?? {})
        .set('Authorization', 'Bearer not-a-valid-token')
        .expect(401);
    },
  );

  /**
   * A list never shows what a GET of one item would hide, nor hides what it
   * would show: for each list with an item endpoint, every listed item opens,
   * and the item row's own object is listed exactly when its GET answers 200.
   */
  const LIST_ITEM_PAIRS = MATRIX.filter((row) => row.method === 'GET').flatMap((list) => {
    const item = MATRIX.find((row) => row.method === 'GET' && row.path === `${list.path}/{id}`);
    return item ? [[list.path, list, item] as const] : [];
  });
  describe.each(LIST_ITEM_PAIRS)('GET %s agrees with GET …/{id}', (_path, list, item) => {
    const listing = CALLERS.filter((_caller, column) => list.statuses[column] === 200);
    it.each(listing)('for %s', async (caller) => {
      const itemPath = (await item.request(world, caller)).path;
      const itemId = itemPath.split('/').at(-1) as string;
      const ids = await world.listIds(caller, list.path, itemId);
      const sample = ids.slice(0, 10);
      const opened = [];
      for (const id of sample)
        opened.push((await world.send({ ...item, request: () => ({ path: `${list.path}/${id}` }) }, caller)).status);
      expect(opened).toEqual(sample.map(() => 200));
      const { status } = await world.send({ ...item, request: () => ({ path: itemPath }) }, caller);
      expect({ listed: ids.includes(itemId), status }).toEqual({ listed: status === 200, status });
    });
  });
});
