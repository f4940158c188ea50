import { randomUUID } from 'node:crypto';
import { auditEventsAbout } from './support/audit-trail';
import { payInvoice } from './support/billing';
import { createProduct, errorFields, type NewProduct, stockMovements, type TestProduct } from './support/catalog';
import { adminSession, bearer, createOrganization, createUser, type TestUser } from './support/identity';
import {
  allPages,
  countStatuses,
  type OrderItem,
  outboxEventsAbout,
  placeOrder,
  postOrder,
  shippingAddress,
  type TestInvoice,
  type TestOrder,
  traceOfProducts,
} from './support/orders';
import { idsOf } from './support/pages';
import { withDatabase } from './support/raw-sql';
import { onRealDatabase, startTestApp, type TestApp } from './support/test-app';
import { etagAt } from './support/etags';

const MAX_QUANTITY = 50;

describe('orders', () => {
  let testApp: TestApp;
  let admin: TestUser;
  let buyer: TestUser;
  let organizationId: string;

  const product = (fields: NewProduct = {}) => createProduct(testApp, admin, { stock: 100, ...fields });
  const stockOf = async (productId: string): Promise<number> =>
    (await testApp.http.get(`/v1/products/${productId}`).set(bearer(admin)).expect(200)).body.stock as number;
  const getOrder = async (by: TestUser, id: string): Promise<TestOrder> =>
    (await testApp.http.get(`/v1/orders/${id}`).set(bearer(by)).expect(200)).body as TestOrder;
  const getInvoice = async (by: TestUser, id: string): Promise<TestInvoice> =>
    (await testApp.http.get(`/v1/invoices/${id}`).set(bearer(by)).expect(200)).body as TestInvoice;
  /** The movements a product's stock took for orders, newest first. */
  const orderMovements = async (productId: string) =>
    (await stockMovements(testApp, admin, productId)).filter((movement) => movement.reason !== 'initial');
  const actionsAbout = async (resourceId: string) =>
    (await auditEventsAbout(testApp, resourceId)).map((event) => event.action);
  const buyerIn = (orgId: string) => createUser(testApp, { roles: ['buyer'], organizationId: orgId });

  beforeAll(async () => {
    testApp = await startTestApp({ ORDER_MAX_QUANTITY: String(MAX_QUANTITY), RATE_LIMIT_MAX: '100000' });
    admin = await adminSession(testApp);
    buyer = await createUser(testApp, { roles: ['buyer'] });
    organizationId = buyer.organizationId as string;
  });
  afterAll(() => testApp.close());

  describe('placing', () => {
    it('prices and taxes every line from the catalog, half up per line, and totals the lines', async () => {
      // 3 × 3.33 at 19.5 %: tax 1.94805 → 1.95; 1 × 0.05 at 10 %: tax 0.005 → 0.01 (half a cent rounds up).
      const bolts = await product({ priceCents: 333, taxRateBps: 1_950 });
      const washer = await product({ priceCents: 5, taxRateBps: 1_000 });
      const address = shippingAddress({ line2: 'Gate B' });
      const response = await postOrder(testApp, buyer, [], {
        body: {
          items: [
            { productId: bolts.id, quantity: 3 },
            { productId: washer.id, quantity: 1 },
          ],
          shippingAddress: address,
        },
      }).expect(201);

      expect(response.body).toEqual({
        id: expect.any(String),
        number: expect.stringMatching(/^ORD-\d{6,}$/),
        status: 'pending_payment',
        organizationId,
        placedById: buyer.id,
        currency: 'EUR',
        lines: [
          {
            productId: bolts.id,
            sku: bolts.sku,
            name: bolts.name,
            quantity: 3,
            unitPriceCents: 333,
            taxRateBps: 1_950,
            subtotalCents: 999,
            taxCents: 195,
            totalCents: 1_194,
          },
          {
            productId: washer.id,
            sku: washer.sku,
            name: washer.name,
            quantity: 1,
            unitPriceCents: 5,
            taxRateBps: 1_000,
            subtotalCents: 5,
            taxCents: 1,
            totalCents: 6,
          },
        ],
        subtotalCents: 1_004,
        taxCents: 196,
        totalCents: 1_200,
        shippingAddress: address,
        invoiceId: expect.any(String),
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        version: 1,
      });
      const order = response.body as TestOrder;
      expect(await getOrder(buyer, order.id)).toEqual(order);
    });

    it('stores the country code upper-case, as the document promises it back', async () => {
      const bolts = await product();
      const address = shippingAddress({ country: 'de' });
      const response = await postOrder(testApp, buyer, [], {
        body: { items: [{ productId: bolts.id, quantity: 1 }], shippingAddress: address },
      }).expect(201);
      const order = response.body as TestOrder;
      expect(order.shippingAddress).toEqual({ ...address, country: 'DE' });
      expect((await getOrder(buyer, order.id)).shippingAddress.country).toBe('DE');
    });

    it('opens the invoice for the whole order, readable by the buyer', async () => {
      const item = await product({ priceCents: 1_999, taxRateBps: 700 });
      const order = await placeOrder(testApp, buyer, [{ productId: item.id, quantity: 2 }]);
      const invoice = await getInvoice(buyer, order.invoiceId);
      expect(invoice).toEqual({
        id: order.invoiceId,
        number: expect.stringMatching(/^INV-\d{6,}$/),
        orderId: order.id,
        organizationId,
        status: 'open',
        amountCents: order.totalCents,
        currency: 'EUR',
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        version: 1,
      });
      // 2 × 19.99 = 39.98, 7 % of it 2.7986 → 2.80.
      expect(order).toMatchObject({ subtotalCents: 3_998, taxCents: 280, totalCents: 4_278 });
    });

    it('keeps the prices it was placed at when the catalog changes afterwards', async () => {
      const item = await product({ priceCents: 1_000, taxRateBps: 2_000 });
      const order = await placeOrder(testApp, buyer, [{ productId: item.id, quantity: 1 }]);
      await testApp.http
        .patch(`/v1/products/${item.id}`)
        .set(bearer(admin))
        .send({ priceCents: 5_000, taxRateBps: 0 })
        .expect(200);
      expect(await getOrder(buyer, order.id)).toMatchObject({
        lines: [{ unitPriceCents: 1_000, taxRateBps: 2_000, totalCents: 1_200 }],
        totalCents: 1_200,
      });
      expect(await getInvoice(buyer, order.invoiceId)).toMatchObject({ amountCents: 1_200 });
    });

    it('numbers orders and invoices from sequences, each number once', async () => {
      const item = await product();
      const first = await placeOrder(testApp, buyer, [{ productId: item.id, quantity: 1 }]);
      const second = await placeOrder(testApp, buyer, [{ productId: item.id, quantity: 1 }]);
      const numberOf = (text: string) => Number(text.slice(4));
      expect(numberOf(second.number)).toBeGreaterThan(numberOf(first.number));
      const [firstInvoice, secondInvoice] = await Promise.all(
        [first, second].map((order) => getInvoice(buyer, order.invoiceId)),
      );
      expect(numberOf(secondInvoice.number)).toBeGreaterThan(numberOf(firstInvoice.number));
    });

    it('takes the stock of every line, each a movement linked to the order', async () => {
      const [a, b] = [await product({ stock: 10 }), await product({ stock: 7 })];
      const order = await placeOrder(testApp, buyer, [
        { productId: a.id, quantity: 4 },
        { productId: b.id, quantity: 7 },
      ]);
      expect([await stockOf(a.id), await stockOf(b.id)]).toEqual([6, 0]);
      expect(await orderMovements(a.id)).toEqual([
        expect.objectContaining({
          delta: -4,
          stockAfter: 6,
          reason: 'order_placed',
          orderId: order.id,
          actorId: buyer.id,
        }),
      ]);
      expect(await orderMovements(b.id)).toEqual([
        expect.objectContaining({ delta: -7, stockAfter: 0, reason: 'order_placed', orderId: order.id }),
      ]);
    });

    it('records order.placed, invoice.opened and product.stock_moved, and an order.placed outbox event', async () => {
      const item = await product({ priceCents: 250, taxRateBps: 1_000, stock: 5 });
      const order = await placeOrder(testApp, buyer, [{ productId: item.id, quantity: 2 }]);

      const [placed] = (await auditEventsAbout(testApp, order.id)).filter((event) => event.action === 'order.placed');
      expect(placed).toMatchObject({
        actorId: buyer.id,
        actorOrganizationId: organizationId,
        resourceType: 'Order',
        outcome: 'success',
        changes: { before: {}, after: { status: 'pending_payment', totalCents: 550, currency: 'EUR' } },
        details: { number: order.number, invoiceId: order.invoiceId },
      });
      expect(await actionsAbout(order.invoiceId)).toEqual(['invoice.opened']);
      const moved = (await auditEventsAbout(testApp, item.id)).filter(
        (event) => event.action === 'product.stock_moved' && event.details?.orderId === order.id,
      );
      expect(moved).toEqual([
        expect.objectContaining({
          actorId: buyer.id,
          changes: { before: { stock: 5 }, after: { stock: 3 } },
          details: expect.objectContaining({ delta: -2, reason: 'order_placed' }),
        }),
      ]);

      expect(await outboxEventsAbout(order.id)).toEqual([
        {
          type: 'order.placed',
          aggregate_type: 'Order',
          aggregate_id: order.id,
          payload: {
            orderId: order.id,
            number: order.number,
            organizationId,
            placedById: buyer.id,
            currency: 'EUR',
            totalCents: 550,
            lines: [{ productId: item.id, quantity: 2 }],
          },
          published_at: null,
        },
      ]);
    });

    it('lets an org_admin place an order for its organization', async () => {
      const orgAdmin = await createUser(testApp, { roles: ['org_admin'], organizationId });
      const item = await product();
      const order = await placeOrder(testApp, orgAdmin, [{ productId: item.id, quantity: 1 }]);
      expect(order).toMatchObject({ organizationId, placedById: orgAdmin.id, status: 'pending_payment' });
    });

    it('names a product by its id in any letter case', async () => {
      const item = await product({ stock: 3 });
      const order = await placeOrder(testApp, buyer, [{ productId: item.id.toUpperCase(), quantity: 1 }]);
      expect(order.lines).toEqual([expect.objectContaining({ productId: item.id, sku: item.sku, quantity: 1 })]);
      expect(await stockOf(item.id)).toBe(2);
    });
  });

  describe('refusals', () => {
    /** The product's stock and movements, to show a refusal changed nothing. */
    const snapshot = async (items: TestProduct[]) =>
      Promise.all(items.map(async (item) => ({ stock: await stockOf(item.id), moves: await orderMovements(item.id) })));
    const ordersOf = async (user: TestUser) => idsOf({ items: await allPages(testApp, user, '/v1/orders') });

    it('requires an Idempotency-Key of 1 to 255 printable characters (400)', async () => {
      const item = await product({ stock: 5 });
      const items = [{ productId: item.id, quantity: 1 }];
      for (const key of [null, '', ' ', 'k'.repeat(256), 'tab\tkey', 'é']) {
        const response = await postOrder(testApp, buyer, items, { key }).expect(400);
        expect(response.body.type).toMatch(/idempotency-key-required$/);
        expect(errorFields(response.body)).toEqual(['Idempotency-Key']);
      }
      await postOrder(testApp, buyer, items, { key: 'k'.repeat(255) }).expect(201);
      expect(await stockOf(item.id)).toBe(4);
    });

    it.each([
      ['a unit price', { unitPriceCents: 1 }, 'items[0].unitPriceCents'],
      ['a tax rate', { taxRateBps: 0 }, 'items[0].taxRateBps'],
    ])('refuses %s sent by the client as an unknown field (400)', async (_what, extra, field) => {
      const item = await product({ stock: 5 });
      const response = await postOrder(testApp, buyer, [], {
        body: { items: [{ productId: item.id, quantity: 1, ...extra }], shippingAddress: shippingAddress() },
      }).expect(400);
      expect(errorFields(response.body)).toEqual([field]);
      expect(await stockOf(item.id)).toBe(5);
    });

    it('refuses order-level amounts sent by the client (400)', async () => {
      const item = await product({ stock: 5 });
      const response = await postOrder(testApp, buyer, [], {
        body: { items: [{ productId: item.id, quantity: 1 }], shippingAddress: shippingAddress(), totalCents: 1 },
      }).expect(400);
      expect(errorFields(response.body)).toEqual(['totalCents']);
    });

    it('refuses a product named on two lines with 400 naming the second line, changing nothing', async () => {
      const [a, b] = [await product({ stock: 5 }), await product({ stock: 5 })];
      const before = await snapshot([a, b]);
      for (const second of [a.id, a.id.toUpperCase()]) {
        const response = await postOrder(testApp, buyer, [
          { productId: a.id, quantity: 1 },
          { productId: second, quantity: 2 },
          { productId: b.id, quantity: 1 },
        ]).expect(400);
        expect(response.body.type).toMatch(/duplicate-order-line$/);
        expect(errorFields(response.body)).toEqual(['items[1].productId']);
      }
      expect(await snapshot([a, b])).toEqual(before);
    });

    it('names a line’s fields the same way whichever check refuses them', async () => {
      const item = await product({ stock: 5 });
      const tooFew = await postOrder(testApp, buyer, [
        { productId: item.id, quantity: 1 },
        { productId: randomUUID(), quantity: 0 },
      ]).expect(400);
      expect(errorFields(tooFew.body)).toEqual(['items[1].quantity']);
      const notAnId = await postOrder(testApp, buyer, [{ productId: 'nope', quantity: 1 }]).expect(400);
      expect(errorFields(notAnId.body)).toEqual(['items[0].productId']);
    });

    it(`refuses a quantity above ORDER_MAX_QUANTITY (${MAX_QUANTITY}) with 400, and takes exactly the maximum`, async () => {
      const item = await product({ stock: 500 });
      const response = await postOrder(testApp, buyer, [{ productId: item.id, quantity: MAX_QUANTITY + 1 }]).expect(
        400,
      );
      expect(response.body.type).toMatch(/quantity-too-large$/);
      expect(errorFields(response.body)).toEqual(['items[0].quantity']);
      expect(await stockOf(item.id)).toBe(500);
      await placeOrder(testApp, buyer, [{ productId: item.id, quantity: MAX_QUANTITY }]);
      expect(await stockOf(item.id)).toBe(500 - MAX_QUANTITY);
    });

    it.each([
      ['no items', { items: [] }, 'items'],
      [
        'more than 100 lines',
        { items: Array.from({ length: 101 }, () => ({ productId: randomUUID(), quantity: 1 })) },
        'items',
      ],
      ['no address', { shippingAddress: undefined }, 'shippingAddress'],
      [
        'a country that is not ISO 3166-1',
        { shippingAddress: shippingAddress({ country: 'XX' }) },
        'shippingAddress.country',
      ],
      ['a multi-line city', { shippingAddress: shippingAddress({ city: 'a\nb' }) }, 'shippingAddress.city'],
      ['a null address', { shippingAddress: null }, 'shippingAddress'],
      ['an address that is a list', { shippingAddress: [shippingAddress()] }, 'shippingAddress'],
      ['null items', { items: null }, 'items'],
      ['a fractional quantity', { quantity: 1.5 }, 'items[0].quantity'],
      ['a quantity as a string', { quantity: '1' }, 'items[0].quantity'],
    ])(
      'refuses %s with 400 naming the field, changing nothing',
      async (_what, overrides: Record<string, unknown>, field) => {
        const item = await product({ stock: 5 });
        const { quantity = 1, ...rest } = overrides;
        const body = { items: [{ productId: item.id, quantity }], shippingAddress: shippingAddress(), ...rest };
        const response = await postOrder(testApp, buyer, [], { body }).expect(400);
        expect(errorFields(response.body)).toEqual([field]);
        expect(await stockOf(item.id)).toBe(5);
      },
    );

    it('refuses an archived or unknown product with 400 naming its line, changing nothing', async () => {
      const [available, archived] = [await product({ stock: 5 }), await product({ stock: 5, active: false })];
      const before = await snapshot([available, archived]);
      const response = await postOrder(testApp, buyer, [
        { productId: available.id, quantity: 1 },
        { productId: archived.id, quantity: 1 },
        { productId: randomUUID(), quantity: 1 },
      ]).expect(400);
      expect(response.body.type).toMatch(/product-unavailable$/);
      expect(errorFields(response.body)).toEqual(['items[1].productId', 'items[2].productId']);
      expect(await snapshot([available, archived])).toEqual(before);
    });

    it('refuses products priced in two currencies with 400, changing nothing', async () => {
      const placedBefore = await ordersOf(buyer);
      const [euros, dollars] = [await product({ stock: 5 }), await product({ stock: 5, currency: 'USD' })];
      const before = await snapshot([euros, dollars]);
      const response = await postOrder(testApp, buyer, [
        { productId: euros.id, quantity: 1 },
        { productId: dollars.id, quantity: 1 },
      ]).expect(400);
      expect(response.body).toMatchObject({ type: expect.stringMatching(/mixed-currencies$/) });
      expect([...response.body.currencies].sort()).toEqual(['EUR', 'USD']);
      expect(await snapshot([euros, dollars])).toEqual(before);
      expect(await ordersOf(buyer)).toEqual(placedBefore);
      expect(await traceOfProducts([euros.id, dollars.id])).toEqual({ orderLines: 0, outboxEvents: 0 });
      const audited = [...(await actionsAbout(euros.id)), ...(await actionsAbout(dollars.id))];
      expect(audited.filter((action) => action === 'product.stock_moved')).toHaveLength(2); // the initial stock only
    });

    it('refuses an order any line of which is short with 409 naming every short product, changing no line', async () => {
      const plenty = await product({ stock: 50 });
      const [short, empty] = [await product({ stock: 2 }), await product({ stock: 0 })];
      const before = await snapshot([plenty, short, empty]);
      const response = await postOrder(testApp, buyer, [
        { productId: plenty.id, quantity: 10 },
        { productId: short.id, quantity: 3 },
        { productId: empty.id, quantity: 1 },
      ]).expect(409);
      expect(response.body.type).toMatch(/insufficient-stock$/);
      expect(response.body.shortages).toEqual(
        expect.arrayContaining([
          { productId: short.id, sku: short.sku, requested: 3, available: 2 },
          { productId: empty.id, sku: empty.sku, requested: 1, available: 0 },
        ]),
      );
      expect(response.body.shortages).toHaveLength(2);
      expect(response.body.detail).toContain(short.sku);
      expect(response.body.detail).toContain(empty.sku);
      expect(await snapshot([plenty, short, empty])).toEqual(before);
      expect(await traceOfProducts([plenty.id, short.id, empty.id])).toEqual({ orderLines: 0, outboxEvents: 0 });
    });

    it.each([['admin'], ['fulfillment'], ['finance'], ['auditor'], ['catalog_manager']] as const)(
      'refuses %s staff placing an order with 403, changing nothing',
      async (role) => {
        const item = await product({ stock: 5 });
        const staff = role === 'admin' ? admin : await createUser(testApp, { roles: [role] });
        const response = await postOrder(testApp, staff, [{ productId: item.id, quantity: 1 }]).expect(403);
        expect(response.body.type).toMatch(/forbidden$/);
        expect(await stockOf(item.id)).toBe(5);
      },
    );

    it('refuses an anonymous caller with 401, with or without a key', async () => {
      const item = await product({ stock: 5 });
      await postOrder(testApp, null, [{ productId: item.id, quantity: 1 }]).expect(401);
      await postOrder(testApp, null, [{ productId: item.id, quantity: 1 }], { key: null }).expect(401);
      expect(await stockOf(item.id)).toBe(5);
    });
  });

  (onRealDatabase ? describe : describe.skip)('in parallel (real server only)', () => {
    it('sells a stock of 10 to exactly 10 of 100 parallel orders, never below zero', async () => {
      const item = await product({ stock: 10 });
      const organizations = [organizationId, (await createOrganization(testApp)).id];
      const buyers = await Promise.all([0, 1, 2, 3, 4].map((index) => buyerIn(organizations[index % 2])));

      const responses = await Promise.all(
        Array.from({ length: 100 }, (_, index) =>
          postOrder(testApp, buyers[index % buyers.length], [{ productId: item.id, quantity: 1 }]),
        ),
      );

      expect(countStatuses(responses)).toEqual({ 201: 10, 409: 90 });
      for (const refused of responses.filter((response) => response.status === 409)) {
        expect(refused.body).toMatchObject({ type: expect.stringMatching(/insufficient-stock$/) });
      }
      expect(await stockOf(item.id)).toBe(0);
      const movements = await orderMovements(item.id);
      expect(movements).toHaveLength(10);
      expect(movements.every((movement) => movement.reason === 'order_placed' && movement.delta === -1)).toBe(true);
      expect(movements.reduce((sum, movement) => sum + movement.delta, 0)).toBe(-10);
      expect(movements.map((movement) => movement.stockAfter).sort((a, b) => a - b)).toEqual([
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
      ]);
      const placed = responses
        .filter((response) => response.status === 201)
        .map((response) => (response.body as TestOrder).id);
      expect(new Set(movements.map((movement) => movement.orderId))).toEqual(new Set(placed));
      const { rows } = await withDatabase((client) =>
        client.query<{ stock: number; min_after: number }>(
          `SELECT p.stock, (SELECT min(stock_after) FROM stock_movements m WHERE m.product_id = p.id) AS min_after
             FROM products p WHERE p.id = $1`,
          [item.id],
        ),
      );
      expect(rows).toEqual([{ stock: 0, min_after: 0 }]);
    });

    it('never deadlocks two products ordered in opposite line orders at once', async () => {
      const [x, y] = [await product({ stock: 30 }), await product({ stock: 30 })];
      const buyers = await Promise.all([0, 1, 2, 3].map(() => buyerIn(organizationId)));
      const lines = (first: TestProduct, second: TestProduct): OrderItem[] => [
        { productId: first.id, quantity: 1 },
        { productId: second.id, quantity: 1 },
      ];

      const responses = await Promise.all(
        Array.from({ length: 40 }, (_, index) =>
          postOrder(testApp, buyers[index % buyers.length], index % 2 === 0 ? lines(x, y) : lines(y, x)),
        ),
      );

      expect(countStatuses(responses)).toEqual({ 201: 30, 409: 10 });
      expect([await stockOf(x.id), await stockOf(y.id)]).toEqual([0, 0]);
    });

    it('returns the stock of an order cancelled twice at once exactly once', async () => {
      const item = await product({ stock: 4 });
      const order = await placeOrder(testApp, buyer, [{ productId: item.id, quantity: 3 }]);
      const responses = await Promise.all(
        [0, 1, 2, 3].map(() => testApp.http.post(`/v1/orders/${order.id}/cancel`).set(bearer(buyer))),
      );
      expect(countStatuses(responses)).toEqual({ 200: 1, 409: 3 });
      expect(await stockOf(item.id)).toBe(4);
      expect((await orderMovements(item.id)).map((movement) => movement.reason)).toEqual([
        'order_cancelled',
        'order_placed',
      ]);
    });
  });

  describe('reading, and other organizations’ orders', () => {
    let colleague: TestUser;
    let orgAdmin: TestUser;
    let outsider: TestUser;
    let outsiderAdmin: TestUser;
    let mine: TestOrder;
    let colleagues: TestOrder;
    let theirs: TestOrder;

    beforeAll(async () => {
      colleague = await buyerIn(organizationId);
      orgAdmin = await createUser(testApp, { roles: ['org_admin'], organizationId });
      outsider = await createUser(testApp, { roles: ['buyer'] });
      outsiderAdmin = await createUser(testApp, {
        roles: ['org_admin'],
        organizationId: outsider.organizationId ?? '',
      });
      const item = await product({ stock: 1_000 });
      mine = await placeOrder(testApp, buyer, [{ productId: item.id, quantity: 1 }]);
      colleagues = await placeOrder(testApp, colleague, [{ productId: item.id, quantity: 1 }]);
      theirs = await placeOrder(testApp, outsider, [{ productId: item.id, quantity: 1 }]);
    });

    const listIds = async (
      by: TestUser,
      path = '/v1/orders',
      query: Record<string, string> = { from: mine.createdAt },
    ) => idsOf({ items: await allPages<{ id: string }>(testApp, by, path, query) });

    it('shows a buyer only the orders they placed', async () => {
      const orders = await allPages<TestOrder>(testApp, buyer, '/v1/orders');
      expect(orders.map((order) => order.id)).toContain(mine.id);
      expect(orders.every((order) => order.placedById === buyer.id)).toBe(true);
      await testApp.http.get(`/v1/orders/${colleagues.id}`).set(bearer(buyer)).expect(404);
      await testApp.http.get(`/v1/invoices/${colleagues.invoiceId}`).set(bearer(buyer)).expect(404);
      const invoices = await allPages<TestInvoice>(testApp, buyer, '/v1/invoices');
      expect(invoices.map((invoice) => invoice.id)).toContain(mine.invoiceId);
      expect(invoices.map((invoice) => invoice.id)).not.toContain(colleagues.invoiceId);
    });

    it('shows an org_admin every order and invoice of its organization, and no other', async () => {
      const orders = await allPages<TestOrder>(testApp, orgAdmin, '/v1/orders');
      expect(orders.map((order) => order.id)).toEqual(expect.arrayContaining([mine.id, colleagues.id]));
      expect(orders.every((order) => order.organizationId === organizationId)).toBe(true);
      expect(await getOrder(orgAdmin, colleagues.id)).toMatchObject({ placedById: colleague.id });
      expect(await getInvoice(orgAdmin, colleagues.invoiceId)).toMatchObject({ orderId: colleagues.id });
      const invoices = await allPages<TestInvoice>(testApp, orgAdmin, '/v1/invoices');
      expect(invoices.map((invoice) => invoice.id)).toEqual(
        expect.arrayContaining([mine.invoiceId, colleagues.invoiceId]),
      );
      expect(invoices.every((invoice) => invoice.organizationId === organizationId)).toBe(true);
    });

    it('answers another organization’s order and invoice with 404 on every route, as for one that does not exist', async () => {
      const refusedAboutMine: string[] = [];
      for (const stranger of [outsider, outsiderAdmin]) {
        for (const id of [mine.id, randomUUID()]) {
          for (const request of [testApp.http.get(`/v1/orders/${id}`), testApp.http.post(`/v1/orders/${id}/cancel`)]) {
            const response = await request.set(bearer(stranger)).expect(404);
            expect(response.body.type).toMatch(/not-found$/);
            expect(response.body.detail).not.toContain(id);
            if (id === mine.id) refusedAboutMine.push(response.body.requestId as string);
          }
        }
        await testApp.http.get(`/v1/invoices/${mine.invoiceId}`).set(bearer(stranger)).expect(404);
        expect(await listIds(stranger)).not.toContain(mine.id);
        expect(await listIds(stranger, '/v1/invoices', {})).not.toContain(mine.invoiceId);
        // Customers may never fulfil (403 for any id, existing or not): the answer tells them nothing of the order.
        const fulfilTheirs = await testApp.http.post(`/v1/orders/${mine.id}/fulfil`).set(bearer(stranger));
        const fulfilNothing = await testApp.http.post(`/v1/orders/${randomUUID()}/fulfil`).set(bearer(stranger));
        expect([fulfilTheirs.status, fulfilNothing.status]).toEqual([403, 403]);
      }
      expect(await getOrder(buyer, mine.id)).toMatchObject({ status: 'pending_payment', version: mine.version });
      expect(await getInvoice(buyer, mine.invoiceId)).toMatchObject({ status: 'open' });
      // Each refusal is in the audit trail, a cancel's too although its transaction rolled back.
      const denials = (await auditEventsAbout(testApp, mine.id)).filter((event) => event.action === 'access.denied');
      expect(denials.map((event) => event.requestId).sort()).toEqual([...refusedAboutMine].sort());
      expect(denials.every((event) => event.outcome === 'denied' && event.details?.status === 404)).toBe(true);
      expect(await outboxEventsAbout(mine.id)).toHaveLength(1);
    });

    it('answers a buyer cancelling a colleague’s order with 404, changing nothing', async () => {
      await testApp.http.post(`/v1/orders/${colleagues.id}/cancel`).set(bearer(buyer)).expect(404);
      expect(await getOrder(colleague, colleagues.id)).toMatchObject({ status: 'pending_payment' });
    });

    it.each([['admin'], ['fulfillment'], ['finance'], ['auditor']] as const)(
      'lets %s staff read every organization’s orders',
      async (role) => {
        const staff = role === 'admin' ? admin : await createUser(testApp, { roles: [role] });
        expect(await listIds(staff)).toEqual(expect.arrayContaining([mine.id, colleagues.id, theirs.id]));
        expect(await getOrder(staff, theirs.id)).toMatchObject({ organizationId: outsider.organizationId });
      },
    );

    it.each([['admin'], ['finance'], ['auditor']] as const)('lets %s staff read every invoice', async (role) => {
      const staff = role === 'admin' ? admin : await createUser(testApp, { roles: [role] });
      expect(await getInvoice(staff, theirs.invoiceId)).toMatchObject({ orderId: theirs.id });
      const invoices = await allPages<TestInvoice>(testApp, staff, '/v1/invoices', { status: 'open' });
      expect(invoices.map((invoice) => invoice.id)).toEqual(expect.arrayContaining([mine.invoiceId, theirs.invoiceId]));
    });

    it('refuses orders to a catalog_manager and invoices to fulfillment with 403', async () => {
      const catalogManager = await createUser(testApp, { roles: ['catalog_manager'] });
      await testApp.http.get('/v1/orders').set(bearer(catalogManager)).expect(403);
      await testApp.http.get(`/v1/orders/${mine.id}`).set(bearer(catalogManager)).expect(403);
      await testApp.http.post(`/v1/orders/${mine.id}/cancel`).set(bearer(catalogManager)).expect(403);
      await testApp.http.get('/v1/invoices').set(bearer(catalogManager)).expect(403);
      const fulfillment = await createUser(testApp, { roles: ['fulfillment'] });
      await testApp.http.get('/v1/invoices').set(bearer(fulfillment)).expect(403);
      await testApp.http.get(`/v1/invoices/${mine.invoiceId}`).set(bearer(fulfillment)).expect(403);
    });

    it('answers anonymous reads with 401', async () => {
      for (const path of ['/v1/orders', `/v1/orders/${mine.id}`, '/v1/invoices', `/v1/invoices/${mine.invoiceId}`]) {
        await testApp.http.get(path).expect(401);
      }
    });

    it('answers an order or invoice id that is not a UUID with 400', async () => {
      await testApp.http.get('/v1/orders/not-a-uuid').set(bearer(buyer)).expect(400);
      await testApp.http.get('/v1/invoices/not-a-uuid').set(bearer(buyer)).expect(400);
    });

    it('returns an ETag with an order and an invoice', async () => {
      const order = await testApp.http.get(`/v1/orders/${mine.id}`).set(bearer(buyer)).expect(200);
      expect(order.headers.etag).toEqual(etagAt(order.body.version));
      const invoice = await testApp.http.get(`/v1/invoices/${mine.invoiceId}`).set(bearer(buyer)).expect(200);
      expect(invoice.headers.etag).toEqual(expect.any(String));
    });
  });

  describe('listing', () => {
    let lister: TestUser;
    let placed: TestOrder[];

    beforeAll(async () => {
      lister = await buyerIn(organizationId);
      const item = await product({ stock: 1_000 });
      placed = [];
      for (let index = 0; index < 5; index += 1) {
        placed.push(await placeOrder(testApp, lister, [{ productId: item.id, quantity: 1 }]));
      }
      await testApp.http.post(`/v1/orders/${placed[1].id}/cancel`).set(bearer(lister)).expect(200);
    });

    const newestFirst = () => [...placed].reverse().map((order) => order.id);

    it('pages a buyer’s orders newest first, each once', async () => {
      const ids: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const response: { body: { items: TestOrder[]; nextCursor: string | null } } = await testApp.http
          .get('/v1/orders')
          .query(cursor ? { limit: 2, cursor } : { limit: 2 })
          .set(bearer(lister))
          .expect(200);
        expect(response.body.items.length).toBeLessThanOrEqual(2);
        ids.push(...idsOf(response.body));
        cursor = response.body.nextCursor;
        pages += 1;
      } while (cursor);
      expect(ids).toEqual(newestFirst());
      expect(pages).toBe(3);
    });

    it('lists an order with its lines, as a GET of it shows them', async () => {
      const [first] = (await testApp.http.get('/v1/orders').query({ limit: 1 }).set(bearer(lister)).expect(200)).body
        .items as TestOrder[];
      expect(first).toEqual(await getOrder(lister, placed[4].id));
    });

    it('filters by status', async () => {
      const cancelled = await allPages<TestOrder>(testApp, lister, '/v1/orders', { status: 'cancelled' });
      expect(cancelled.map((order) => order.id)).toEqual([placed[1].id]);
      const pending = await allPages<TestOrder>(testApp, lister, '/v1/orders', { status: 'pending_payment' });
      expect(pending.map((order) => order.id)).toEqual(newestFirst().filter((id) => id !== placed[1].id));
      const invoices = await allPages<TestInvoice>(testApp, lister, '/v1/invoices', { status: 'void' });
      expect(invoices.map((invoice) => invoice.orderId)).toEqual([placed[1].id]);
    });

    it('filters by the time of placing: from inclusive, to exclusive', async () => {
      const between = await allPages<TestOrder>(testApp, lister, '/v1/orders', {
        from: placed[1].createdAt,
        to: placed[3].createdAt,
      });
      expect(between.map((order) => order.id)).toEqual([placed[2].id, placed[1].id]);
      const from = await allPages<TestOrder>(testApp, lister, '/v1/orders', { from: placed[3].createdAt });
      expect(from.map((order) => order.id)).toEqual([placed[4].id, placed[3].id]);
    });

    it.each([
      ['an unknown status', { status: 'shipped' }, 'status'],
      ['a date that is not ISO 8601', { from: 'yesterday' }, 'from'],
      ['a date without a time zone separator', { to: '2026-01-01 10:00:00' }, 'to'],
      ['a limit above 100', { limit: 101 }, 'limit'],
    ])('refuses %s with 400', async (_what, query, field) => {
      const response = await testApp.http.get('/v1/orders').query(query).set(bearer(lister)).expect(400);
      expect(errorFields(response.body)).toEqual([field]);
    });
  });

  describe('cancelling and fulfilling', () => {
    let fulfillment: TestUser;

    beforeAll(async () => {
      fulfillment = await createUser(testApp, { roles: ['fulfillment'] });
    });

    /** Paid as the customer pays: with a card the simulated provider captures at once. */
    const pay = (order: TestOrder) => payInvoice(testApp, buyer, order.invoiceId);

    it('cancels an order awaiting payment: stock back, invoice void, audit and outbox events', async () => {
      const [a, b] = [await product({ stock: 10 }), await product({ stock: 10 })];
      const order = await placeOrder(testApp, buyer, [
        { productId: a.id, quantity: 3 },
        { productId: b.id, quantity: 10 },
      ]);
      const response = await testApp.http.post(`/v1/orders/${order.id}/cancel`).set(bearer(buyer)).expect(200);
      expect(response.body).toEqual({ ...order, status: 'cancelled', version: 2, updatedAt: expect.any(String) });

      expect([await stockOf(a.id), await stockOf(b.id)]).toEqual([10, 10]);
      expect(await orderMovements(a.id)).toEqual([
        expect.objectContaining({ delta: 3, stockAfter: 10, reason: 'order_cancelled', orderId: order.id }),
        expect.objectContaining({ delta: -3, reason: 'order_placed', orderId: order.id }),
      ]);
      expect((await orderMovements(b.id))[0]).toMatchObject({
        delta: 10,
        reason: 'order_cancelled',
        orderId: order.id,
      });
      expect(await getInvoice(buyer, order.invoiceId)).toMatchObject({ status: 'void', version: 2 });

      const cancelled = (await auditEventsAbout(testApp, order.id)).find((event) => event.action === 'order.cancelled');
      expect(cancelled).toMatchObject({
        actorId: buyer.id,
        changes: { before: { status: 'pending_payment' }, after: { status: 'cancelled' } },
      });
      const voided = (await auditEventsAbout(testApp, order.invoiceId)).find(
        (event) => event.action === 'invoice.voided',
      );
      expect(voided).toMatchObject({
        actorId: buyer.id,
        changes: { before: { status: 'open' }, after: { status: 'void' } },
      });
      const returned = (await auditEventsAbout(testApp, a.id)).filter(
        (event) => event.action === 'product.stock_moved' && event.details?.reason === 'order_cancelled',
      );
      expect(returned).toEqual([expect.objectContaining({ changes: { before: { stock: 7 }, after: { stock: 10 } } })]);

      expect((await outboxEventsAbout(order.id)).map(({ type, payload }) => ({ type, payload }))).toEqual([
        { type: 'order.placed', payload: expect.objectContaining({ orderId: order.id }) },
        {
          type: 'order.cancelled',
          payload: {
            orderId: order.id,
            number: order.number,
            organizationId,
            from: 'pending_payment',
            to: 'cancelled',
          },
        },
      ]);
    });

    it('refuses to cancel a cancelled order with 409 and its current status, returning no stock', async () => {
      const item = await product({ stock: 5 });
      const order = await placeOrder(testApp, buyer, [{ productId: item.id, quantity: 2 }]);
      await testApp.http.post(`/v1/orders/${order.id}/cancel`).set(bearer(buyer)).expect(200);
      const again = await testApp.http.post(`/v1/orders/${order.id}/cancel`).set(bearer(buyer)).expect(409);
      expect(again.body).toMatchObject({
        type: expect.stringMatching(/order-state-conflict$/),
        currentStatus: 'cancelled',
      });
      expect(await stockOf(item.id)).toBe(5);
      expect(await outboxEventsAbout(order.id)).toHaveLength(2);
    });

    it('lets an org_admin cancel a colleague’s order, and fulfillment staff any organization’s', async () => {
      const item = await product({ stock: 5 });
      const orgAdmin = await createUser(testApp, { roles: ['org_admin'], organizationId });
      const first = await placeOrder(testApp, buyer, [{ productId: item.id, quantity: 1 }]);
      const second = await placeOrder(testApp, buyer, [{ productId: item.id, quantity: 1 }]);
      await testApp.http.post(`/v1/orders/${first.id}/cancel`).set(bearer(orgAdmin)).expect(200);
      await testApp.http.post(`/v1/orders/${second.id}/cancel`).set(bearer(fulfillment)).expect(200);
      expect(await stockOf(item.id)).toBe(5);
    });

    it('refuses to fulfil an order awaiting payment with 409 and its current status', async () => {
      const item = await product({ stock: 5 });
      const order = await placeOrder(testApp, buyer, [{ productId: item.id, quantity: 1 }]);
      const response = await testApp.http.post(`/v1/orders/${order.id}/fulfil`).set(bearer(fulfillment)).expect(409);
      expect(response.body).toMatchObject({
        type: expect.stringMatching(/order-state-conflict$/),
        currentStatus: 'pending_payment',
      });
      expect(await getOrder(buyer, order.id)).toMatchObject({ status: 'pending_payment', version: 1 });
    });

    it('fulfils a paid order, with audit and outbox events; a paid order cannot be cancelled', async () => {
      const item = await product({ stock: 5 });
      const order = await placeOrder(testApp, buyer, [{ productId: item.id, quantity: 1 }]);
      await pay(order);

      const cancel = await testApp.http.post(`/v1/orders/${order.id}/cancel`).set(bearer(buyer)).expect(409);
      expect(cancel.body).toMatchObject({ currentStatus: 'paid' });
      expect(await stockOf(item.id)).toBe(4);

      const response = await testApp.http.post(`/v1/orders/${order.id}/fulfil`).set(bearer(fulfillment)).expect(200);
      expect(response.body).toMatchObject({ id: order.id, status: 'fulfilled' });
      expect(await getOrder(buyer, order.id)).toMatchObject({ status: 'fulfilled' });
      const fulfilled = (await auditEventsAbout(testApp, order.id)).find((event) => event.action === 'order.fulfilled');
      expect(fulfilled).toMatchObject({
        actorId: fulfillment.id,
        changes: { before: { status: 'paid' }, after: { status: 'fulfilled' } },
      });
      expect((await outboxEventsAbout(order.id)).map(({ type }) => type)).toEqual([
        'order.placed',
        'order.paid',
        'order.fulfilled',
      ]);

      const again = await testApp.http.post(`/v1/orders/${order.id}/fulfil`).set(bearer(admin)).expect(409);
      expect(again.body).toMatchObject({ currentStatus: 'fulfilled' });
      await testApp.http.post(`/v1/orders/${order.id}/cancel`).set(bearer(fulfillment)).expect(409);
    });

    it('refuses a buyer or an org_admin fulfilling, even their own paid order, with 403', async () => {
      const item = await product({ stock: 5 });
      const orgAdmin = await createUser(testApp, { roles: ['org_admin'], organizationId });
      const order = await placeOrder(testApp, buyer, [{ productId: item.id, quantity: 1 }]);
      await pay(order);
      for (const customer of [buyer, orgAdmin]) {
        const response = await testApp.http.post(`/v1/orders/${order.id}/fulfil`).set(bearer(customer)).expect(403);
        expect(response.body.type).toMatch(/forbidden$/);
      }
      expect(await getOrder(buyer, order.id)).toMatchObject({ status: 'paid' });
    });

    it.each([['finance'], ['auditor']] as const)('refuses %s staff cancelling or fulfilling with 403', async (role) => {
      const item = await product({ stock: 5 });
      const staff = await createUser(testApp, { roles: [role] });
      const order = await placeOrder(testApp, buyer, [{ productId: item.id, quantity: 1 }]);
      await testApp.http.post(`/v1/orders/${order.id}/cancel`).set(bearer(staff)).expect(403);
      await testApp.http.post(`/v1/orders/${order.id}/fulfil`).set(bearer(staff)).expect(403);
      expect(await getOrder(buyer, order.id)).toMatchObject({ status: 'pending_payment' });
    });

    it('answers cancelling or fulfilling an order that does not exist with 404', async () => {
      await testApp.http.post(`/v1/orders/${randomUUID()}/cancel`).set(bearer(fulfillment)).expect(404);
      await testApp.http.post(`/v1/orders/${randomUUID()}/fulfil`).set(bearer(fulfillment)).expect(404);
    });
  });
});

/**
 * With the default quantity limit, apart: two apps alive in one process share
 * passport's strategies, so this one starts after the other has closed.
 */
describe('orders beyond exact arithmetic', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp({ ORDER_MAX_QUANTITY: '10000' });
  });
  afterAll(() => testApp.close());

  it('refuses an order whose amounts exceed exact integers with 400, changing nothing', async () => {
    const admin = await adminSession(testApp);
    const buyer = await createUser(testApp, { roles: ['buyer'] });
    // 10 000 units at the highest price the catalog takes, taxed at 100 %: 2 × 10^16 cents, past 2^53.
    const item = await createProduct(testApp, admin, {
      priceCents: 1_000_000_000_000,
      taxRateBps: 10_000,
      stock: 10_000,
    });
    const response = await postOrder(testApp, buyer, [{ productId: item.id, quantity: 10_000 }]).expect(400);
    expect(response.body.type).toMatch(/order-amount-too-large$/);
    const after = await testApp.http.get(`/v1/products/${item.id}`).set(bearer(admin)).expect(200);
    expect(after.body.stock).toBe(10_000);
    expect(await stockMovements(testApp, admin, item.id)).toHaveLength(1);
  });
});
