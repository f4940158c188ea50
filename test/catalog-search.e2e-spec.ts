import { randomUUID } from 'node:crypto';
import { createCategory, createProduct, errorFields, type TestProduct, uniqueSku, uniqueWord } from './support/catalog';
import { adminSession, bearer, createUser, type TestUser } from './support/identity';
import { idsOf } from './support/pages';
import { startTestApp, type TestApp } from './support/test-app';

interface ProductPage {
  items: TestProduct[];
  nextCursor: string | null;
}

type SortField = 'createdAt' | 'priceCents' | 'name';
const SORTS = ['createdAt', '-createdAt', 'priceCents', '-priceCents', 'name', '-name'] as const;

/**
 * The product list: full-text search, the category subtree and price range
 * filters, every sort in both directions, and keyset pages that walk every
 * match exactly once while products are added and when sort values tie.
 * Each test works in a category (or on a word) of its own, so products other
 * test files add meanwhile never take part.
 */
describe('catalog: product search and pages', () => {
  let testApp: TestApp;
  let admin: TestUser;
  let buyer: TestUser;

  const list = async (query: Record<string, string | number>, as: TestUser | null = buyer): Promise<ProductPage> => {
    const call = testApp.http.get('/v1/products').query({ limit: 100, ...query });
    return (await (as ? call.set(bearer(as)) : call).expect(200)).body as ProductPage;
  };
  const ids = async (query: Record<string, string | number>) => idsOf(await list(query));

  /**
   * Every page of `query`, `limit` at a time, as the buyer; `between(page)`
   * runs after each page but the last, before the next is asked for.
   */
  async function walk(
    query: Record<string, string | number>,
    limit: number,
    between: (page: number) => Promise<void> = () => Promise.resolve(),
  ): Promise<TestProduct[]> {
    const seen: TestProduct[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 200; page += 1) {
      const body = await list(cursor ? { ...query, limit, cursor } : { ...query, limit });
      expect(body.items.length).toBeLessThanOrEqual(limit);
      seen.push(...body.items);
      if (!body.nextCursor) return seen;
      // A cursor is only handed out when there is something after it.
      expect(body.items).toHaveLength(limit);
      cursor = body.nextCursor;
      await between(page);
    }
    throw new Error('pagination did not end');
  }

  /** `products` in the order of `sort`, ties broken by id in the same direction (UUIDs compare as their hex text). */
  function sorted(products: TestProduct[], sort: (typeof SORTS)[number], created: string[]): string[] {
    const descending = sort.startsWith('-');
    const field = sort.replace('-', '') as SortField;
    const key = (product: TestProduct) => (field === 'createdAt' ? created.indexOf(product.id) : product[field]);
    const ordered = [...products].sort((a, b) => {
      const [x, y] = [key(a), key(b)];
      const byKey = x < y ? -1 : x > y ? 1 : 0;
      return byKey !== 0 ? byKey : a.id < b.id ? -1 : 1;
    });
    return (descending ? ordered.reverse() : ordered).map((product) => product.id);
  }

  beforeAll(async () => {
    testApp = await startTestApp();
    admin = await adminSession(testApp);
    buyer = await createUser(testApp, { roles: ['buyer'] });
  });
  afterAll(() => testApp.close());

  describe('q: full-text search', () => {
    let word: string;
    let drill: TestProduct;
    let hammer: TestProduct;
    let bolts: TestProduct;

    beforeAll(async () => {
      word = uniqueWord();
      drill = await createProduct(testApp, admin, {
        name: `Cordless ${word} drill`,
        priceCents: 4_999,
        description: 'Ships with two rechargeable batteries.',
      });
      hammer = await createProduct(testApp, admin, { name: `Claw hammer ${word}`, description: 'Steel head.' });
      bolts = await createProduct(testApp, admin, { name: `Hex bolts M8`, description: `Zinc plated, ${word} grade.` });
    });

    it('matches every word, in any order, in the name or the description', async () => {
      expect(new Set(await ids({ q: word }))).toEqual(new Set([drill.id, hammer.id, bolts.id]));
      expect(await ids({ q: `drill ${word}` })).toEqual([drill.id]);
      expect(await ids({ q: `${word} drill cordless` })).toEqual([drill.id]);
      expect(await ids({ q: `hammer ${word} claw` })).toEqual([hammer.id]);
      expect(await ids({ q: `zinc ${word}` })).toEqual([bolts.id]);
    });

    it('stems English words: a plural finds the singular and the other way round', async () => {
      expect(await ids({ q: `${word} drills` })).toEqual([drill.id]);
      expect(await ids({ q: `${word} drilling` })).toEqual([drill.id]);
      expect(await ids({ q: `${word} bolt` })).toEqual([bolts.id]);
      expect(await ids({ q: `${word} battery` })).toEqual([drill.id]);
      expect(await ids({ q: `${word} hammers` })).toEqual([hammer.id]);
    });

    it('ignores case', async () => {
      expect(await ids({ q: `${word.toUpperCase()} DRILL` })).toEqual([drill.id]);
    });

    it('finds nothing when one of the words matches nothing', async () => {
      expect(await list({ q: `${word} saw` })).toEqual({ items: [], nextCursor: null });
      expect(await list({ q: uniqueWord() })).toEqual({ items: [], nextCursor: null });
    });

    it('finds a product by its SKU, in any case', async () => {
      const sku = uniqueSku('FIND');
      const product = await createProduct(testApp, admin, { sku });
      expect(await ids({ q: sku })).toEqual([product.id]);
      expect(await ids({ q: sku.toLowerCase() })).toEqual([product.id]);
    });

    it('answers punctuation, operators and stop words with a page, never an error', async () => {
      for (const q of ['the', '"', 'a & b | !c', `-${word}`, `${word} OR nothing`, '*:', '(']) {
        const response = await testApp.http.get('/v1/products').query({ q }).expect(200);
        expect(response.body.items).toEqual(expect.any(Array));
      }
      expect(new Set(await ids({ q: `${word} OR ${uniqueWord()}` }))).toEqual(new Set([drill.id, hammer.id, bolts.id]));
    });

    it('combines with the other filters', async () => {
      expect(await ids({ q: word, minPriceCents: 4_999, maxPriceCents: 4_999 })).toEqual([drill.id]);
      expect(new Set(await ids({ q: word, maxPriceCents: 4_998 }))).toEqual(new Set([hammer.id, bolts.id]));
      const category = await createCategory(testApp, admin);
      const inCategory = await createProduct(testApp, admin, { name: `Torch ${word}`, categoryIds: [category.id] });
      expect(await ids({ q: word, categoryId: category.id })).toEqual([inCategory.id]);
    });
  });

  describe('categoryId', () => {
    it('lists the products of the category and of every category below it, each once', async () => {
      const root = await createCategory(testApp, admin);
      const child = await createCategory(testApp, admin, { parentId: root.id });
      const grandchild = await createCategory(testApp, admin, { parentId: child.id });
      const sibling = await createCategory(testApp, admin);
      const inRoot = await createProduct(testApp, admin, { categoryIds: [root.id] });
      const inChild = await createProduct(testApp, admin, { categoryIds: [child.id] });
      const inGrandchild = await createProduct(testApp, admin, { categoryIds: [grandchild.id] });
      const inSibling = await createProduct(testApp, admin, { categoryIds: [sibling.id] });
      const inChildAndGrandchild = await createProduct(testApp, admin, { categoryIds: [child.id, grandchild.id] });
      const inSiblingAndGrandchild = await createProduct(testApp, admin, {
        categoryIds: [sibling.id, grandchild.id],
      });

      const byCategory = async (categoryId: string) => {
        const found = await ids({ categoryId });
        expect(new Set(found).size).toBe(found.length);
        return new Set(found);
      };
      expect(await byCategory(root.id)).toEqual(
        new Set([inRoot.id, inChild.id, inGrandchild.id, inChildAndGrandchild.id, inSiblingAndGrandchild.id]),
      );
      expect(await byCategory(child.id)).toEqual(
        new Set([inChild.id, inGrandchild.id, inChildAndGrandchild.id, inSiblingAndGrandchild.id]),
      );
      expect(await byCategory(grandchild.id)).toEqual(
        new Set([inGrandchild.id, inChildAndGrandchild.id, inSiblingAndGrandchild.id]),
      );
      expect(await byCategory(sibling.id)).toEqual(new Set([inSibling.id, inSiblingAndGrandchild.id]));
      expect(await byCategory(randomUUID())).toEqual(new Set());

      // Moving a subtree moves its products with it.
      await testApp.http
        .patch(`/v1/categories/${child.id}`)
        .set(bearer(admin))
        .send({ parentId: sibling.id })
        .expect(200);
      expect(await byCategory(root.id)).toEqual(new Set([inRoot.id]));
      expect((await byCategory(sibling.id)).size).toBe(5);
    });

    it('refuses a categoryId that is not a UUID with 400', async () => {
      const response = await testApp.http.get('/v1/products').query({ categoryId: 'tools' }).expect(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'categoryId' })]);
    });
  });

  describe('price range', () => {
    let categoryId: string;
    const byPrice = new Map<number, string>();

    beforeAll(async () => {
      categoryId = (await createCategory(testApp, admin)).id;
      for (const priceCents of [0, 999, 1_000, 1_500, 2_000, 2_001]) {
        byPrice.set(priceCents, (await createProduct(testApp, admin, { priceCents, categoryIds: [categoryId] })).id);
      }
    });
    const pricesFound = async (range: Record<string, number>) =>
      (await list({ categoryId, sort: 'priceCents', ...range })).items.map((product) => product.priceCents);

    it('includes both bounds', async () => {
      expect(await pricesFound({ minPriceCents: 1_000, maxPriceCents: 2_000 })).toEqual([1_000, 1_500, 2_000]);
      expect(await pricesFound({ minPriceCents: 1_500, maxPriceCents: 1_500 })).toEqual([1_500]);
    });

    it('takes either bound alone', async () => {
      expect(await pricesFound({ minPriceCents: 2_000 })).toEqual([2_000, 2_001]);
      expect(await pricesFound({ maxPriceCents: 999 })).toEqual([0, 999]);
      expect(await pricesFound({ minPriceCents: 0 })).toEqual([0, 999, 1_000, 1_500, 2_000, 2_001]);
    });

    it('finds nothing in a range between two prices', async () => {
      expect(await pricesFound({ minPriceCents: 1_001, maxPriceCents: 1_499 })).toEqual([]);
    });

    it.each([
      ['minPriceCents above maxPriceCents', { minPriceCents: 2_000, maxPriceCents: 1_999 }, 'minPriceCents'],
      ['a negative minPriceCents', { minPriceCents: -1 }, 'minPriceCents'],
      ['a fractional maxPriceCents', { maxPriceCents: 10.5 }, 'maxPriceCents'],
      ['a maxPriceCents that is not a number', { maxPriceCents: 'ten' }, 'maxPriceCents'],
    ])('refuses %s with a 400 problem naming the field', async (_what, query, field) => {
      const response = await testApp.http.get('/v1/products').query(query).expect(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(errorFields(response.body)).toEqual([field]);
    });
  });

  describe('sort', () => {
    let categoryId: string;
    let products: TestProduct[];
    /** Ids in the order they were created, one request after another. */
    const created: string[] = [];

    beforeAll(async () => {
      categoryId = (await createCategory(testApp, admin)).id;
      // Ties on price and on name, and a price above 2^31 (a bigint column).
      const rows: [string, number][] = [
        ['mango', 500],
        ['cherry', 100],
        ['quince', 300],
        ['cherry', 300],
        ['apple', 900],
        ['mango', 100],
        ['kiwi', 3_000_000_000],
        ['cherry', 300],
        ['banana', 700],
      ];
      products = [];
      for (const [name, priceCents] of rows) {
        const product = await createProduct(testApp, admin, {
          name: `Fruit ${name}`,
          priceCents,
          categoryIds: [categoryId],
        });
        products.push(product);
        created.push(product.id);
      }
    });

    it.each(SORTS)('orders by %s, ties by id, on one page', async (sort) => {
      expect(idsOf(await list({ categoryId, sort }))).toEqual(sorted(products, sort, created));
    });

    it.each(SORTS)('walks %s two at a time, each product exactly once, in the same order', async (sort) => {
      expect((await walk({ categoryId, sort }, 2)).map((product) => product.id)).toEqual(
        sorted(products, sort, created),
      );
    });

    it('sorts newest first by default', async () => {
      expect(idsOf(await list({ categoryId }))).toEqual([...created].reverse());
    });

    it.each([
      ['an unknown field', 'stock'],
      ['a field sorted by a plus sign', '+name'],
      ['an empty sort', ''],
    ])('refuses %s with 400', async (_what, sort) => {
      const response = await testApp.http.get('/v1/products').query({ sort }).expect(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'sort' })]);
    });
  });

  describe('keyset pages', () => {
    it('walks every product exactly once, newest first, while newer ones are added between pages', async () => {
      const categoryId = (await createCategory(testApp, admin)).id;
      const existing: string[] = [];
      for (let index = 0; index < 7; index += 1)
        existing.unshift((await createProduct(testApp, admin, { categoryIds: [categoryId] })).id);
      const added: string[] = [];
      const seen = await walk({ categoryId }, 2, async () => {
        added.push((await createProduct(testApp, admin, { categoryIds: [categoryId] })).id);
      });
      // The newcomers belong before the cursor, on pages already read: none shows up, nothing repeats or is skipped.
      expect(seen.map((product) => product.id)).toEqual(existing);
      expect(added).toHaveLength(3);
    });

    it.each(['priceCents', '-priceCents'] as const)(
      'walks by %s exactly once while products are added before and after the cursor',
      async (sort) => {
        const categoryId = (await createCategory(testApp, admin)).id;
        const initial: TestProduct[] = [];
        for (const priceCents of [100, 200, 300, 300, 300, 400, 500, 600, 700, 800])
          initial.push(await createProduct(testApp, admin, { priceCents, categoryIds: [categoryId] }));
        const ascending = sort === 'priceCents';
        const behind: TestProduct[] = [];
        const ahead: TestProduct[] = [];
        const seen = await walk({ categoryId, sort }, 3, async (page) => {
          // One product on the part already read, one on the part still to come: beyond every key so far,
          // never tied with the cursor's (a tie would fall on either side of it, by id).
          behind.push(
            await createProduct(testApp, admin, {
              priceCents: ascending ? 50 - page : 900 + page,
              categoryIds: [categoryId],
            }),
          );
          ahead.push(
            await createProduct(testApp, admin, {
              priceCents: ascending ? 850 + page : 60 - page,
              categoryIds: [categoryId],
            }),
          );
        });
        const seenIds = seen.map((product) => product.id);
        expect(new Set(seenIds).size).toBe(seenIds.length);
        expect(seenIds.filter((id) => initial.some((product) => product.id === id))).toEqual(sorted(initial, sort, []));
        // What was added ahead of the cursor is found, what was added behind it is not.
        expect(seenIds.filter((id) => behind.some((product) => product.id === id))).toEqual([]);
        expect(new Set(seenIds.filter((id) => ahead.some((product) => product.id === id)))).toEqual(
          new Set(ahead.map((product) => product.id)),
        );
        expect(seenIds).toEqual(sorted(seen, sort, []));
      },
    );

    it.each(['priceCents', '-priceCents', 'name', '-name', 'createdAt'] as const)(
      'walks 30 products with the same price and name exactly once by %s, 4 at a time',
      async (sort) => {
        const categoryId = (await createCategory(testApp, admin)).id;
        const twins: TestProduct[] = [];
        for (let index = 0; index < 30; index += 1)
          twins.push(
            await createProduct(testApp, admin, { name: 'Identical twin', priceCents: 777, categoryIds: [categoryId] }),
          );
        const seenIds = (await walk({ categoryId, sort }, 4)).map((product) => product.id);
        expect(seenIds).toEqual(
          sorted(
            twins,
            sort,
            twins.map((product) => product.id),
          ),
        );
      },
    );

    it('keeps a page the same size for customers when archived products lie in between', async () => {
      const categoryId = (await createCategory(testApp, admin)).id;
      const visible: string[] = [];
      for (let index = 0; index < 6; index += 1) {
        const product = await createProduct(testApp, admin, { categoryIds: [categoryId] });
        if (index % 2 === 0) await testApp.http.delete(`/v1/products/${product.id}`).set(bearer(admin)).expect(204);
        else visible.unshift(product.id);
      }
      expect((await walk({ categoryId }, 1)).map((product) => product.id)).toEqual(visible);
    });

    it.each([
      ['limit 101', { limit: 101 }, 'limit'],
      ['limit 0', { limit: 0 }, 'limit'],
      ['a limit that is not a number', { limit: 'all' }, 'limit'],
      ['a cursor that is not base64url', { cursor: '!!' }, 'cursor'],
      ['a cursor that decodes to nothing this service issues', { cursor: 'Z2FyYmFnZQ' }, 'cursor'],
    ])('refuses %s with a 400 problem naming the field', async (_what, query, field) => {
      const response = await testApp.http.get('/v1/products').query(query).expect(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(errorFields(response.body)).toEqual([field]);
    });

    it.each([
      ['a price key that is a JSON number', 'priceCents', 100],
      ['a price key beyond bigint', '-priceCents', '9223372036854775808'],
      ['a price key that is not a number', 'priceCents', '1e3'],
      ['a date out of the calendar', '-createdAt', '2026-02-30T00:00:00.000000Z'],
      ['a date without microseconds', 'createdAt', '2026-02-03T00:00:00.000Z'],
      ['a name key with a NUL', 'name', 'a\u0000'],
    ])('refuses a forged cursor with %s with a 400 naming the cursor', async (_what, sort, key) => {
      const cursor = Buffer.from(JSON.stringify([sort, key, randomUUID()])).toString('base64url');
      const response = await testApp.http.get('/v1/products').query({ sort, cursor }).expect(400);
      expect(errorFields(response.body)).toEqual(['cursor']);
    });

    it('answers at most 100 products for limit 100', async () => {
      expect((await list({ limit: 100 }, admin)).items.length).toBeLessThanOrEqual(100);
    });

    it.each([
      ['name', 'priceCents'],
      ['-priceCents', 'priceCents'],
      ['createdAt', '-createdAt'],
      ['-createdAt', 'name'],
    ])('refuses a cursor of sort %s used with sort %s with 400', async (issuedFor, usedWith) => {
      const categoryId = (await createCategory(testApp, admin)).id;
      for (let index = 0; index < 2; index += 1) await createProduct(testApp, admin, { categoryIds: [categoryId] });
      const first = await list({ categoryId, sort: issuedFor, limit: 1 });
      expect(first.nextCursor).toEqual(expect.any(String));
      const response = await testApp.http
        .get('/v1/products')
        .query({ categoryId, sort: usedWith, limit: 1, cursor: first.nextCursor as string })
        .expect(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'cursor' })]);
    });
  });
});
