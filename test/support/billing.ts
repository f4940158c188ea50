import { randomBytes, randomUUID } from 'node:crypto';
import type { Test } from 'supertest';
import { signWebhook } from '../../src/billing/webhook-signature';
import { bearer, type Session } from './identity';
import { withDatabase } from './raw-sql';
import type { TestApp } from './test-app';

/** A payment as the API answers it. */
export interface TestPayment {
  id: string;
  invoiceId: string;
  orderId: string;
  organizationId: string;
  provider: string;
  providerPaymentId: string;
  status: 'pending' | 'succeeded' | 'failed';
  amountCents: number;
  currency: string;
  refundedCents: number;
  failureCode: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** A refund as the API answers it. */
export interface TestRefund {
  id: string;
  paymentId: string;
  amountCents: number;
  reason: string;
  createdById: string;
  createdAt: string;
}

/** The simulated provider's test-mode card tokens. */
export const CARD = { visa: 'tok_visa', declined: 'tok_chargeDeclined', pending: 'tok_pending' } as const;

export interface KeyOption {
  /** The Idempotency-Key; a new one per call when omitted, none at all when null. */
  key?: string | null;
}

/** POST /v1/invoices/:id/payments as `by` with a card token, whatever it answers. */
export function postPayment(
  testApp: TestApp,
  by: Session,
  invoiceId: string,
  token: string = CARD.visa,
  { key }: KeyOption = {},
): Test {
  let request = testApp.http.post(`/v1/invoices/${invoiceId}/payments`).set(bearer(by));
  if (key !== null) request = request.set('Idempotency-Key', key ?? randomUUID());
  return request.send({ paymentMethod: { type: 'card', token } });
}

/** An invoice paid over HTTP by `by`; fails the test unless the answer is 201. */
export async function payInvoice(
  testApp: TestApp,
  by: Session,
  invoiceId: string,
  token: string = CARD.visa,
): Promise<TestPayment> {
  const response = await postPayment(testApp, by, invoiceId, token);
  if (response.status !== 201) {
    throw new Error(`paying invoice ${invoiceId} answered ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return response.body as TestPayment;
}

/** POST /v1/payments/:id/refunds as `by`, whatever it answers. */
export function postRefund(
  testApp: TestApp,
  by: Session,
  paymentId: string,
  body: { amountCents?: number; reason?: string } = {},
  { key }: KeyOption = {},
): Test {
  let request = testApp.http.post(`/v1/payments/${paymentId}/refunds`).set(bearer(by));
  if (key !== null) request = request.set('Idempotency-Key', key ?? randomUUID());
  return request.send({ reason: 'customer returned the goods', ...body });
}

/** A refund made over HTTP by `by` (finance or admin); fails the test unless the answer is 201. */
export async function refundPayment(
  testApp: TestApp,
  by: Session,
  paymentId: string,
  body: { amountCents?: number; reason?: string } = {},
): Promise<TestRefund> {
  const response = await postRefund(testApp, by, paymentId, body);
  if (response.status !== 201) {
    throw new Error(`refunding payment ${paymentId} answered ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return response.body as TestRefund;
}

/** A provider event about one of its payments, as the simulated provider sends it. */
export interface TestWebhookEvent {
  id: string;
  type: 'payment.succeeded' | 'payment.failed';
  providerPaymentId: string;
  failureCode?: string;
}

export function webhookEvent(
  type: TestWebhookEvent['type'],
  providerPaymentId: string,
  fields: Partial<TestWebhookEvent> = {},
): TestWebhookEvent {
  return { id: `evt_${randomBytes(12).toString('hex')}`, type, providerPaymentId, ...fields };
}

export interface WebhookDelivery {
  /** Signs with this secret instead of the app's PAYMENT_WEBHOOK_SECRET. */
  secret?: string;
  /** Unix seconds of the signature; now when omitted. */
  timestamp?: number;
  /** The Payment-Signature header as sent; null for none. Overrides secret and timestamp. */
  signature?: string | null;
  /** Sends these bytes instead of the signed ones (a body altered after signing). */
  sentBody?: string;
  /** The `:provider` of the path. */
  provider?: string;
  requestId?: string;
}

/** POSTs `event` (or raw text) to the webhook endpoint, signed as `delivery` says; whatever it answers. */
export function deliverWebhook(
  testApp: TestApp,
  event: TestWebhookEvent | string,
  delivery: WebhookDelivery = {},
): Test {
  const body = typeof event === 'string' ? event : JSON.stringify(event);
  const signature =
    delivery.signature === undefined
      ? signWebhook(delivery.secret ?? testApp.environment.PAYMENT_WEBHOOK_SECRET, body, delivery.timestamp)
      : delivery.signature;
  let request = testApp.http
    .post(`/v1/billing/webhooks/${delivery.provider ?? 'simulated'}`)
    .set('content-type', 'application/json');
  if (signature !== null) request = request.set('Payment-Signature', signature);
  if (delivery.requestId) request = request.set('X-Request-Id', delivery.requestId);
  return request.send(delivery.sentBody ?? body);
}

export interface PaymentRow {
  id: string;
  status: string;
  amount_cents: string;
  refunded_cents: string;
  failure_code: string | null;
}

/** Every payment row of an invoice, oldest first, read straight from the table. */
export function paymentRowsOf(invoiceId: string): Promise<PaymentRow[]> {
  return withDatabase(async (client) => {
    const { rows } = await client.query<PaymentRow>(
      `SELECT id, status, amount_cents, refunded_cents, failure_code FROM payments
        WHERE invoice_id = $1 ORDER BY created_at, id`,
      [invoiceId],
    );
    return rows;
  });
}

/** Whether the provider event `eventId` is recorded as applied. */
export function webhookEventRecorded(eventId: string): Promise<boolean> {
  return withDatabase(async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM webhook_events WHERE event_id = $1', [eventId]);
    return rowCount === 1;
  });
}

/** The refund rows of a payment, oldest first. */
export function refundRowsOf(paymentId: string): Promise<{ id: string; amount_cents: string }[]> {
  return withDatabase(async (client) => {
    const { rows } = await client.query<{ id: string; amount_cents: string }>(
      'SELECT id, amount_cents FROM refunds WHERE payment_id = $1 ORDER BY created_at, id',
      [paymentId],
    );
    return rows;
  });
}
