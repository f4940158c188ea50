import type { Response } from 'supertest';
import { auditEventsAbout } from './support/audit-trail';
import {
  CARD,
  deliverWebhook,
  payInvoice,
  paymentRowsOf,
  postPayment,
  postRefund,
  refundPayment,
  type TestPayment,
  webhookEvent,
} from './support/billing';
import { createProduct, type TestProduct } from './support/catalog';
import { adminSession, bearer, createUser, type TestUser } from './support/identity';
import { outboxEventsAbout, placeOrder, type TestInvoice, type TestOrder } from './support/orders';
import { onRealDatabase, startTestApp, type TestApp } from './support/test-app';

type State = 'pending_payment' | 'paid' | 'fulfilled' | 'cancelled' | 'refunded';
type Action = 'pay' | 'cancel' | 'fulfil' | 'refund';

/** What the API answers an action on an order in a state: the new state, or the refusal. */
type Outcome =
  | { status: 201 | 200; becomes: State }
  | { status: 409; type: string; currentStatus?: string; refundableCents?: number };

const allowed = (status: 200 | 201, becomes: State): Outcome => ({ status, becomes });
const stateConflict = (currentStatus: State): Outcome => ({ status: 409, type: 'order-state-conflict', currentStatus });
const notPayable = (currentStatus: 'paid' | 'void'): Outcome => ({
  status: 409,
  type: 'invoice-not-payable',
  currentStatus,
});

/**
 * The whole order life through the API: every action in every state. Pay is
 * the customer paying the invoice by card, refund finance refunding all that
 * is left of the capture (no payment exists before paying or after cancelling).
 */
const LIFE: [State, Action, Outcome][] = [
  ['pending_payment', 'pay', allowed(201, 'paid')],
  ['pending_payment', 'cancel', allowed(200, 'cancelled')],
  ['pending_payment', 'fulfil', stateConflict('pending_payment')],
  ['paid', 'pay', notPayable('paid')],
  ['paid', 'cancel', stateConflict('paid')],
  ['paid', 'fulfil', allowed(200, 'fulfilled')],
  ['paid', 'refund', allowed(201, 'refunded')],
  ['fulfilled', 'pay', notPayable('paid')],
  ['fulfilled', 'cancel', stateConflict('fulfilled')],
  ['fulfilled', 'fulfil', stateConflict('fulfilled')],
  ['fulfilled', 'refund', allowed(201, 'refunded')],
  ['cancelled', 'pay', notPayable('void')],
  ['cancelled', 'cancel', stateConflict('cancelled')],
  ['cancelled', 'fulfil', stateConflict('cancelled')],
  ['refunded', 'pay', notPayable('paid')],
  ['refunded', 'cancel', stateConflict('refunded')],
  ['refunded', 'fulfil', stateConflict('refunded')],
  ['refunded', 'refund', { status: 409, type: 'refund-exceeds-captured', refundableCents: 0 }],
];

