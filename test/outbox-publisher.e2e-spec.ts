import { randomBytes } from 'node:crypto';
import { DeliverPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { OutboxPublisher } from '../src/platform/outbox/outbox-publisher';
import { createProduct, type TestProduct } from './support/catalog';
import { adminSession, bearer, createUser, type TestUser } from './support/identity';
import { placeOrder } from './support/orders';
import { withDatabase } from './support/raw-sql';
import { onRealDatabase, startTestApp, type TestApp } from './support/test-app';
import { TcpProxy } from './support/tcp-proxy';

const brokerUrl = process.env.TEST_BROKER_URL ?? '';

interface PublishedEvent {
  messageId: string;
  subject: string;
  event: { id: string; type: string; aggregate: { type: string; id: string }; occurredAt: string; payload: object };
}

/**
 * Domain events leave through the outbox to a real NATS JetStream server
 * (this machine's, or TEST_BROKER_URL), into a stream of this file's own.
 * The publishers here run when the test says (a long interval otherwise).
 */
(brokerUrl ? describe : describe.skip)('Domain events published from the outbox to NATS JetStream', () => {
  const stream = `TEST_${randomBytes(4).toString('hex').toUpperCase()}`;
  const settings = { BROKER_STREAM: stream, OUTBOX_PUBLISH_INTERVAL_MS: '60000' };
  let testApp: TestApp;
  let admin: TestUser;
  let buyer: TestUser;
  let product: TestProduct;
  /** A second replica on the same database and broker. */
  let replica: TestApp;
  /** A replica that reaches the broker through `proxy`, which the test can cut. */
  let cutOff: TestApp;
  let proxy: TcpProxy;
  let nats: NatsConnection;
  let manager: JetStreamManager;

  // Passport keeps one strategy per name for the whole process, the last app's: every app here lives until the end.
  beforeAll(async () => {
    nats = await connect({ servers: brokerUrl });
    manager = await jetstreamManager(nats);
    // Made as an operator (or an older release) would: the server's default duplicate window of 2 minutes.
    await manager.streams.add({ name: stream, subjects: [`${stream.toLowerCase()}.>`] });
    testApp = await startTestApp({ ...settings, BROKER_URL: brokerUrl });
    replica = await startTestApp({ ...settings, BROKER_URL: brokerUrl });
    const broker = new URL(brokerUrl);
    proxy = await TcpProxy.start({ host: broker.hostname, port: Number(broker.port || 4222) });
    cutOff = await startTestApp({ ...settings, BROKER_URL: `nats://127.0.0.1:${proxy.port}` });
    admin = await adminSession(testApp);
    buyer = await createUser(testApp, { roles: ['buyer'] });
    product = await createProduct(testApp, admin, { stock: 1_000 });
  });

  afterAll(async () => {
    for (const app of [cutOff, replica, testApp]) await app?.close();
    await proxy?.close();
    await manager?.streams.delete(stream).catch(() => undefined);
    await nats?.close();
  });

  const publish = (app: TestApp = testApp) => app.app.get(OutboxPublisher).publishPending();

  /** Events an app published that the stream already had, from its /metrics. */
  async function republished(app: TestApp): Promise<number> {
    const { text } = await app.http.get('/metrics').expect(200);
    return Number(/^outbox_events_republished_total (\d+)$/m.exec(text)?.[1] ?? 0);
  }

  /** Every message of the stream about `aggregateId`, in stream order. */
  async function publishedAbout(aggregateId: string): Promise<PublishedEvent[]> {
    const consumer = await jetstream(nats).consumers.get(stream, { deliver_policy: DeliverPolicy.All });
    const { state } = await manager.streams.info(stream);
    const found: PublishedEvent[] = [];
    let read = 0;
    while (read < state.messages) {
      const batch = await consumer.fetch({ max_messages: Math.min(500, state.messages - read), expires: 2_000 });
      let got = 0;
      for await (const message of batch) {
        got++;
        const event = message.json<PublishedEvent['event']>();
        if (event.aggregate.id !== aggregateId) continue;
        found.push({ messageId: message.headers?.get('Nats-Msg-Id') ?? '', subject: message.subject, event });
      }
      if (got === 0) break;
      read += got;
    }
    return found;
  }

  async function outboxRowsAbout(aggregateId: string): Promise<{ id: string; type: string; published: boolean }[]> {
    return withDatabase(async (client) => {
      const { rows } = await client.query<{ id: string; type: string; published: boolean }>(
        `SELECT id, type, published_at IS NOT NULL AS published FROM outbox_events
          WHERE aggregate_id = $1 ORDER BY created_at, id`,
        [aggregateId],
      );
      return rows;
    });
  }

  const placeAndCancel = async () => {
    const order = await placeOrder(testApp, buyer, [{ productId: product.id, quantity: 1 }]);
    await testApp.http.post(`/v1/orders/${order.id}/cancel`).set(bearer(buyer)).expect(200);
    return order.id;
  };

  it('publishes what happened to an order in that order, each event once under its outbox id, then marks it published', async () => {
    const orderId = await placeAndCancel();
    const rows = await outboxRowsAbout(orderId);
    expect(rows.map(({ type, published }) => [type, published])).toEqual([
      ['order.placed', false],
      ['order.cancelled', false],
    ]);

    expect(await publish()).toBeGreaterThanOrEqual(2);

    const published = await publishedAbout(orderId);
    const prefix = stream.toLowerCase();
    expect(published.map(({ subject }) => subject)).toEqual([`${prefix}.order.placed`, `${prefix}.order.cancelled`]);
    expect(published.map(({ messageId }) => messageId)).toEqual(rows.map(({ id }) => id));
    expect(published[0].event).toMatchObject({
      id: rows[0].id,
      type: 'order.placed',
      aggregate: { type: 'Order', id: orderId },
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect((await outboxRowsAbout(orderId)).every(({ published }) => published)).toBe(true);
    expect(await publishedAbout(orderId)).toHaveLength(2);
    // The stream remembers ids for an hour, whoever made it.
    expect((await manager.streams.info(stream)).config.duplicate_window).toBe(3_600_000_000_000);
  });

  it('stores an event published again (the process died before marking it) once', async () => {
    const orderId = await placeAndCancel();
    await publish();
    await withDatabase((client) =>
      client.query('UPDATE outbox_events SET published_at = NULL WHERE aggregate_id = $1', [orderId]),
    );

    const before = await republished(testApp);
    expect(await publish()).toBeGreaterThanOrEqual(2);

    expect(await republished(testApp)).toBe(before + 2);
    expect((await publishedAbout(orderId)).map(({ event }) => event.type)).toEqual(['order.placed', 'order.cancelled']);
    expect((await outboxRowsAbout(orderId)).every(({ published }) => published)).toBe(true);
  });

  // Real server only: the embedded database serves one process, and its connections share one session,
  // whose advisory locks therefore exclude nobody.
  (onRealDatabase ? it : it.skip)(
    'publishes each event once when two replicas publish at the same moment',
    async () => {
      const orderIds = [];
      for (let i = 0; i < 5; i++) orderIds.push(await placeAndCancel());
      const before = (await republished(testApp)) + (await republished(replica));
      await Promise.all([publish(), publish(replica), publish(), publish(replica)]);
      // One publisher at a time: nothing was sent twice (the stream would have hidden it, the counter does not).
      expect((await republished(testApp)) + (await republished(replica))).toBe(before);
      for (const orderId of orderIds) {
        expect((await publishedAbout(orderId)).map(({ event }) => event.type)).toEqual([
          'order.placed',
          'order.cancelled',
        ]);
      }
    },
  );

  it('deletes published events once they are older than OUTBOX_RETENTION_MS, and never an unpublished one', async () => {
    const [old, recent, waiting] = [await placeAndCancel(), await placeAndCancel(), await placeAndCancel()];
    await publish();
    await withDatabase(async (client) => {
      await client.query(`UPDATE outbox_events SET published_at = now() - interval '8 days' WHERE aggregate_id = $1`, [
        old,
      ]);
      // Never published, however old: it waits for the broker.
      await client.query(
        `UPDATE outbox_events SET published_at = NULL, created_at = now() - interval '30 days' WHERE aggregate_id = $1`,
        [waiting],
      );
    });

    expect(await testApp.app.get(OutboxPublisher).purgePublished()).toBeGreaterThanOrEqual(2);

    expect(await outboxRowsAbout(old)).toEqual([]);
    expect((await outboxRowsAbout(recent)).map(({ published }) => published)).toEqual([true, true]);
    expect((await outboxRowsAbout(waiting)).map(({ published }) => published)).toEqual([false, false]);
  });

  it('keeps the events while the broker is away, and publishes them when it is back', async () => {
    const gone = async () => {
      const orderId = await placeAndCancel();
      await expect(publish(cutOff)).rejects.toThrow();
      expect((await outboxRowsAbout(orderId)).map(({ published }) => published)).toEqual([false, false]);
      return orderId;
    };
    const back = async (orderId: string) => {
      // The client reconnects by itself, within a few seconds.
      for (let attempt = 0; attempt < 40; attempt++) {
        if (
          await publish(cutOff).then(
            () => true,
            () => false,
          )
        )
          break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect((await publishedAbout(orderId)).map(({ event }) => event.type)).toEqual([
        'order.placed',
        'order.cancelled',
      ]);
      expect((await outboxRowsAbout(orderId)).every(({ published }) => published)).toBe(true);
    };

    // Away before this replica ever reached it.
    proxy.cut();
    const first = await gone();
    proxy.restore();
    await back(first);

    // Lost while connected.
    proxy.cut();
    const second = await gone();
    proxy.restore();
    await back(second);
  }, 60_000);
});
