import { randomUUID } from 'node:crypto';
import { IdempotencyPurger } from '../src/platform/idempotency/idempotency-purger';
import { createProduct, type TestProduct } from './support/catalog';
import { adminSession, bearer, createUser, type TestUser } from './support/identity';
import { allPages, countStatuses, type OrderItem, postOrder, shippingAddress, type TestOrder } from './support/orders';
import { withDatabase } from './support/raw-sql';
import { startTestApp, type TestApp } from './support/test-app';

/** The Idempotency-Key of POST /v1/orders, shared by every idempotent operation (see platform/idempotency). */
describe('idempotency keys', () => {
  let testApp: TestApp;
  let admin: TestUser;

  const product = (stock: number): Promise<TestProduct> => createProduct(testApp, admin, { stock });
  const stockOf = async (productId: string): Promise<number> =>
    (await testApp.http.get(`/v1/products/${productId}`).set(bearer(admin)).expect(200)).body.stock as number;
  /** A buyer of a new organization, with no order yet. */
  const newBuyer = (organizationId?: string) => createUser(testApp, { roles: ['buyer'], organizationId });
  const ordersOf = (buyer: TestUser) => allPages<TestOrder>(testApp, buyer, '/v1/orders');
  const orderBody = (items: OrderItem[]) => ({ items, shippingAddress: shippingAddress() });
  const post = (by: TestUser, key: string, body: Record<string, unknown>) => postOrder(testApp, by, [], { key, body });
  const keyRow = (scope: string, key: string) =>
    withDatabase(async (client) => {
      const { rows } = await client.query<{ state: string; attempt: number; response_status: number | null }>(
        'SELECT state, attempt, response_status FROM idempotency_keys WHERE scope = $1 AND key = $2',
        [scope, key],
      );
      return rows[0] ?? null;
    });
  const updateKey = (scope: string, key: string, set: string) =>
    withDatabase((client) =>
      client.query(`UPDATE idempotency_keys SET ${set} WHERE scope = $1 AND key = $2`, [scope, key]),
    );

  beforeAll(async () => {
    testApp = await startTestApp({ RATE_LIMIT_MAX: '100000' });
    admin = await adminSession(testApp);
  });
  afterAll(() => testApp.close());

  it('places one order for 20 parallel requests with one key: each answer is that order or a 409', async () => {
    const buyer = await newBuyer();
    const item = await product(100);
    const key = randomUUID();
    const body = orderBody([{ productId: item.id, quantity: 3 }]);

    const responses = await Promise.all(Array.from({ length: 20 }, () => post(buyer, key, body)));

    const orders = await ordersOf(buyer);
    expect(orders).toHaveLength(1);
    expect(await stockOf(item.id)).toBe(97);
    const statuses = countStatuses(responses);
    expect(Object.keys(statuses).sort()).toEqual(expect.arrayContaining(['201']));
    expect((statuses[201] ?? 0) + (statuses[409] ?? 0)).toBe(20);
    for (const response of responses) {
      if (response.status === 201) expect(response.body.id).toBe(orders[0].id);
      else {
        expect(response.body.type).toMatch(/idempotent-request-in-flight$/);
        expect(response.headers['retry-after']).toMatch(/^[1-9]\d*$/);
      }
    }
    // One of them placed it; any other 201 is a replay of it.
    const originals = responses.filter(
      (response) => response.status === 201 && response.headers['idempotent-replayed'] === undefined,
    );
    expect(originals).toHaveLength(1);

    const later = await post(buyer, key, body).expect(201);
    expect(later.headers['idempotent-replayed']).toBe('true');
    expect(later.headers['content-type']).toMatch(/^application\/json/);
    expect(later.text).toBe(originals[0].text);
    expect(await ordersOf(buyer)).toHaveLength(1);
  });

  it('replays the first response, byte for byte, to the same body in any member order; nothing is done again', async () => {
    const buyer = await newBuyer();
    const item = await product(10);
    const key = randomUUID();
    const body = orderBody([{ productId: item.id, quantity: 2 }]);
    const first = await post(buyer, key, body).expect(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();

    const { shippingAddress: address, items } = body;
    for (const again of [body, { shippingAddress: { ...address }, items }]) {
      const replay = await post(buyer, key, again).expect(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.text).toBe(first.text);
    }
    expect(await stockOf(item.id)).toBe(8);
    expect(await ordersOf(buyer)).toHaveLength(1);
    expect(await keyRow(buyer.id, key)).toMatchObject({ state: 'completed', response_status: 201 });
  });

  it('replays the response as it was first sent, even after the order changed', async () => {
    const buyer = await newBuyer();
    const item = await product(10);
    const key = randomUUID();
    const body = orderBody([{ productId: item.id, quantity: 1 }]);
    const first = await post(buyer, key, body).expect(201);
    await testApp.http.post(`/v1/orders/${first.body.id}/cancel`).set(bearer(buyer)).expect(200);
    const replay = await post(buyer, key, body).expect(201);
    expect(replay.body).toMatchObject({ id: first.body.id, status: 'pending_payment' });
    expect(await stockOf(item.id)).toBe(10);
  });

  it('refuses the same key with another body with 422, changing nothing', async () => {
    const buyer = await newBuyer();
    const item = await product(10);
    const key = randomUUID();
    await post(buyer, key, orderBody([{ productId: item.id, quantity: 1 }])).expect(201);
    for (const other of [
      orderBody([{ productId: item.id, quantity: 2 }]),
      { items: [{ productId: item.id, quantity: 1 }], shippingAddress: shippingAddress({ city: 'Bremen' }) },
    ]) {
      const response = await post(buyer, key, other).expect(422);
      expect(response.body).toMatchObject({
        type: expect.stringMatching(/idempotency-key-reused$/),
        status: 422,
      });
    }
    expect(await stockOf(item.id)).toBe(9);
    expect(await ordersOf(buyer)).toHaveLength(1);
  });

  it('keeps each caller’s keys apart: the same key from a colleague or another organization places its own order', async () => {
    const buyer = await newBuyer();
    const colleague = await newBuyer(buyer.organizationId ?? undefined);
    const stranger = await newBuyer();
    const item = await product(10);
    const key = randomUUID();
    const body = orderBody([{ productId: item.id, quantity: 1 }]);

    const responses = [];
    for (const caller of [buyer, colleague, stranger]) responses.push(await post(caller, key, body).expect(201));
    const orders = responses.map((response) => response.body as TestOrder);

    expect(new Set(orders.map((order) => order.id)).size).toBe(3);
    expect(responses.map((response) => response.headers['idempotent-replayed'])).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(orders.map((order) => order.placedById)).toEqual([buyer.id, colleague.id, stranger.id]);
    expect(await stockOf(item.id)).toBe(7);
    // Another body under the key is still 422 for each of them: each has its own record of it.
    await post(colleague, key, orderBody([{ productId: item.id, quantity: 2 }])).expect(422);
  });

  it('scopes keys to the user an API key acts for: through the key, the user’s order is replayed', async () => {
    const buyer = await newBuyer();
    const item = await product(10);
    const key = randomUUID();
    const body = orderBody([{ productId: item.id, quantity: 1 }]);
    const created = await testApp.http
      .post('/v1/api-keys')
      .set(bearer(buyer))
      .send({ name: 'ERP order sync', roles: ['buyer'] })
      .expect(201);
    const apiKey = created.body.key as string;

    const placed = await post(buyer, key, body).expect(201);
    const throughKey = await testApp.http
      .post('/v1/orders')
      .set('X-API-Key', apiKey)
      .set('Idempotency-Key', key)
      .send(body)
      .expect(201);
    expect(throughKey.headers['idempotent-replayed']).toBe('true');
    expect(throughKey.text).toBe(placed.text);
    const fresh = await testApp.http
      .post('/v1/orders')
      .set('X-API-Key', apiKey)
      .set('Idempotency-Key', randomUUID())
      .send(body)
      .expect(201);
    expect(fresh.body).toMatchObject({ placedById: buyer.id, organizationId: buyer.organizationId });
    expect(await stockOf(item.id)).toBe(8);
  });

  it('releases the key of a request that failed (409 out of stock), so a retry can succeed once stock arrives', async () => {
    const buyer = await newBuyer();
    const item = await product(1);
    const key = randomUUID();
    const body = orderBody([{ productId: item.id, quantity: 2 }]);
    const refused = await post(buyer, key, body).expect(409);
    expect(refused.body.type).toMatch(/insufficient-stock$/);
    expect(await keyRow(buyer.id, key)).toBeNull();

    await testApp.http
      .post(`/v1/products/${item.id}/stock-adjustments`)
      .set(bearer(admin))
      .send({ delta: 5, reason: 'received' })
      .expect(201);
    const placed = await post(buyer, key, body).expect(201);
    expect(placed.headers['idempotent-replayed']).toBeUndefined();
    expect(placed.body).toMatchObject({ status: 'pending_payment', lines: [{ productId: item.id, quantity: 2 }] });
    expect(await stockOf(item.id)).toBe(4);
  });

  it('releases the key of a request refused as invalid (400), so the corrected request may use it', async () => {
    const buyer = await newBuyer();
    const item = await product(5);
    const key = randomUUID();
    await post(buyer, key, orderBody([{ productId: randomUUID(), quantity: 1 }])).expect(400);
    await post(buyer, key, { items: [{ productId: item.id, quantity: 1 }] }).expect(400);
    await post(buyer, key, orderBody([{ productId: item.id, quantity: 1 }])).expect(201);
    expect(await stockOf(item.id)).toBe(4);
  });

  it('fingerprints any JSON: a lone surrogate in the body is the validation’s 400, not a 500', async () => {
    const buyer = await newBuyer();
    const item = await product(5);
    const key = randomUUID();
    const items = [{ productId: item.id, quantity: 1 }];
    const inAField = await post(buyer, key, { items, shippingAddress: shippingAddress({ name: 'Dock \ud800' }) });
    expect(inAField.status).toBe(400);
    expect(inAField.body.errors).toEqual([expect.objectContaining({ field: 'shippingAddress.name' })]);
    const asTheBody = await testApp.http
      .post('/v1/orders')
      .set(bearer(buyer))
      .set('Idempotency-Key', key)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify('\udc00'))
      .expect(400);
    expect(asTheBody.body.type).toMatch(/validation-failed$/);
    expect(await keyRow(buyer.id, key)).toBeNull();
    await post(buyer, key, orderBody(items)).expect(201);
  });

  it('answers a duplicate while the first request is in flight with 409, and takes over a claim whose lease ran out', async () => {
    const buyer = await newBuyer();
    const item = await product(10);
    const key = randomUUID();
    const body = orderBody([{ productId: item.id, quantity: 1 }]);
    await post(buyer, key, body).expect(201);
    // As a request that claimed the key and whose process died before its transaction committed would leave it.
    await updateKey(
      buyer.id,
      key,
      `state = 'in_flight', response_status = NULL, response_body = NULL, lease_until = now() + interval '1 hour'`,
    );

    const inFlight = await post(buyer, key, body).expect(409);
    expect(inFlight.body.type).toMatch(/idempotent-request-in-flight$/);
    await post(buyer, key, orderBody([{ productId: item.id, quantity: 2 }])).expect(422);

    await updateKey(buyer.id, key, `lease_until = now() - interval '1 second'`);
    // The lease is over: a retry of the same request runs it (the dead one's work never committed).
    const retried = await post(buyer, key, body).expect(201);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    expect(await keyRow(buyer.id, key)).toMatchObject({ state: 'completed', attempt: 2 });
    const replay = await post(buyer, key, body).expect(201);
    expect(replay.body.id).toBe(retried.body.id);
  });

  it('tells a duplicate in flight to retry after as long as the first request has run, at least 1 s, never past its lease', async () => {
    const buyer = await newBuyer();
    const item = await product(10);
    const key = randomUUID();
    const body = orderBody([{ productId: item.id, quantity: 1 }]);
    await post(buyer, key, body).expect(201);
    const inFlight = async (startedAgo: string, leaseLeft: string): Promise<number> => {
      await updateKey(
        buyer.id,
        key,
        `state = 'in_flight', response_status = NULL, response_body = NULL,
         created_at = now() - interval '${startedAgo}', lease_until = now() + interval '${leaseLeft}'`,
      );
      const response = await post(buyer, key, body).expect(409);
      expect(response.body.type).toMatch(/idempotent-request-in-flight$/);
      return Number(response.headers['retry-after']);
    };

    // Just begun: it is most likely done within the second.
    expect(await inFlight('200 milliseconds', '1 hour')).toBe(1);
    // Running for 20 s: it may well need as long again.
    const afterLongRun = await inFlight('20 seconds', '1 hour');
    expect(afterLongRun).toBeGreaterThanOrEqual(20);
    expect(afterLongRun).toBeLessThanOrEqual(25);
    // Its lease ends sooner: then a retry takes the key over, whatever became of the first.
    const atLeaseEnd = await inFlight('50 seconds', '5 seconds');
    expect(atLeaseEnd).toBeGreaterThanOrEqual(1);
    expect(atLeaseEnd).toBeLessThanOrEqual(5);
    expect(await inFlight('50 seconds', '100 milliseconds')).toBe(1);
  });

  it('purges expired keys and keeps the others; an expired key is a new key', async () => {
    const buyer = await newBuyer();
    const item = await product(10);
    const [expiring, kept] = [randomUUID(), randomUUID()];
    const body = orderBody([{ productId: item.id, quantity: 1 }]);
    await post(buyer, expiring, body).expect(201);
    await post(buyer, kept, body).expect(201);
    // Rather than wait out IDEMPOTENCY_RETENTION_MS (24 h; at least a minute): the key's retention ends now.
    await updateKey(buyer.id, expiring, `expires_at = now() - interval '1 second'`);

    // Expired but not yet purged: already as good as gone.
    const reused = await post(buyer, expiring, orderBody([{ productId: item.id, quantity: 2 }])).expect(201);
    expect(reused.headers['idempotent-replayed']).toBeUndefined();
    await updateKey(buyer.id, expiring, `expires_at = now() - interval '1 second'`);

    expect(await testApp.app.get(IdempotencyPurger).purge()).toBeGreaterThanOrEqual(1);
    expect(await keyRow(buyer.id, expiring)).toBeNull();
    expect(await keyRow(buyer.id, kept)).toMatchObject({ state: 'completed' });
    await post(buyer, kept, body).expect(201).expect('idempotent-replayed', 'true');
    expect(await ordersOf(buyer)).toHaveLength(3);
  });
});
