import { randomUUID } from 'node:crypto';
import type { Test } from 'supertest';
import { bearer, type Session } from './identity';
import { withDatabase } from './raw-sql';
import type { TestApp } from './test-app';

/** A shipping address the API accepts. */
export interface TestShippingAddress {
  name: string;
  line1: string;
  line2?: string;
  postalCode: string;
  city: string;
  country: string;
}

export interface TestOrderLine {
  productId: string;
  sku: string;
  name: string;
  quantity: number;
  unitPriceCents: number;
  taxRateBps: number;
  subtotalCents: number;
  taxCents: number;
  totalCents: number;
}

/** An order as the API answers it. */
export interface TestOrder {
  id: string;
  number: string;
  status: string;
  organizationId: string;
  placedById: string;
  currency: string;
  lines: TestOrderLine[];
  subtotalCents: number;
  taxCents: number;
  totalCents: number;
  shippingAddress: TestShippingAddress;
  invoiceId: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** An invoice as the API answers it. */
export interface TestInvoice {
  id: string;
  number: string;
  orderId: string;
  organizationId: string;
  status: string;
  amountCents: number;
  currency: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface OrderItem {
  productId: string;
  quantity: number;
}

export function shippingAddress(fields: Partial<TestShippingAddress> = {}): TestShippingAddress {
  return {
    name: 'Receiving dock 4',
    line1: 'Hafenstraße 12',
    postalCode: '20457',
    city: 'Hamburg',
    country: 'DE',
    ...fields,
  };
}

export interface OrderRequestOptions {
  /** The Idempotency-Key; a new one per call when omitted, none at all when null. */
  key?: string | null;
  /** The whole body, instead of `{ items, shippingAddress }`. */
  body?: Record<string, unknown>;
}

/** POST /v1/orders as `by`, whatever it answers. */
export function postOrder(
  testApp: TestApp,
  by: Session | null,
  items: OrderItem[],
  { key, body }: OrderRequestOptions = {},
): Test {
  let request = testApp.http.post('/v1/orders');
  if (by) request = request.set(bearer(by));
  if (key !== null) request = request.set('Idempotency-Key', key ?? randomUUID());
  return request.send(body ?? { items, shippingAddress: shippingAddress() });
}

/** An order placed over HTTP by `by` (a buyer or org_admin); fails the test unless the answer is 201. */
export async function placeOrder(
  testApp: TestApp,
  by: Session,
  items: OrderItem[],
  options: OrderRequestOptions = {},
): Promise<TestOrder> {
  const response = await postOrder(testApp, by, items, options);
  if (response.status !== 201) {
    throw new Error(`placing an order answered ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return response.body as TestOrder;
}

/** Every item of a list endpoint, page by page; as `by`. */
export async function allPages<T>(
  testApp: TestApp,
  by: Session,
  path: string,
  query: Record<string, string | number> = {},
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const response: { body: { items: T[]; nextCursor: string | null } } = await testApp.http
      .get(path)
      .query(cursor ? { limit: 100, ...query, cursor } : { limit: 100, ...query })
      .set(bearer(by))
      .expect(200);
    items.push(...response.body.items);
    cursor = response.body.nextCursor;
  } while (cursor);
  return items;
}

export interface OutboxRow {
  type: string;
  aggregate_type: string;
  aggregate_id: string;
  payload: Record<string, unknown>;
  published_at: Date | null;
}

/** The outbox events about one aggregate, oldest first. */
export function outboxEventsAbout(aggregateId: string): Promise<OutboxRow[]> {
  return withDatabase(async (client) => {
    const { rows } = await client.query<OutboxRow>(
      `SELECT type, aggregate_type, aggregate_id, payload, published_at FROM outbox_events
        WHERE aggregate_id = $1 ORDER BY created_at, id`,
      [aggregateId],
    );
    return rows;
  });
}

/** How many order lines and outbox events name any of `productIds`: none after a refused order. */
export function traceOfProducts(productIds: string[]): Promise<{ orderLines: number; outboxEvents: number }> {
  return withDatabase(async (client) => {
    const { rows } = await client.query<{ order_lines: number; outbox_events: number }>(
      `SELECT (SELECT count(*)::int FROM order_lines WHERE product_id = ANY($1::uuid[])) AS order_lines,
              (SELECT count(*)::int FROM outbox_events e, jsonb_array_elements(e.payload -> 'lines') line
                WHERE line ->> 'productId' = ANY($1::text[])) AS outbox_events`,
      [productIds],
    );
    return { orderLines: rows[0].order_lines, outboxEvents: rows[0].outbox_events };
  });
}

/** How often each status occurs among `responses`, e.g. `{ 201: 10, 409: 90 }`. */
export function countStatuses(responses: { status: number }[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const { status } of responses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}
