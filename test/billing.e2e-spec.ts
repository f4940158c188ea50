import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { AuditEvent } from '../src/audit/audit-event.entity';
import { auditEventsAbout } from './support/audit-trail';
import {
  CARD,
  deliverWebhook,
  payInvoice,
  paymentRowsOf,
  postPayment,
  postRefund,
  refundPayment,
  refundRowsOf,
  type TestPayment,
  type TestRefund,
  type WebhookDelivery,
  webhookEvent,
  webhookEventRecorded,
} from './support/billing';
import { createProduct, type TestProduct } from './support/catalog';
import { adminSession, bearer, createUser, type TestUser } from './support/identity';
import {
  allPages,
  countStatuses,
  outboxEventsAbout,
  placeOrder,
  type TestInvoice,
  type TestOrder,
} from './support/orders';
import { withDatabase } from './support/raw-sql';
import { onRealDatabase, startTestApp, type TestApp } from './support/test-app';

describe('billing', () => {
  let testApp: TestApp;
  let admin: TestUser;
  let finance: TestUser;
  let fulfillment: TestUser;
  let buyer: TestUser;
  let organizationId: string;
  /** 10.00 EUR, no tax: an order of one is an invoice of exactly 1000 cents. */
  let tenEuros: TestProduct;

  const newOrder = (by: TestUser = buyer, quantity = 1): Promise<TestOrder> =>
    placeOrder(testApp, by, [{ productId: tenEuros.id, quantity }]);
  const getOrder = async (id: string): Promise<TestOrder> =>
    (await testApp.http.get(`/v1/orders/${id}`).set(bearer(admin)).expect(200)).body as TestOrder;
  const getInvoice = async (id: string): Promise<TestInvoice> =>
    (await testApp.http.get(`/v1/invoices/${id}`).set(bearer(admin)).expect(200)).body as TestInvoice;
  const getPayment = async (id: string): Promise<TestPayment> =>
    (await testApp.http.get(`/v1/payments/${id}`).set(bearer(admin)).expect(200)).body as TestPayment;
  const actionsAbout = async (resourceId: string): Promise<string[]> =>
    (await auditEventsAbout(testApp, resourceId)).map((event) => event.action);
  const eventsOfRequest = (requestId: string): Promise<AuditEvent[]> =>
    testApp.app.get(DataSource).getRepository(AuditEvent).find({ where: { requestId } });
  const outboxTypes = async (aggregateId: string): Promise<string[]> =>
    (await outboxEventsAbout(aggregateId)).map(({ type }) => type);
  /** A snapshot of everything a refused request must leave as it was. */
  const stateOf = async (order: TestOrder) => ({
    order: await getOrder(order.id),
    invoice: await getInvoice(order.invoiceId),
    payments: await paymentRowsOf(order.invoiceId),
    outbox: await outboxTypes(order.id),
  });

  beforeAll(async () => {
    testApp = await startTestApp({ RATE_LIMIT_MAX: '100000' });
    admin = await adminSession(testApp);
    finance = await createUser(testApp, { roles: ['finance'] });
    fulfillment = await createUser(testApp, { roles: ['fulfillment'] });
    buyer = await createUser(testApp, { roles: ['buyer'] });
    organizationId = buyer.organizationId as string;
    tenEuros = await createProduct(testApp, admin, { priceCents: 1_000, taxRateBps: 0, stock: 100_000 });
  });
  afterAll(() => testApp.close());

  describe('paying by card', () => {
    it('captures tok_visa: 201 succeeded, invoice and order paid, audit and outbox events', async () => {
      const order = await newOrder();
      const response = await postPayment(testApp, buyer, order.invoiceId, CARD.visa).expect(201);
      const payment = response.body as TestPayment;
      expect(payment).toEqual({
        id: expect.any(String),
        invoiceId: order.invoiceId,
        orderId: order.id,
        organizationId,
        provider: 'simulated',
        providerPaymentId: expect.stringMatching(/^sim_pay_[0-9a-f]+$/),
        status: 'succeeded',
        amountCents: 1_000,
        currency: 'EUR',
        refundedCents: 0,
        failureCode: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        version: 1,
      });
      expect(await getPayment(payment.id)).toEqual(payment);
      const asBuyer = await testApp.http.get(`/v1/payments/${payment.id}`).set(bearer(buyer)).expect(200);
      expect(asBuyer.body).toEqual(payment);
      expect(asBuyer.headers.etag).toEqual(expect.any(String));

      expect(await getInvoice(order.invoiceId)).toMatchObject({ status: 'paid', version: 2 });
      expect(await getOrder(order.id)).toMatchObject({ status: 'paid', version: 2 });

      const [captured] = await auditEventsAbout(testApp, payment.id);
      expect(captured).toMatchObject({
        action: 'payment.captured',
        outcome: 'success',
        actorId: buyer.id,
        resourceType: 'Payment',
        changes: { before: {}, after: { status: 'succeeded', amountCents: 1_000 } },
        details: { invoiceId: order.invoiceId, provider: 'simulated', webhookEventId: null },
      });
      const invoicePaid = (await auditEventsAbout(testApp, order.invoiceId)).find((e) => e.action === 'invoice.paid');
      expect(invoicePaid).toMatchObject({
        actorId: buyer.id,
        changes: { before: { status: 'open' }, after: { status: 'paid' } },
      });
      const orderPaid = (await auditEventsAbout(testApp, order.id)).find((e) => e.action === 'order.paid');
      expect(orderPaid).toMatchObject({
        actorId: buyer.id,
        changes: { before: { status: 'pending_payment' }, after: { status: 'paid' } },
      });
      // All three in the one transaction that took the money.
      expect(new Set([captured.txId, invoicePaid?.txId, orderPaid?.txId]).size).toBe(1);

      expect(await outboxEventsAbout(payment.id)).toEqual([
        expect.objectContaining({
          type: 'payment.captured',
          aggregate_type: 'Payment',
          payload: {
            paymentId: payment.id,
            invoiceId: order.invoiceId,
            orderId: order.id,
            amountCents: 1_000,
            currency: 'EUR',
          },
        }),
      ]);
      expect((await outboxEventsAbout(order.id)).map(({ type, payload }) => ({ type, payload }))).toEqual([
        { type: 'order.placed', payload: expect.objectContaining({ orderId: order.id }) },
        {
          type: 'order.paid',
          payload: { orderId: order.id, number: order.number, organizationId, from: 'pending_payment', to: 'paid' },
        },
      ]);
    });

    it('replays a payment retried with its key; another key is 409 invoice-not-payable, paid', async () => {
      const order = await newOrder();
      const key = randomUUID();
      const first = await postPayment(testApp, buyer, order.invoiceId, CARD.visa, { key }).expect(201);
      const replay = await postPayment(testApp, buyer, order.invoiceId, CARD.visa, { key }).expect(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual(first.body);

      const before = await stateOf(order);
      const again = await postPayment(testApp, buyer, order.invoiceId, CARD.visa).expect(409);
      expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(again.body).toMatchObject({
        type: expect.stringMatching(/\/invoice-not-payable$/),
        status: 409,
        currentStatus: 'paid',
      });
      expect(await stateOf(order)).toEqual(before);
      expect(before.payments).toHaveLength(1);
    });

    it('refuses to pay the void invoice of a cancelled order with 409, taking nothing', async () => {
      const order = await newOrder();
      await testApp.http.post(`/v1/orders/${order.id}/cancel`).set(bearer(buyer)).expect(200);
      const response = await postPayment(testApp, buyer, order.invoiceId, CARD.visa).expect(409);
      expect(response.body).toMatchObject({
        type: expect.stringMatching(/\/invoice-not-payable$/),
        currentStatus: 'void',
      });
      expect(await paymentRowsOf(order.invoiceId)).toEqual([]);
      expect(await getOrder(order.id)).toMatchObject({ status: 'cancelled' });
    });

    it('refuses a token the provider does not know with 400 naming the token, and one without a key', async () => {
      const order = await newOrder();
      const unknown = await postPayment(testApp, buyer, order.invoiceId, 'tok_unknownCard').expect(400);
      expect(unknown.body.type).toMatch(/\/invalid-payment-token$/);
      expect(unknown.body.errors).toEqual([{ field: 'paymentMethod.token', message: expect.any(String) }]);
      const malformed = await postPayment(testApp, buyer, order.invoiceId, '4242424242424242').expect(400);
      expect(malformed.body.errors).toEqual([expect.objectContaining({ field: 'paymentMethod.token' })]);
      const keyless = await postPayment(testApp, buyer, order.invoiceId, CARD.visa, { key: null }).expect(400);
      expect(keyless.body.type).toMatch(/\/idempotency-key-required$/);
      expect(await paymentRowsOf(order.invoiceId)).toEqual([]);
      expect(await getInvoice(order.invoiceId)).toMatchObject({ status: 'open', version: 1 });
    });

    it('answers an invoice that does not exist with 404', async () => {
      const response = await postPayment(testApp, buyer, randomUUID(), CARD.visa).expect(404);
      expect(response.body.type).toMatch(/\/not-found$/);
    });
  });

  describe('a declined card', () => {
    it('is 402 payment-declined with its declineCode; the invoice stays open, then another card pays', async () => {
      const order = await newOrder();
      const requestId = `declined-${randomUUID()}`;
      const response = await postPayment(testApp, buyer, order.invoiceId, CARD.declined)
        .set('X-Request-Id', requestId)
        .expect(402);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({
        type: expect.stringMatching(/\/payment-declined$/),
        status: 402,
        declineCode: 'card_declined',
        requestId,
      });
      expect(await getInvoice(order.invoiceId)).toMatchObject({ status: 'open', version: 1 });
      expect(await getOrder(order.id)).toMatchObject({ status: 'pending_payment', version: 1 });
      expect(await paymentRowsOf(order.invoiceId)).toEqual([]);
      expect(await outboxTypes(order.id)).toEqual(['order.placed']);

      const declined = (await auditEventsAbout(testApp, order.invoiceId)).filter(
        (event) => event.action === 'payment.declined',
      );
      expect(declined).toEqual([
        expect.objectContaining({
          outcome: 'failure',
          actorId: buyer.id,
          resourceType: 'Invoice',
          requestId,
          details: { provider: 'simulated', declineCode: 'card_declined', amountCents: 1_000 },
        }),
      ]);

      const paid = await payInvoice(testApp, buyer, order.invoiceId, CARD.visa);
      expect(paid.status).toBe('succeeded');
      expect(await getOrder(order.id)).toMatchObject({ status: 'paid' });
    });
  });

  describe('a pending payment and its webhooks', () => {
    it('stays pending (201) until a signed payment.succeeded settles it, once', async () => {
      const order = await newOrder();
      const response = await postPayment(testApp, buyer, order.invoiceId, CARD.pending).expect(201);
      const pending = response.body as TestPayment;
      expect(pending).toMatchObject({ status: 'pending', amountCents: 1_000, refundedCents: 0, failureCode: null });
      expect(await getInvoice(order.invoiceId)).toMatchObject({ status: 'open' });
      expect(await getOrder(order.id)).toMatchObject({ status: 'pending_payment' });
      expect(await outboxTypes(pending.id)).toEqual(['payment.pending']);

      const again = await postPayment(testApp, buyer, order.invoiceId, CARD.visa).expect(409);
      expect(again.body).toMatchObject({ type: expect.stringMatching(/\/payment-pending$/), paymentId: pending.id });
      expect(await paymentRowsOf(order.invoiceId)).toHaveLength(1);

      const event = webhookEvent('payment.succeeded', pending.providerPaymentId);
      const applied = await deliverWebhook(testApp, event).expect(200);
      expect(applied.body).toEqual({ applied: true });
      const settled = await getPayment(pending.id);
      expect(settled).toMatchObject({ status: 'succeeded', failureCode: null });
      expect(await getInvoice(order.invoiceId)).toMatchObject({ status: 'paid' });
      expect(await getOrder(order.id)).toMatchObject({ status: 'paid' });
      expect(await webhookEventRecorded(event.id)).toBe(true);
      const captured = (await auditEventsAbout(testApp, pending.id)).find((e) => e.action === 'payment.captured');
      expect(captured).toMatchObject({ actorType: 'system', details: { webhookEventId: event.id } });
      expect(await outboxTypes(pending.id)).toEqual(['payment.pending', 'payment.captured']);
      expect(await outboxTypes(order.id)).toEqual(['order.placed', 'order.paid']);

      const snapshot = await stateOf(order);
      const redelivered = await deliverWebhook(testApp, event).expect(200);
      expect(redelivered.body).toEqual({ applied: false });
      expect(await stateOf(order)).toEqual(snapshot);
      expect(await getPayment(pending.id)).toEqual(settled);
      expect(await outboxTypes(pending.id)).toEqual(['payment.pending', 'payment.captured']);
    });

    it('fails on payment.failed with its failureCode; the invoice stays open and can be paid again', async () => {
      const order = await newOrder();
      const pending = await payInvoice(testApp, buyer, order.invoiceId, CARD.pending);
      const event = webhookEvent('payment.failed', pending.providerPaymentId, { failureCode: 'insufficient_funds' });
      expect((await deliverWebhook(testApp, event).expect(200)).body).toEqual({ applied: true });
      expect(await getPayment(pending.id)).toMatchObject({ status: 'failed', failureCode: 'insufficient_funds' });
      expect(await getInvoice(order.invoiceId)).toMatchObject({ status: 'open' });
      expect(await getOrder(order.id)).toMatchObject({ status: 'pending_payment' });
      const failed = (await auditEventsAbout(testApp, pending.id)).find((e) => e.action === 'payment.failed');
      expect(failed).toMatchObject({ outcome: 'failure', actorType: 'system' });
      expect(await outboxTypes(pending.id)).toEqual(['payment.pending', 'payment.failed']);

      const retried = await payInvoice(testApp, buyer, order.invoiceId, CARD.visa);
      expect(retried).toMatchObject({ status: 'succeeded' });
      expect(retried.id).not.toBe(pending.id);
      expect(await getOrder(order.id)).toMatchObject({ status: 'paid' });
      expect((await paymentRowsOf(order.invoiceId)).map(({ status }) => status)).toEqual(['failed', 'succeeded']);
    });

    it('ignores a payment.failed that arrives after the payment.succeeded of the same payment', async () => {
      const order = await newOrder();
      const pending = await payInvoice(testApp, buyer, order.invoiceId, CARD.pending);
      await deliverWebhook(testApp, webhookEvent('payment.succeeded', pending.providerPaymentId)).expect(200);
      const snapshot = await stateOf(order);
      const settled = await getPayment(pending.id);

      const late = webhookEvent('payment.failed', pending.providerPaymentId, { failureCode: 'expired_card' });
      await deliverWebhook(testApp, late).expect(200);
      expect(await getPayment(pending.id)).toEqual(settled);
      expect(await stateOf(order)).toEqual(snapshot);
      expect(await actionsAbout(pending.id)).toEqual(['payment.pending', 'payment.captured']);
    });

    it('ignores a payment.succeeded that arrives after the payment.failed of the same payment', async () => {
      const order = await newOrder();
      const pending = await payInvoice(testApp, buyer, order.invoiceId, CARD.pending);
      await deliverWebhook(testApp, webhookEvent('payment.failed', pending.providerPaymentId)).expect(200);
      const snapshot = await stateOf(order);
      await deliverWebhook(testApp, webhookEvent('payment.succeeded', pending.providerPaymentId)).expect(200);
      expect(await stateOf(order)).toEqual(snapshot);
      expect(snapshot.order.status).toBe('pending_payment');
      expect(await getPayment(pending.id)).toMatchObject({ status: 'failed' });
    });

    it('accepts a signature a few minutes old, within the tolerance', async () => {
      const order = await newOrder();
      const pending = await payInvoice(testApp, buyer, order.invoiceId, CARD.pending);
      const timestamp = Math.floor(Date.now() / 1000) - 240;
      const event = webhookEvent('payment.succeeded', pending.providerPaymentId);
      await deliverWebhook(testApp, event, { timestamp }).expect(200, { applied: true });
      expect(await getPayment(pending.id)).toMatchObject({ status: 'succeeded' });
    });
  });

  describe('webhook refusals', () => {
    let order: TestOrder;
    let pending: TestPayment;

    beforeAll(async () => {
      order = await newOrder();
      pending = await payInvoice(testApp, buyer, order.invoiceId, CARD.pending);
    });

    const now = () => Math.floor(Date.now() / 1000);
    const refusals: [string, (body: string) => WebhookDelivery][] = [
      ['no signature', () => ({ signature: null })],
      ['a signature under another secret', () => ({ secret: 'not-the-webhook-secret' })],
      ['a body altered after signing', (body) => ({ sentBody: body.replace('payment.succeeded', 'payment.failed') })],
      ['a body with one byte added after signing', (body) => ({ sentBody: `${body} ` })],
      ['a timestamp older than 5 minutes', () => ({ timestamp: now() - 301 })],
      ['a timestamp 10 minutes in the future', () => ({ timestamp: now() + 600 })],
      ['a signature without a timestamp', () => ({ signature: `v1=${'0'.repeat(64)}` })],
      ['a malformed header', () => ({ signature: 'garbage' })],
    ];

    it.each(refusals)('refuses %s with 400 invalid-webhook, audited as denied, changing nothing', async (_, how) => {
      const event = webhookEvent('payment.succeeded', pending.providerPaymentId);
      const body = JSON.stringify(event);
      const requestId = `webhook-${randomUUID()}`;
      const snapshot = await stateOf(order);

      const response = await deliverWebhook(testApp, event, { ...how(body), requestId }).expect(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({
        type: expect.stringMatching(/\/invalid-webhook$/),
        status: 400,
        requestId,
      });
      expect(await eventsOfRequest(requestId)).toEqual([
        expect.objectContaining({
          action: 'billing.webhook_rejected',
          outcome: 'denied',
          actorType: 'system',
          resourceType: 'WebhookEvent',
          details: expect.objectContaining({ provider: 'simulated', reason: expect.any(String) }),
        }),
      ]);
      expect(await webhookEventRecorded(event.id)).toBe(false);
      expect(await stateOf(order)).toEqual(snapshot);
      expect(await getPayment(pending.id)).toMatchObject({ status: 'pending' });
    });

    it('refuses a signed body that is not a payment event with 400', async () => {
      for (const body of ['{"id":"evt_1","type":"payment.refunded","providerPaymentId":"x"}', '[]', '{"id":1}']) {
        const response = await deliverWebhook(testApp, body).expect(400);
        expect(response.body.type).toMatch(/\/invalid-webhook$/);
      }
    });

    it('refuses an event naming a payment or failure code that is not printable text with 400, changing nothing', async () => {
      for (const event of [
        webhookEvent('payment.succeeded', `${pending.providerPaymentId}\u0000`),
        webhookEvent('payment.succeeded', 'sim pay'),
        webhookEvent('payment.failed', pending.providerPaymentId, { failureCode: 'card\u0000declined' }),
        webhookEvent('payment.failed', pending.providerPaymentId, { failureCode: '' }),
      ]) {
        const response = await deliverWebhook(testApp, event).expect(400);
        expect(response.body.type).toMatch(/\/invalid-webhook$/);
        expect(await webhookEventRecorded(event.id)).toBe(false);
      }
      expect(await getPayment(pending.id)).toMatchObject({ status: 'pending', failureCode: null });
    });

    it('answers any signed body with 200, 400 or 404, never a 5xx', async () => {
      const other = await newOrder();
      const target = await payInvoice(testApp, buyer, other.invoiceId, CARD.pending);
      const text = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 120 }),
        fc.string({ unit: 'grapheme-ascii' }),
        // What PostgreSQL text refuses or a lax check lets through.
        fc.constantFrom('\u0000', `${target.providerPaymentId}\u0000`, '\ud800', ' ', '', 'x'.repeat(101)),
      );
      const event = fc.record(
        {
          id: fc.oneof(text, fc.stringMatching(/^evt_[A-Za-z0-9_-]{1,40}$/), fc.integer()),
          type: fc.oneof(fc.constantFrom('payment.succeeded', 'payment.failed'), text),
          providerPaymentId: fc.oneof(fc.constant(target.providerPaymentId), text, fc.integer()),
          failureCode: fc.oneof(text, fc.constant(null), fc.integer()),
          extra: fc.jsonValue(),
        },
        { requiredKeys: ['id', 'type', 'providerPaymentId'] },
      );
      const body = fc.oneof(
        event.map((value) => JSON.stringify(value)),
        fc.json(),
      );
      await fc.assert(
        fc.asyncProperty(body, async (raw) => {
          const response = await deliverWebhook(testApp, raw);
          expect([200, 400, 404]).toContain(response.status);
        }),
        { numRuns: 150, seed: 20261201 },
      );
    });

    it('answers a provider it does not know with 404', async () => {
      const event = webhookEvent('payment.succeeded', pending.providerPaymentId);
      const response = await deliverWebhook(testApp, event, { provider: 'stripe' }).expect(404);
      expect(response.body.type).toMatch(/\/not-found$/);
      expect(await getPayment(pending.id)).toMatchObject({ status: 'pending' });
      expect(await webhookEventRecorded(event.id)).toBe(false);
    });

    it('answers a signed event about a payment it does not know with 404, not recording it as applied', async () => {
      const event = webhookEvent('payment.succeeded', `sim_pay_${randomUUID().replace(/-/g, '')}`);
      const first = await deliverWebhook(testApp, event).expect(404);
      expect(first.body.type).toMatch(/\/not-found$/);
      expect(await webhookEventRecorded(event.id)).toBe(false);
      await deliverWebhook(testApp, event).expect(404);
      expect(await webhookEventRecorded(event.id)).toBe(false);
    });
  });

  describe('refunds', () => {
    const paidOrder = async (): Promise<{ order: TestOrder; payment: TestPayment }> => {
      const order = await newOrder();
      return { order, payment: await payInvoice(testApp, buyer, order.invoiceId, CARD.visa) };
    };

    it('refunds in part, then the rest without an amount: the order becomes refunded', async () => {
      const { order, payment } = await paidOrder();
      const partial = await postRefund(testApp, finance, payment.id, { amountCents: 300, reason: 'damaged' });
      expect(partial.status).toBe(201);
      expect(partial.body).toEqual({
        id: expect.any(String),
        paymentId: payment.id,
        amountCents: 300,
        reason: 'damaged',
        createdById: finance.id,
        createdAt: expect.any(String),
      });
      expect(await getPayment(payment.id)).toMatchObject({ status: 'succeeded', refundedCents: 300 });
      expect(await getOrder(order.id)).toMatchObject({ status: 'paid' });

      const rest = await refundPayment(testApp, admin, payment.id, { reason: 'order withdrawn' });
      expect(rest).toMatchObject({ amountCents: 700, createdById: admin.id });
      expect(await getPayment(payment.id)).toMatchObject({ status: 'succeeded', refundedCents: 1_000 });
      expect(await getOrder(order.id)).toMatchObject({ status: 'refunded' });
      // The invoice was paid; the money went back through the payment's refunds.
      expect(await getInvoice(order.invoiceId)).toMatchObject({ status: 'paid' });

      const refunded = (await auditEventsAbout(testApp, payment.id)).filter((e) => e.action === 'payment.refunded');
      expect(refunded).toEqual([
        expect.objectContaining({
          actorId: finance.id,
          changes: { before: { refundedCents: 0 }, after: { refundedCents: 300 } },
          details: expect.objectContaining({ refundId: partial.body.id, amountCents: 300, reason: 'damaged' }),
        }),
        expect.objectContaining({
          actorId: admin.id,
          changes: { before: { refundedCents: 300 }, after: { refundedCents: 1_000 } },
          details: expect.objectContaining({ refundId: rest.id, amountCents: 700 }),
        }),
      ]);
      const orderRefunded = (await auditEventsAbout(testApp, order.id)).find((e) => e.action === 'order.refunded');
      expect(orderRefunded).toMatchObject({
        actorId: admin.id,
        changes: { before: { status: 'paid' }, after: { status: 'refunded' } },
      });
      expect(await outboxEventsAbout(payment.id)).toEqual([
        expect.objectContaining({ type: 'payment.captured' }),
        expect.objectContaining({
          type: 'payment.refunded',
          payload: {
            paymentId: payment.id,
            refundId: partial.body.id,
            orderId: order.id,
            amountCents: 300,
            refundedCents: 300,
          },
        }),
        expect.objectContaining({
          type: 'payment.refunded',
          payload: expect.objectContaining({ refundId: rest.id, amountCents: 700, refundedCents: 1_000 }),
        }),
      ]);
      expect((await outboxEventsAbout(order.id)).map(({ type, payload }) => ({ type, payload }))).toEqual([
        { type: 'order.placed', payload: expect.anything() },
        { type: 'order.paid', payload: expect.anything() },
        {
          type: 'order.refunded',
          payload: { orderId: order.id, number: order.number, organizationId, from: 'paid', to: 'refunded' },
        },
      ]);
    });

    it('refunds a fulfilled order in full: fulfilled → refunded', async () => {
      const { order, payment } = await paidOrder();
      await testApp.http.post(`/v1/orders/${order.id}/fulfil`).set(bearer(fulfillment)).expect(200);
      await refundPayment(testApp, finance, payment.id);
      expect(await getOrder(order.id)).toMatchObject({ status: 'refunded' });
      const orderRefunded = (await auditEventsAbout(testApp, order.id)).find((e) => e.action === 'order.refunded');
      expect(orderRefunded).toMatchObject({
        changes: { before: { status: 'fulfilled' }, after: { status: 'refunded' } },
      });
      expect(await outboxTypes(order.id)).toEqual(['order.placed', 'order.paid', 'order.fulfilled', 'order.refunded']);
    });

    it('refuses more than is still refundable with 409 refund-exceeds-captured, changing nothing', async () => {
      const { order, payment } = await paidOrder();
      const over = await postRefund(testApp, finance, payment.id, { amountCents: 1_001 }).expect(409);
      expect(over.body).toMatchObject({
        type: expect.stringMatching(/\/refund-exceeds-captured$/),
        refundableCents: 1_000,
      });
      await refundPayment(testApp, finance, payment.id, { amountCents: 600 });
      const past = await postRefund(testApp, finance, payment.id, { amountCents: 401 }).expect(409);
      expect(past.body).toMatchObject({ refundableCents: 400 });
      await refundPayment(testApp, finance, payment.id, { amountCents: 400 });
      const nothingLeft = await postRefund(testApp, finance, payment.id).expect(409);
      expect(nothingLeft.body).toMatchObject({
        type: expect.stringMatching(/\/refund-exceeds-captured$/),
        refundableCents: 0,
      });
      expect(await getPayment(payment.id)).toMatchObject({ refundedCents: 1_000 });
      expect((await refundRowsOf(payment.id)).map(({ amount_cents }) => Number(amount_cents))).toEqual([600, 400]);
      expect(await getOrder(order.id)).toMatchObject({ status: 'refunded' });
    });

    it('refuses a refund of 0 or a fraction of a cent, or without a reason, with 400', async () => {
      const { payment } = await paidOrder();
      for (const body of [{ amountCents: 0 }, { amountCents: 1.5 }, { amountCents: -100 }, { reason: '' }]) {
        const response = await postRefund(testApp, finance, payment.id, body).expect(400);
        expect(response.body.errors).toEqual(expect.any(Array));
      }
      expect(await getPayment(payment.id)).toMatchObject({ refundedCents: 0 });
    });

    it('refuses to refund a pending or failed payment with 409 payment-not-refundable', async () => {
      const order = await newOrder();
      const pending = await payInvoice(testApp, buyer, order.invoiceId, CARD.pending);
      const response = await postRefund(testApp, finance, pending.id).expect(409);
      expect(response.body).toMatchObject({
        type: expect.stringMatching(/\/payment-not-refundable$/),
        currentStatus: 'pending',
      });
      await deliverWebhook(testApp, webhookEvent('payment.failed', pending.providerPaymentId)).expect(200);
      const failed = await postRefund(testApp, finance, pending.id).expect(409);
      expect(failed.body).toMatchObject({ currentStatus: 'failed' });
      expect(await refundRowsOf(pending.id)).toEqual([]);
    });

    it('replays a refund retried with its key: the same refund, with Idempotent-Replayed', async () => {
      const { payment } = await paidOrder();
      const key = randomUUID();
      const first = await postRefund(testApp, finance, payment.id, { amountCents: 250 }, { key }).expect(201);
      const replay = await postRefund(testApp, finance, payment.id, { amountCents: 250 }, { key }).expect(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual(first.body);
      expect(await getPayment(payment.id)).toMatchObject({ refundedCents: 250 });
      expect(await refundRowsOf(payment.id)).toHaveLength(1);
      const otherBody = await postRefund(testApp, finance, payment.id, { amountCents: 100 }, { key }).expect(422);
      expect(otherBody.body.type).toMatch(/\/idempotency-key-reused$/);
    });

    it('lets finance and admin refund; buyer, org_admin, auditor, fulfillment and catalog staff get 403', async () => {
      const orgAdmin = await createUser(testApp, { roles: ['org_admin'], organizationId });
      const auditor = await createUser(testApp, { roles: ['auditor'] });
      const catalogManager = await createUser(testApp, { roles: ['catalog_manager'] });
      const { payment } = await paidOrder();
      for (const refuser of [buyer, orgAdmin, auditor, fulfillment, catalogManager]) {
        const response = await postRefund(testApp, refuser, payment.id, { amountCents: 100 }).expect(403);
        expect(response.body.type).toMatch(/\/forbidden$/);
      }
      expect(await getPayment(payment.id)).toMatchObject({ refundedCents: 0 });
      await refundPayment(testApp, finance, payment.id, { amountCents: 100 });
      await refundPayment(testApp, admin, payment.id, { amountCents: 100 });
      expect(await getPayment(payment.id)).toMatchObject({ refundedCents: 200 });
      await testApp.http.post(`/v1/payments/${payment.id}/refunds`).send({ reason: 'x' }).expect(401);
    });

    it('answers a refund of a payment that does not exist with 404', async () => {
      await postRefund(testApp, finance, randomUUID()).expect(404);
    });
  });

  (onRealDatabase ? describe : describe.skip)('in parallel (real server only)', () => {
    it.each([2, 10])('captures one of %i parallel payments of one invoice with different keys', async (n) => {
      const order = await newOrder();
      const responses = await Promise.all(
        Array.from({ length: n }, () => postPayment(testApp, buyer, order.invoiceId, CARD.visa)),
      );
      expect(countStatuses(responses)).toEqual({ 201: 1, 409: n - 1 });
      for (const refused of responses.filter(({ status }) => status === 409)) {
        expect(refused.body).toMatchObject({
          type: expect.stringMatching(/\/invoice-not-payable$/),
          currentStatus: 'paid',
        });
      }
      const rows = await paymentRowsOf(order.invoiceId);
      expect(rows.map(({ status }) => status)).toEqual(['succeeded']);
      expect(await getOrder(order.id)).toMatchObject({ status: 'paid', version: 2 });
      expect(await outboxTypes(order.id)).toEqual(['order.placed', 'order.paid']);
    });

    it('starts one of 10 parallel pending payments of one invoice', async () => {
      const order = await newOrder();
      const responses = await Promise.all(
        Array.from({ length: 10 }, () => postPayment(testApp, buyer, order.invoiceId, CARD.pending)),
      );
      expect(countStatuses(responses)).toEqual({ 201: 1, 409: 9 });
      expect((await paymentRowsOf(order.invoiceId)).map(({ status }) => status)).toEqual(['pending']);
    });

    it('lets exactly 3 of 10 parallel refunds of 300 from a capture of 1000 succeed', async () => {
      const order = await newOrder();
      const payment = await payInvoice(testApp, buyer, order.invoiceId, CARD.visa);
      expect(payment.amountCents).toBe(1_000);
      const responses = await Promise.all(
        Array.from({ length: 10 }, () => postRefund(testApp, finance, payment.id, { amountCents: 300 })),
      );
      expect(countStatuses(responses)).toEqual({ 201: 3, 409: 7 });
      for (const refused of responses.filter(({ status }) => status === 409)) {
        expect(refused.body).toMatchObject({
          type: expect.stringMatching(/\/refund-exceeds-captured$/),
          refundableCents: 100,
        });
      }
      const [row] = await paymentRowsOf(order.invoiceId);
      expect(Number(row.refunded_cents)).toBe(900);
      const refunds = await refundRowsOf(payment.id);
      expect(refunds.map(({ amount_cents }) => Number(amount_cents))).toEqual([300, 300, 300]);
      expect(await getOrder(order.id)).toMatchObject({ status: 'paid' });
    });

    it('never refunds more than the capture with 10 parallel full refunds', async () => {
      const order = await newOrder();
      const payment = await payInvoice(testApp, buyer, order.invoiceId, CARD.visa);
      const responses = await Promise.all(Array.from({ length: 10 }, () => postRefund(testApp, finance, payment.id)));
      expect(countStatuses(responses)).toEqual({ 201: 1, 409: 9 });
      expect(await getPayment(payment.id)).toMatchObject({ refundedCents: 1_000 });
      expect(await getOrder(order.id)).toMatchObject({ status: 'refunded', version: 3 });
      expect(await outboxTypes(order.id)).toEqual(['order.placed', 'order.paid', 'order.refunded']);
    });

    it('refunds once for parallel requests with one key: each answer is that refund or a 409 in flight', async () => {
      const order = await newOrder();
      const payment = await payInvoice(testApp, buyer, order.invoiceId, CARD.visa);
      const key = randomUUID();
      const responses = await Promise.all(
        Array.from({ length: 10 }, () => postRefund(testApp, finance, payment.id, { amountCents: 300 }, { key })),
      );
      const refunds = responses.filter(({ status }) => status === 201).map(({ body }) => body as TestRefund);
      expect(refunds.length).toBeGreaterThanOrEqual(1);
      expect(new Set(refunds.map(({ id }) => id)).size).toBe(1);
      for (const other of responses.filter(({ status }) => status !== 201)) {
        expect(other.status).toBe(409);
        expect(other.body.type).toMatch(/\/idempotent-request-in-flight$/);
      }
      expect(await getPayment(payment.id)).toMatchObject({ refundedCents: 300 });
      const replay = await postRefund(testApp, finance, payment.id, { amountCents: 300 }, { key }).expect(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual(refunds[0]);
    });

    it('applies one of 10 parallel deliveries of one webhook event', async () => {
      const order = await newOrder();
      const pending = await payInvoice(testApp, buyer, order.invoiceId, CARD.pending);
      const event = webhookEvent('payment.succeeded', pending.providerPaymentId);
      const responses = await Promise.all(Array.from({ length: 10 }, () => deliverWebhook(testApp, event)));
      expect(countStatuses(responses)).toEqual({ 200: 10 });
      expect(responses.filter(({ body }) => body.applied === true)).toHaveLength(1);
      expect(await outboxTypes(order.id)).toEqual(['order.placed', 'order.paid']);
    });

    it('settles a payment once when its succeeded and failed events race', async () => {
      const order = await newOrder();
      const pending = await payInvoice(testApp, buyer, order.invoiceId, CARD.pending);
      await Promise.all([
        deliverWebhook(testApp, webhookEvent('payment.succeeded', pending.providerPaymentId)).expect(200),
        deliverWebhook(testApp, webhookEvent('payment.failed', pending.providerPaymentId)).expect(200),
      ]);
      const settled = await getPayment(pending.id);
      expect(['succeeded', 'failed']).toContain(settled.status);
      const expected = settled.status === 'succeeded' ? 'paid' : 'pending_payment';
      expect(await getOrder(order.id)).toMatchObject({ status: expected });
      expect(await actionsAbout(pending.id)).toHaveLength(2);
    });
  });

  describe('who sees what', () => {
    let colleague: TestUser;
    let orgAdmin: TestUser;
    let outsider: TestUser;
    let outsiderAdmin: TestUser;
    let order: TestOrder;
    let payment: TestPayment;
    let openOrder: TestOrder;

    beforeAll(async () => {
      colleague = await createUser(testApp, { roles: ['buyer'], organizationId });
      orgAdmin = await createUser(testApp, { roles: ['org_admin'], organizationId });
      outsider = await createUser(testApp, { roles: ['buyer'] });
      outsiderAdmin = await createUser(testApp, {
        roles: ['org_admin'],
        organizationId: outsider.organizationId ?? '',
      });
      order = await newOrder();
      payment = await payInvoice(testApp, buyer, order.invoiceId, CARD.visa);
      openOrder = await newOrder();
    });

    it('answers another organization’s buyer and org_admin with 404 for the order, invoice and payment', async () => {
      for (const stranger of [outsider, outsiderAdmin]) {
        for (const path of [
          `/v1/orders/${order.id}`,
          `/v1/invoices/${order.invoiceId}`,
          `/v1/payments/${payment.id}`,
          `/v1/orders/${openOrder.id}`,
          `/v1/invoices/${openOrder.invoiceId}`,
        ]) {
          const response = await testApp.http.get(path).set(bearer(stranger)).expect(404);
          expect(response.body.type).toMatch(/\/not-found$/);
        }
        const listed = await allPages<TestPayment>(testApp, stranger, '/v1/payments');
        expect(listed.map(({ id }) => id)).not.toContain(payment.id);
        const invoices = await allPages<TestInvoice>(testApp, stranger, '/v1/invoices');
        expect(invoices.map(({ id }) => id)).not.toContain(order.invoiceId);
      }
    });

    it('answers another organization’s buyer paying an invoice with 404, as for one that does not exist', async () => {
      const before = await stateOf(openOrder);
      for (const stranger of [outsider, outsiderAdmin]) {
        for (const token of [CARD.visa, CARD.pending, CARD.declined]) {
          const response = await postPayment(testApp, stranger, openOrder.invoiceId, token).expect(404);
          expect(response.body.type).toMatch(/\/not-found$/);
        }
      }
      const paid = await postPayment(testApp, outsider, order.invoiceId, CARD.visa).expect(404);
      expect(paid.body.type).toMatch(/\/not-found$/);
      expect(await stateOf(openOrder)).toEqual(before);
      expect((await auditEventsAbout(testApp, openOrder.invoiceId)).map((e) => e.action)).not.toContain(
        'payment.declined',
      );
    });

    it('shows a buyer only their own orders’ invoices and payments; their org_admin all of the organization’s', async () => {
      await testApp.http.get(`/v1/invoices/${order.invoiceId}`).set(bearer(colleague)).expect(404);
      await testApp.http.get(`/v1/payments/${payment.id}`).set(bearer(colleague)).expect(404);
      await postPayment(testApp, colleague, openOrder.invoiceId, CARD.visa).expect(404);
      expect((await allPages<TestPayment>(testApp, colleague, '/v1/payments')).map(({ id }) => id)).not.toContain(
        payment.id,
      );

      await testApp.http.get(`/v1/invoices/${order.invoiceId}`).set(bearer(orgAdmin)).expect(200);
      await testApp.http.get(`/v1/payments/${payment.id}`).set(bearer(orgAdmin)).expect(200);
      const theirs = await allPages<TestPayment>(testApp, orgAdmin, '/v1/payments');
      expect(theirs.map(({ id }) => id)).toContain(payment.id);
      expect(theirs.every((item) => item.organizationId === organizationId)).toBe(true);
      const mine = await allPages<TestPayment>(testApp, buyer, '/v1/payments');
      expect(mine.map(({ id }) => id)).toContain(payment.id);
    });

    it('lets an org_admin pay a colleague’s invoice; staff may not pay (403)', async () => {
      const colleaguesOrder = await newOrder(colleague);
      for (const staff of [admin, finance, fulfillment]) {
        await postPayment(testApp, staff, colleaguesOrder.invoiceId, CARD.visa).expect(403);
      }
      await payInvoice(testApp, orgAdmin, colleaguesOrder.invoiceId, CARD.visa);
      expect(await getOrder(colleaguesOrder.id)).toMatchObject({ status: 'paid' });
    });

    it('answers an anonymous caller with 401 and a payment id that is not a UUID with 400', async () => {
      await testApp.http.get(`/v1/payments/${payment.id}`).expect(401);
      await testApp.http.get('/v1/payments').expect(401);
      await testApp.http.post(`/v1/invoices/${openOrder.invoiceId}/payments`).send({}).expect(401);
      await testApp.http.get('/v1/payments/not-a-uuid').set(bearer(admin)).expect(400);
    });
  });

  it('keeps payments and refunds consistent with the database’s own checks', async () => {
    const violations = await withDatabase(async (client) => {
      const { rows } = await client.query<{ id: string }>(
        `SELECT p.id FROM payments p
          LEFT JOIN (SELECT payment_id, sum(amount_cents) AS total FROM refunds GROUP BY payment_id) r
            ON r.payment_id = p.id
          WHERE p.refunded_cents <> coalesce(r.total, 0) OR p.refunded_cents > p.amount_cents`,
      );
      return rows;
    });
    expect(violations).toEqual([]);
  });
});
