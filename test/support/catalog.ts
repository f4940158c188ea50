import { randomBytes, randomUUID } from 'node:crypto';
import { bearer, type Session } from './identity';
import type { TestApp } from './test-app';

/** A product as the API answers it. */
export interface TestProduct {
  id: string;
  sku: string;
  name: string;
  description: string;
  priceCents: number;
  currency: string;
  taxRateBps: number;
  stock: number;
  active: boolean;
  categoryIds: string[];
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** A category as the API answers it. */
export interface TestCategory {
  id: string;
  name: string;
  slug: string;
  parentId: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface StockMovementBody {
  id: string;
  productId: string;
  delta: number;
  stockAfter: number;
  reason: string;
  note: string | null;
  actorId: string | null;
  orderId: string | null;
  createdAt: string;
}

export interface NewProduct {
  sku?: string;
  name?: string;
  description?: string;
  priceCents?: number;
  currency?: string;
  taxRateBps?: number;
  stock?: number;
  active?: boolean;
  categoryIds?: string[];
}

export interface NewCategory {
  name?: string;
  slug?: string;
  parentId?: string | null;
}

/** Unique per call: files sharing the run's database never collide on a SKU. */
export function uniqueSku(label = 'T'): string {
  return `${label}-${randomUUID().slice(0, 13)}`.toUpperCase();
}

/**
 * A made-up word of letters only (digits and hyphens would split it into
 * several tokens), unique per call: a `q` that finds this test's products
 * and nobody else's. English stemming leaves it alone (no common suffix).
 */
export function uniqueWord(): string {
  const letters = 'bcdfghjkmnpqrstvwxz';
  return `zq${[...randomBytes(10)].map((byte) => letters[byte % letters.length]).join('')}`;
}

/** A product created over HTTP by `by` (a catalog editor); fails the test unless the answer is 201. */
export async function createProduct(testApp: TestApp, by: Session, fields: NewProduct = {}): Promise<TestProduct> {
  const body = {
    sku: uniqueSku(),
    name: `Test product ${randomUUID()}`,
    priceCents: 1_000,
    currency: 'EUR',
    taxRateBps: 2_000,
    ...fields,
  };
  const response = await testApp.http.post('/v1/products').set(bearer(by)).send(body);
  if (response.status !== 201) {
    throw new Error(`creating product ${body.sku} answered ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return response.body as TestProduct;
}

/** A category created over HTTP by `by` (a catalog editor); fails the test unless the answer is 201. */
export async function createCategory(testApp: TestApp, by: Session, fields: NewCategory = {}): Promise<TestCategory> {
  const body = { name: `Test category ${randomUUID()}`, ...fields };
  const response = await testApp.http.post('/v1/categories').set(bearer(by)).send(body);
  if (response.status !== 201) {
    throw new Error(`creating category ${body.name} answered ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return response.body as TestCategory;
}

/** The fields a 400 problem's `errors` name, each once. */
export function errorFields(body: unknown): string[] {
  const errors = (body as { errors?: { field: string }[] }).errors ?? [];
  return [...new Set(errors.map((error) => error.field))];
}

/** Every movement of a product, newest first, page by page; as `by` (who may read stock). */
export async function stockMovements(testApp: TestApp, by: Session, productId: string): Promise<StockMovementBody[]> {
  const movements: StockMovementBody[] = [];
  let cursor: string | null = null;
  do {
    const response: { body: { items: StockMovementBody[]; nextCursor: string | null } } = await testApp.http
      .get(`/v1/products/${productId}/stock-movements`)
      .query(cursor ? { limit: 100, cursor } : { limit: 100 })
      .set(bearer(by))
      .expect(200);
    movements.push(...response.body.items);
    cursor = response.body.nextCursor;
  } while (cursor);
  return movements;
}
