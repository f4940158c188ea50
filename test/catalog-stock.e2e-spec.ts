import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Product } from '../src/catalog/entities/product.entity';
import { StockMovement } from '../src/catalog/entities/stock-movement.entity';
import { auditEventsAbout } from './support/audit-trail';
import { createProduct, type StockMovementBody, stockMovements } from './support/catalog';
import { adminSession, bearer, createUser, type TestUser } from './support/identity';
import { onRealDatabase, startTestApp, type TestApp } from './support/test-app';

/**
 * Stock: it moves only through movements that explain it line by line, never
 * goes below zero (409, nothing changed), not even under 50 adjustments at
 * once, and each move is an audit event with its before and after.
 */
describe('catalog: stock', () => {
  let testApp: TestApp;
  let admin: TestUser;
  let manager: TestUser;
  let fulfillment: TestUser;
  let auditor: TestUser;

  const adjust = (productId: string, body: object, as: TestUser = fulfillment) =>
    testApp.http.post(`/v1/products/${productId}/stock-adjustments`).set(bearer(as)).send(body);
  const stockOf = async (productId: string) =>
    (await testApp.app.get(DataSource).getRepository(Product).findOneByOrFail({ id: productId })).stock;
  const stockEvents = async (productId: string) =>
    (await auditEventsAbout(testApp, productId)).filter((event) => event.action === 'product.stock_moved');

  /**
   * Movements oldest first, each checked to follow from the one before it:
   * the stock after it is the stock before plus its delta, never below zero.
   * Returns the stock they add up to.
   */
  function explainedStock(newestFirst: StockMovementBody[]): number {
    let stock = 0;
    for (const movement of [...newestFirst].reverse()) {
      expect(movement.delta).not.toBe(0);
      expect({ id: movement.id, stockAfter: movement.stockAfter }).toEqual({
        id: movement.id,
        stockAfter: stock + movement.delta,
      });
      expect(movement.stockAfter).toBeGreaterThanOrEqual(0);
      stock = movement.stockAfter;
    }
    return stock;
  }

  /**
   * The requests all at once on a real server; one after another on the
   * embedded one, whose single backend cannot run transactions side by side.
   */
  async function allAtOnce<T>(tasks: (() => Promise<T>)[]): Promise<T[]> {
    if (onRealDatabase) return Promise.all(tasks.map((task) => task()));
    const results: T[] = [];
    for (const task of tasks) results.push(await task());
    return results;
  }

  beforeAll(async () => {
    testApp = await startTestApp();
    admin = await adminSession(testApp);
    manager = await createUser(testApp, { roles: ['catalog_manager'] });
    fulfillment = await createUser(testApp, { roles: ['fulfillment'] });
    auditor = await createUser(testApp, { roles: ['auditor'] });
  });
  afterAll(() => testApp.close());

  it('records the initial stock of a new product as an `initial` movement and an audit event', async () => {
    const product = await createProduct(testApp, manager, { stock: 12 });
    expect(product.stock).toBe(12);
    const movements = await stockMovements(testApp, auditor, product.id);
    expect(movements).toEqual([
      {
        id: expect.any(String),
        productId: product.id,
        delta: 12,
        stockAfter: 12,
        reason: 'initial',
        note: null,
        actorId: manager.id,
        orderId: null,
        createdAt: expect.any(String),
      },
    ]);
    const [event] = await stockEvents(product.id);
    expect(event).toMatchObject({
      actorId: manager.id,
      resourceType: 'Product',
      changes: { before: { stock: 0 }, after: { stock: 12 } },
      details: { movementId: movements[0].id, delta: 12, reason: 'initial' },
    });
  });

  it('records no movement for a product created without stock', async () => {
    const product = await createProduct(testApp, manager);
    expect(product.stock).toBe(0);
    expect(await stockMovements(testApp, auditor, product.id)).toEqual([]);
    expect(await stockEvents(product.id)).toEqual([]);
  });

  it('adjusts stock in and out with a reason and a note, each a movement (201) and an audit event', async () => {
    const product = await createProduct(testApp, manager, { stock: 5 });
    const received = await adjust(product.id, { delta: 20, reason: 'received', note: 'Delivery note 4711' }).expect(
      201,
    );
    expect(received.body).toEqual({
      id: expect.any(String),
      productId: product.id,
      delta: 20,
      stockAfter: 25,
      reason: 'received',
      note: 'Delivery note 4711',
      actorId: fulfillment.id,
      orderId: null,
      createdAt: expect.any(String),
    });
    const damaged = await adjust(product.id, { delta: -3, reason: 'damaged' }, manager).expect(201);
    expect(damaged.body).toMatchObject({ delta: -3, stockAfter: 22, note: null, actorId: manager.id });
    expect(await stockOf(product.id)).toBe(22);
    expect((await testApp.http.get(`/v1/products/${product.id}`).expect(200)).body.stock).toBe(22);

    const movements = await stockMovements(testApp, fulfillment, product.id);
    expect(movements.map((movement) => movement.reason)).toEqual(['damaged', 'received', 'initial']);
    expect(explainedStock(movements)).toBe(22);
    expect((await stockEvents(product.id)).map((event) => [event.actorId, event.changes, event.details])).toEqual([
      [manager.id, { before: { stock: 0 }, after: { stock: 5 } }, expect.objectContaining({ reason: 'initial' })],
      [
        fulfillment.id,
        { before: { stock: 5 }, after: { stock: 25 } },
        expect.objectContaining({ movementId: received.body.id, delta: 20, note: 'Delivery note 4711' }),
      ],
      [
        manager.id,
        { before: { stock: 25 }, after: { stock: 22 } },
        expect.objectContaining({ movementId: damaged.body.id, delta: -3, reason: 'damaged' }),
      ],
    ]);
  });

  it('refuses an adjustment that would take stock below zero with 409, changing nothing', async () => {
    const product = await createProduct(testApp, manager, { stock: 2 });
    const response = await adjust(product.id, { delta: -3, reason: 'counted' }).expect(409);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ type: expect.stringMatching(/insufficient-stock$/), stock: 2 });
    expect(await stockOf(product.id)).toBe(2);
    expect(await stockMovements(testApp, admin, product.id)).toHaveLength(1);
    expect(await stockEvents(product.id)).toHaveLength(1);
    // Down to exactly zero is fine.
    await adjust(product.id, { delta: -2, reason: 'counted' }).expect(201);
    expect(await stockOf(product.id)).toBe(0);
    await adjust(product.id, { delta: -1, reason: 'correction' }).expect(409);
  });

  it('takes 30 of 50 units out of a stock of 30, one at a time, never below zero, every line explained', async () => {
    const product = await createProduct(testApp, manager, { stock: 30 });
    const responses = await allAtOnce(
      Array.from(
        { length: 50 },
        (_unused, index) => () =>
          adjust(product.id, { delta: -1, reason: 'correction', note: `unit ${index}` }, index % 2 ? manager : admin),
      ),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(30);
    expect(statuses.filter((status) => status === 409)).toHaveLength(20);
    expect(await stockOf(product.id)).toBe(0);

    // Each success saw its own stock after: 29 down to 0, each once.
    const stockAfters = responses
      .filter((response) => response.status === 201)
      .map((response) => (response.body as StockMovementBody).stockAfter);
    expect([...stockAfters].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_unused, index) => index));

    const movements = await stockMovements(testApp, auditor, product.id);
    expect(movements).toHaveLength(31);
    expect(movements.at(-1)).toMatchObject({ reason: 'initial', delta: 30, stockAfter: 30 });
    expect(explainedStock(movements)).toBe(0);
    const stored = await testApp.app.get(DataSource).getRepository(StockMovement).findBy({ productId: product.id });
    expect(stored.reduce((sum, movement) => sum + movement.delta, 0)).toBe(0);
    expect(await stockEvents(product.id)).toHaveLength(31);
  });

  it('keeps every line explained when units go in and out at the same time', async () => {
    const product = await createProduct(testApp, manager, { stock: 3 });
    const deltas = Array.from({ length: 30 }, (_unused, index) => (index % 3 === 0 ? 2 : -1));
    const responses = await allAtOnce(
      deltas.map((delta) => () => adjust(product.id, { delta, reason: delta > 0 ? 'returned' : 'damaged' })),
    );
    expect(responses.every((response) => response.status === 201 || response.status === 409)).toBe(true);
    const applied = responses
      .filter((response) => response.status === 201)
      .reduce((sum, response) => sum + (response.body as StockMovementBody).delta, 0);
    expect(await stockOf(product.id)).toBe(3 + applied);
    expect(explainedStock(await stockMovements(testApp, auditor, product.id))).toBe(3 + applied);
    // Only removals can be refused.
    expect(responses.filter((response, index) => response.status === 409 && deltas[index] > 0)).toEqual([]);
  });

  it.each([
    ['a zero delta', { delta: 0, reason: 'counted' }, 'delta'],
    ['a fractional delta', { delta: 1.5, reason: 'counted' }, 'delta'],
    ['a delta as a string', { delta: '5', reason: 'counted' }, 'delta'],
    ['a delta beyond any stock', { delta: 1_000_000_001, reason: 'counted' }, 'delta'],
    ['no reason', { delta: 1 }, 'reason'],
    ['a reason only the system gives (initial)', { delta: 1, reason: 'initial' }, 'reason'],
    ['a reason only orders give', { delta: -1, reason: 'order_placed' }, 'reason'],
    ['a note with a NUL', { delta: 1, reason: 'counted', note: 'a\u0000' }, 'note'],
    ['a null note', { delta: 1, reason: 'counted', note: null }, 'note'],
  ])('refuses %s with a 400 problem naming the field, moving nothing', async (_what, body, field) => {
    const product = await createProduct(testApp, manager, { stock: 1 });
    const response = await adjust(product.id, body).expect(400);
    expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    expect(await stockOf(product.id)).toBe(1);
    expect(await stockMovements(testApp, auditor, product.id)).toHaveLength(1);
  });

  it('answers 404 for the stock of a product that does not exist', async () => {
    const id = randomUUID();
    await adjust(id, { delta: 1, reason: 'received' }).expect(404);
    await testApp.http.get(`/v1/products/${id}/stock-movements`).set(bearer(auditor)).expect(404);
  });

  it('shows an archived product’s movements to staff who may read stock, and refuses everyone else', async () => {
    const product = await createProduct(testApp, manager, { stock: 4 });
    await testApp.http.delete(`/v1/products/${product.id}`).set(bearer(manager)).expect(204);
    await adjust(product.id, { delta: -4, reason: 'damaged' }).expect(201);
    expect((await stockMovements(testApp, auditor, product.id)).map((movement) => movement.stockAfter)).toEqual([0, 4]);
    const finance = await createUser(testApp, { roles: ['finance'] });
    const buyer = await createUser(testApp, { roles: ['buyer'] });
    for (const who of [finance, buyer]) {
      await testApp.http.get(`/v1/products/${product.id}/stock-movements`).set(bearer(who)).expect(403);
      await adjust(product.id, { delta: 1, reason: 'received' }, who).expect(403);
    }
    await adjust(product.id, { delta: 1, reason: 'received' }, auditor).expect(403);
    await testApp.http.get(`/v1/products/${product.id}/stock-movements`).expect(401);
  });

  it('pages movements newest first', async () => {
    const product = await createProduct(testApp, manager, { stock: 1 });
    for (let index = 0; index < 4; index += 1) await adjust(product.id, { delta: 1, reason: 'received' }).expect(201);
    const first = await testApp.http
      .get(`/v1/products/${product.id}/stock-movements`)
      .query({ limit: 2 })
      .set(bearer(auditor))
      .expect(200);
    expect((first.body.items as StockMovementBody[]).map((movement) => movement.stockAfter)).toEqual([5, 4]);
    const second = await testApp.http
      .get(`/v1/products/${product.id}/stock-movements`)
      .query({ limit: 10, cursor: first.body.nextCursor })
      .set(bearer(auditor))
      .expect(200);
    expect(second.body).toEqual({
      items: [
        expect.objectContaining({ stockAfter: 3 }),
        expect.objectContaining({ stockAfter: 2 }),
        expect.objectContaining({ stockAfter: 1, reason: 'initial' }),
      ],
      nextCursor: null,
    });
  });
});