describe('order life', () => {
  let testApp: TestApp;
  let admin: TestUser;
  let finance: TestUser;
  let fulfillment: TestUser;
  let buyer: TestUser;
  let product: TestProduct;

  interface Placed {
    order: TestOrder;
    payment?: TestPayment;
  }

  const getOrder = async (id: string): Promise<TestOrder> =>
    (await testApp.http.get(`/v1/orders/${id}`).set(bearer(admin)).expect(200)).body as TestOrder;
  const getInvoice = async (id: string): Promise<TestInvoice> =>
    (await testApp.http.get(`/v1/invoices/${id}`).set(bearer(admin)).expect(200)).body as TestInvoice;
  const outboxTypes = async (id: string) => (await outboxEventsAbout(id)).map(({ type }) => type);
  const stockOf = async (): Promise<number> =>
    (await testApp.http.get(`/v1/products/${product.id}`).set(bearer(admin)).expect(200)).body.stock as number;

  const act = (action: Action, { order, payment }: Placed): Promise<Response> => {
    switch (action) {
      case 'pay':
        return postPayment(testApp, buyer, order.invoiceId, CARD.visa).then((response) => response);
      case 'cancel':
        return testApp.http
          .post(`/v1/orders/${order.id}/cancel`)
          .set(bearer(buyer))
          .then((response) => response);
      case 'fulfil':
        return testApp.http
          .post(`/v1/orders/${order.id}/fulfil`)
          .set(bearer(fulfillment))
          .then((response) => response);
      case 'refund':
        if (!payment) throw new Error(`order ${order.id} has no payment to refund`);
        return postRefund(testApp, finance, payment.id).then((response) => response);
    }
  };

  /** A new order of the buyer's, brought to `state` through the API. */
  const orderIn = async (state: State): Promise<Placed> => {
    const order = await placeOrder(testApp, buyer, [{ productId: product.id, quantity: 1 }]);
    if (state === 'pending_payment') return { order };
    if (state === 'cancelled') {
      await testApp.http.post(`/v1/orders/${order.id}/cancel`).set(bearer(buyer)).expect(200);
      return { order };
    }
    const payment = await payInvoice(testApp, buyer, order.invoiceId, CARD.visa);
    if (state === 'fulfilled') {
      await testApp.http.post(`/v1/orders/${order.id}/fulfil`).set(bearer(fulfillment)).expect(200);
    }
    if (state === 'refunded') await refundPayment(testApp, finance, payment.id);
    expect(await getOrder(order.id)).toMatchObject({ status: state });
    return { order, payment };
  };

  beforeAll(async () => {
    testApp = await startTestApp({ RATE_LIMIT_MAX: '100000' });
    admin = await adminSession(testApp);
    finance = await createUser(testApp, { roles: ['finance'] });
    fulfillment = await createUser(testApp, { roles: ['fulfillment'] });
    buyer = await createUser(testApp, { roles: ['buyer'] });
    product = await createProduct(testApp, admin, { priceCents: 1_000, taxRateBps: 0, stock: 100_000 });
  });
  afterAll(() => testApp.close());

  it('covers every action in every state', () => {
    const actions: Action[] = ['pay', 'cancel', 'fulfil', 'refund'];
    const states: State[] = ['pending_payment', 'paid', 'fulfilled', 'cancelled', 'refunded'];
    const covered = new Set(LIFE.map(([state, action]) => `${state} ${action}`));
    const withoutPayment = new Set(['pending_payment refund', 'cancelled refund']);
    for (const state of states) {
      for (const action of actions) {
        const pair = `${state} ${action}`;
        expect([pair, covered.has(pair) || withoutPayment.has(pair)]).toEqual([pair, true]);
      }
    }
  });

  it.each(LIFE.filter(([, , outcome]) => outcome.status !== 409))(
    '%s --%s--> allowed: audited and announced in the outbox',
    async (state, action, outcome) => {
      if (outcome.status === 409) throw new Error('allowed transitions only');
      const placed = await orderIn(state);
      const before = await getOrder(placed.order.id);
      const outboxBefore = await outboxTypes(placed.order.id);

      const response = await act(action, placed);
      expect([response.status, response.body]).toEqual([outcome.status, expect.anything()]);
      const after = await getOrder(placed.order.id);
      expect(after).toMatchObject({ status: outcome.becomes, version: before.version + 1 });
      if (action === 'cancel' || action === 'fulfil') expect(response.body).toEqual(after);

      const transitions = (await auditEventsAbout(testApp, placed.order.id)).filter(
        (event) => event.action === `order.${outcome.becomes}`,
      );
      expect(transitions).toEqual([
        expect.objectContaining({ changes: { before: { status: state }, after: { status: outcome.becomes } } }),
      ]);
      expect(await outboxTypes(placed.order.id)).toEqual([...outboxBefore, `order.${outcome.becomes}`]);
      const [announced] = (await outboxEventsAbout(placed.order.id)).slice(-1);
      expect(announced.payload).toMatchObject({ orderId: placed.order.id, from: state, to: outcome.becomes });
    },
  );

  it.each(LIFE.filter(([, , outcome]) => outcome.status === 409))(
    '%s --%s--> refused with 409, changing nothing',
    async (state, action, outcome) => {
      if (outcome.status !== 409) throw new Error('refusals only');
      const placed = await orderIn(state);
      const before = {
        order: await getOrder(placed.order.id),
        invoice: await getInvoice(placed.order.invoiceId),
        payments: await paymentRowsOf(placed.order.invoiceId),
        outbox: await outboxEventsAbout(placed.order.id),
        audit: (await auditEventsAbout(testApp, placed.order.id)).length,
        stock: await stockOf(),
      };

      const response = await act(action, placed);
      expect(response.status).toBe(409);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      const { type, ...members } = outcome;
      expect(response.body).toMatchObject({ type: expect.stringMatching(new RegExp(`/${type}$`)), ...members });

      expect({
        order: await getOrder(placed.order.id),
        invoice: await getInvoice(placed.order.invoiceId),
        payments: await paymentRowsOf(placed.order.invoiceId),
        outbox: await outboxEventsAbout(placed.order.id),
        audit: (await auditEventsAbout(testApp, placed.order.id)).length,
        // Other tests of this file do not run meanwhile: the product is this file's own.
        stock: await stockOf(),
      }).toEqual(before);
    },
  );

  it('names the transitions still open in a state conflict', async () => {
    const { order } = await orderIn('paid');
    const response = await testApp.http.post(`/v1/orders/${order.id}/cancel`).set(bearer(buyer)).expect(409);
    expect(response.body).toMatchObject({ currentStatus: 'paid', allowedNext: ['fulfilled', 'refunded'] });
  });

  it('walks one order through its whole life: placed, paid, fulfilled, refunded', async () => {
    const { order, payment } = await orderIn('refunded');
    expect(payment).toBeDefined();
    const { order: fulfilled } = await orderIn('fulfilled');
    await refundPayment(testApp, finance, (await paymentRowsOf(fulfilled.invoiceId))[0].id);
    for (const id of [order.id, fulfilled.id]) {
      const transitions = (await auditEventsAbout(testApp, id))
        .filter((event) => event.action.startsWith('order.'))
        .map((event) => event.action);
      expect(transitions).toEqual(
        id === order.id
          ? ['order.placed', 'order.paid', 'order.refunded']
          : ['order.placed', 'order.paid', 'order.fulfilled', 'order.refunded'],
      );
    }
  });

  describe('an order whose payment is pending', () => {
    it('cannot be cancelled (409 payment-pending) while the provider may still take the money', async () => {
      const order = await placeOrder(testApp, buyer, [{ productId: product.id, quantity: 1 }]);
      const pending = await payInvoice(testApp, buyer, order.invoiceId, CARD.pending);
      const stock = await stockOf();

      const cancel = await testApp.http.post(`/v1/orders/${order.id}/cancel`).set(bearer(buyer)).expect(409);
      expect(cancel.body).toMatchObject({ type: expect.stringMatching(/\/payment-pending$/), paymentId: pending.id });
      expect(await getOrder(order.id)).toMatchObject({ status: 'pending_payment', version: 1 });
      expect(await getInvoice(order.invoiceId)).toMatchObject({ status: 'open' });
      expect(await stockOf()).toBe(stock);

      // Settled by the provider: the order is paid, as the money was taken.
      await deliverWebhook(testApp, webhookEvent('payment.succeeded', pending.providerPaymentId)).expect(200, {
        applied: true,
      });
      expect(await getOrder(order.id)).toMatchObject({ status: 'paid' });
    });

    it('can be cancelled once the provider has failed the payment', async () => {
      const order = await placeOrder(testApp, buyer, [{ productId: product.id, quantity: 1 }]);
      const pending = await payInvoice(testApp, buyer, order.invoiceId, CARD.pending);
      await deliverWebhook(testApp, webhookEvent('payment.failed', pending.providerPaymentId)).expect(200);
      await testApp.http.post(`/v1/orders/${order.id}/cancel`).set(bearer(buyer)).expect(200);
      expect(await getInvoice(order.invoiceId)).toMatchObject({ status: 'void' });
      // A late success for the failed payment changes nothing.
      await deliverWebhook(testApp, webhookEvent('payment.succeeded', pending.providerPaymentId)).expect(200);
      expect(await getOrder(order.id)).toMatchObject({ status: 'cancelled' });
      expect(await getInvoice(order.invoiceId)).toMatchObject({ status: 'void' });
    });
  });

  (onRealDatabase ? describe : describe.skip)('racing transitions (real server only)', () => {
    it('pays or cancels each of 10 orders paid and cancelled at once: one wins, never a 5xx', async () => {
      const orders = await Promise.all(
        Array.from({ length: 10 }, () => placeOrder(testApp, buyer, [{ productId: product.id, quantity: 1 }])),
      );
      const stock = await stockOf();
      const results = await Promise.all(
        orders.map(async (order) => {
          const [pay, cancel] = await Promise.all([act('pay', { order }), act('cancel', { order })]);
          return { order, pay, cancel };
        }),
      );
      let cancelled = 0;
      for (const { order, pay, cancel } of results) {
        const statuses = [pay.status, cancel.status];
        const final = await getOrder(order.id);
        const invoice = await getInvoice(order.invoiceId);
        const payments = await paymentRowsOf(order.invoiceId);
        if (final.status === 'paid') {
          expect([statuses, invoice.status, payments.map(({ status }) => status)]).toEqual([
            [201, 409],
            'paid',
            ['succeeded'],
          ]);
        } else {
          cancelled += 1;
          expect([statuses, final.status, invoice.status, payments]).toEqual([[409, 200], 'cancelled', 'void', []]);
        }
      }
      expect(await stockOf()).toBe(stock + cancelled);
    });

    it('fulfils and refunds a paid order at once in either order, never a 5xx', async () => {
      const placed = await Promise.all(Array.from({ length: 5 }, () => orderIn('paid')));
      const results = await Promise.all(
        placed.map(async (one) => {
          const [fulfil, refund] = await Promise.all([act('fulfil', one), act('refund', one)]);
          return { one, fulfil, refund };
        }),
      );
      for (const { one, fulfil, refund } of results) {
        expect(refund.status).toBe(201);
        expect([200, 409]).toContain(fulfil.status);
        expect(await getOrder(one.order.id)).toMatchObject({ status: 'refunded' });
        const expected =
          fulfil.status === 200
            ? ['order.placed', 'order.paid', 'order.fulfilled', 'order.refunded']
            : ['order.placed', 'order.paid', 'order.refunded'];
        expect(await outboxTypes(one.order.id)).toEqual(expected);
      }
    });

    it('settles a pending payment and cancels its order at once: the order ends paid, never cancelled with money taken', async () => {
      const placed = await Promise.all(
        Array.from({ length: 5 }, async () => {
          const order = await placeOrder(testApp, buyer, [{ productId: product.id, quantity: 1 }]);
          return { order, payment: await payInvoice(testApp, buyer, order.invoiceId, CARD.pending) };
        }),
      );
      const results = await Promise.all(
        placed.map(async ({ order, payment }) => {
          const [webhook, cancel] = await Promise.all([
            deliverWebhook(testApp, webhookEvent('payment.succeeded', payment.providerPaymentId)),
            act('cancel', { order }),
          ]);
          return { order, webhook, cancel };
        }),
      );
      for (const { order, webhook, cancel } of results) {
        expect([webhook.status, webhook.body, cancel.status]).toEqual([200, { applied: true }, 409]);
        expect(await getOrder(order.id)).toMatchObject({ status: 'paid' });
        expect(await getInvoice(order.invoiceId)).toMatchObject({ status: 'paid' });
      }
    });
  });
});
