import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Product } from '../src/catalog/entities/product.entity';
import { auditEventsAbout } from './support/audit-trail';
import { createCategory, createProduct, uniqueSku, uniqueWord } from './support/catalog';
import { adminSession, bearer, createUser, type Session, type TestUser } from './support/identity';
import { idsOf } from './support/pages';
import { onRealDatabase, startTestApp, type TestApp } from './support/test-app';
import { etagAt } from './support/etags';

/**
 * Products: creation and its validation, who sees archived products, edits
 * under ETag/If-Match (the concurrent case included), and the audit event
 * of every change with its before and after.
 */
describe('catalog: products', () => {
  let testApp: TestApp;
  let admin: TestUser;
  let manager: TestUser;
  let fulfillment: TestUser;
  let finance: TestUser;
  let auditor: TestUser;
  let orgAdmin: TestUser;
  let buyer: TestUser;

  /** The product.* events about a product, oldest first (denials are recorded about it too). */
  const productEvents = async (id: string) =>
    (await auditEventsAbout(testApp, id)).filter((event) => event.action.startsWith('product.'));
  const stored = (id: string) => testApp.app.get(DataSource).getRepository(Product).findOneByOrFail({ id });
  const get = (id: string, as: Session | null) => {
    const call = testApp.http.get(`/v1/products/${id}`);
    return as ? call.set(bearer(as)) : call;
  };
  const sessionOf = (caller: string): TestUser | null =>
    ({ admin, catalog_manager: manager, fulfillment, finance, auditor, org_admin: orgAdmin, buyer })[caller] ?? null;
  const list = (query: Record<string, string | number>, as: Session | null) => {
    const call = testApp.http.get('/v1/products').query({ limit: 100, ...query });
    return as ? call.set(bearer(as)) : call;
  };

  beforeAll(async () => {
    testApp = await startTestApp();
    admin = await adminSession(testApp);
    manager = await createUser(testApp, { roles: ['catalog_manager'] });
    fulfillment = await createUser(testApp, { roles: ['fulfillment'] });
    finance = await createUser(testApp, { roles: ['finance'] });
    auditor = await createUser(testApp, { roles: ['auditor'] });
    orgAdmin = await createUser(testApp, { roles: ['org_admin'] });
    buyer = await createUser(testApp, { roles: ['buyer'], organizationId: orgAdmin.organizationId ?? undefined });
  });
  afterAll(() => testApp.close());

  describe('creation', () => {
    it('creates a product with its fields, the SKU and currency upper-cased, and records it', async () => {
      const category = await createCategory(testApp, manager);
      const sku = uniqueSku('lower').toLowerCase();
      const response = await testApp.http
        .post('/v1/products')
        .set(bearer(manager))
        .send({
          sku,
          name: 'Cordless drill 18 V',
          description: 'Two batteries.\nCase included.',
          priceCents: 12_990,
          currency: 'eur',
          taxRateBps: 1_900,
          categoryIds: [category.id],
        })
        .expect(201);
      expect(response.body).toEqual({
        id: expect.any(String),
        sku: sku.toUpperCase(),
        name: 'Cordless drill 18 V',
        description: 'Two batteries.\nCase included.',
        priceCents: 12_990,
        currency: 'EUR',
        taxRateBps: 1_900,
        stock: 0,
        active: true,
        categoryIds: [category.id],
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        version: 1,
      });
      expect(await stored(response.body.id)).toMatchObject({ sku: sku.toUpperCase(), currency: 'EUR' });
      const read = await get(response.body.id, null).expect(200);
      expect(read.body).toEqual(response.body);

      const events = await productEvents(response.body.id);
      expect(events.map((event) => event.action)).toEqual(['product.created']);
      expect(events[0]).toMatchObject({ actorId: manager.id, resourceType: 'Product', outcome: 'success' });
      expect(events[0].changes).toEqual({
        before: {},
        after: {
          sku: sku.toUpperCase(),
          name: 'Cordless drill 18 V',
          description: 'Two batteries.\nCase included.',
          priceCents: 12_990,
          currency: 'EUR',
          taxRateBps: 1_900,
          active: true,
          categoryIds: [category.id],
        },
      });
    });

    it('refuses a SKU another product has, whatever its case, with 409, creating nothing', async () => {
      const sku = uniqueSku('dup');
      const first = await createProduct(testApp, admin, { sku });
      for (const again of [sku, sku.toLowerCase()]) {
        const response = await testApp.http
          .post('/v1/products')
          .set(bearer(admin))
          .send({ sku: again, name: 'Second', priceCents: 1, currency: 'EUR', taxRateBps: 0 })
          .expect(409);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(response.body).toMatchObject({ type: expect.stringMatching(/sku-taken$/), errors: [{ field: 'sku' }] });
      }
      expect(await testApp.app.get(DataSource).getRepository(Product).countBy({ sku })).toBe(1);
      // Nor may an edit take it.
      const other = await createProduct(testApp, admin);
      await testApp.http
        .patch(`/v1/products/${other.id}`)
        .set(bearer(admin))
        .send({ sku: sku.toLowerCase() })
        .expect(409);
      expect(await stored(other.id)).toMatchObject({ sku: other.sku, version: 1 });
      expect((await stored(first.id)).sku).toBe(sku);
    });

    it.each([
      ['a currency that is not ISO 4217', { currency: 'EURO' }, 'currency'],
      ['an unknown currency code', { currency: 'ZZZ' }, 'currency'],
      ['a tax rate below 0', { taxRateBps: -1 }, 'taxRateBps'],
      ['a tax rate above 100 %', { taxRateBps: 10_001 }, 'taxRateBps'],
      ['a fractional tax rate', { taxRateBps: 12.5 }, 'taxRateBps'],
      ['a negative price', { priceCents: -1 }, 'priceCents'],
      ['a fractional price', { priceCents: 9.99 }, 'priceCents'],
      ['a price as a string', { priceCents: '100' }, 'priceCents'],
      ['a SKU with a space', { sku: 'AB CD' }, 'sku'],
      ['an empty SKU', { sku: '' }, 'sku'],
      ['a blank name', { name: '  ' }, 'name'],
      ['a name with a NUL', { name: 'a\u0000b' }, 'name'],
      ['a negative initial stock', { stock: -1 }, 'stock'],
      ['a category id that is not a UUID', { categoryIds: ['shoes'] }, 'categoryIds'],
      ['the same category twice', { categoryIds: ['SAME', 'SAME'] }, 'categoryIds'],
      ['an unknown category', { categoryIds: ['UNKNOWN'] }, 'categoryIds'],
      ['null categories', { categoryIds: null }, 'categoryIds'],
      ['null for active', { active: null }, 'active'],
      ['no name', { name: undefined }, 'name'],
      ['an unknown field', { version: 7 }, 'version'],
    ])('refuses %s with a 400 problem naming the field, creating nothing', async (_what, overrides, field) => {
      const sku = uniqueSku('bad');
      const same = randomUUID();
      const categoryIds = (overrides as { categoryIds?: unknown }).categoryIds as string[] | null | undefined;
      const body: Record<string, unknown> = {
        sku,
        name: 'Valid name',
        priceCents: 100,
        currency: 'EUR',
        taxRateBps: 2_000,
        ...overrides,
        ...(Array.isArray(categoryIds)
          ? { categoryIds: categoryIds.map((id) => (id === 'SAME' ? same : id === 'UNKNOWN' ? randomUUID() : id)) }
          : {}),
      };
      const response = await testApp.http.post('/v1/products').set(bearer(admin)).send(body).expect(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      expect(await testApp.app.get(DataSource).getRepository(Product).countBy({ sku })).toBe(0);
    });
  });

  describe('who sees archived products', () => {
    let category: string;
    let active: string;
    let archived: string;

    beforeAll(async () => {
      category = (await createCategory(testApp, manager)).id;
      active = (await createProduct(testApp, manager, { categoryIds: [category] })).id;
      archived = (await createProduct(testApp, manager, { categoryIds: [category] })).id;
      await testApp.http.delete(`/v1/products/${archived}`).set(bearer(manager)).expect(204);
    });

    it.each(['anonymous', 'org_admin', 'buyer', 'finance'] as const)(
      'hides them from %s: not listed, and 404 like a product that does not exist',
      async (caller) => {
        const as = sessionOf(caller);
        expect(idsOf((await list({ categoryId: category }, as).expect(200)).body)).toEqual([active]);
        await get(active, as).expect(200);
        const hidden = await get(archived, as).expect(404);
        const missing = await get(randomUUID(), as).expect(404);
        expect({ type: hidden.body.type, detail: hidden.body.detail }).toEqual({
          type: missing.body.type,
          detail: missing.body.detail,
        });
      },
    );

    it.each(['admin', 'catalog_manager', 'fulfillment', 'auditor'] as const)(
      'shows them to %s: listed and readable',
      async (caller) => {
        const as = sessionOf(caller);
        expect(new Set(idsOf((await list({ categoryId: category }, as).expect(200)).body))).toEqual(
          new Set([active, archived]),
        );
        expect((await get(archived, as).expect(200)).body).toMatchObject({ id: archived, active: false });
      },
    );

    it('records a customer asking for an archived product as a denial', async () => {
      await get(archived, buyer).expect(404);
      const denials = (await auditEventsAbout(testApp, archived)).filter(
        (event) => event.action === 'access.denied' && event.actorId === buyer.id,
      );
      expect(denials.length).toBeGreaterThan(0);
    });
  });

  describe('archive and restore', () => {
    it('archives with DELETE (204, idempotent: one event), and restores with PATCH active:true', async () => {
      const product = await createProduct(testApp, manager);
      await testApp.http.delete(`/v1/products/${product.id}`).set(bearer(manager)).expect(204);
      await testApp.http.delete(`/v1/products/${product.id}`).set(bearer(manager)).expect(204);
      expect(await stored(product.id)).toMatchObject({ active: false, version: 2 });
      await get(product.id, buyer).expect(404);

      const restored = await testApp.http
        .patch(`/v1/products/${product.id}`)
        .set(bearer(manager))
        .send({ active: true })
        .expect(200);
      expect(restored.body).toMatchObject({ active: true, version: 3 });
      expect(restored.headers.etag).toEqual(etagAt(3));
      await get(product.id, buyer).expect(200);
      await get(product.id, null).expect(200);

      const events = await productEvents(product.id);
      expect(events.map((event) => [event.action, event.changes])).toEqual([
        ['product.created', expect.anything()],
        ['product.archived', { before: { active: true }, after: { active: false } }],
        ['product.restored', { before: { active: false }, after: { active: true } }],
      ]);
    });

    it('archives with PATCH active:false, recorded as product.archived', async () => {
      const product = await createProduct(testApp, admin);
      const response = await testApp.http
        .patch(`/v1/products/${product.id}`)
        .set(bearer(admin))
        .send({ active: false })
        .expect(200);
      expect(response.body).toMatchObject({ active: false, version: 2 });
      await get(product.id, null).expect(404);
      const [, archivedEvent] = await productEvents(product.id);
      expect(archivedEvent).toMatchObject({
        action: 'product.archived',
        actorId: admin.id,
        changes: { before: { active: true }, after: { active: false } },
      });
    });

    it('can create a product archived, invisible to customers from the start', async () => {
      const product = await createProduct(testApp, admin, { active: false });
      expect(product.active).toBe(false);
      await get(product.id, orgAdmin).expect(404);
      await get(product.id, fulfillment).expect(200);
    });

    it('answers 404 for archiving or editing a product that does not exist', async () => {
      await testApp.http.delete(`/v1/products/${randomUUID()}`).set(bearer(admin)).expect(404);
      await testApp.http.patch(`/v1/products/${randomUUID()}`).set(bearer(admin)).send({ name: 'x' }).expect(404);
      await testApp.http.get('/v1/products/not-a-uuid').expect(400);
    });
  });

  describe('editing', () => {
    it('changes fields and categories, recording only what changed, before and after', async () => {
      const [first, second] = [await createCategory(testApp, admin), await createCategory(testApp, admin)];
      const product = await createProduct(testApp, manager, {
        name: 'Old name',
        priceCents: 1_000,
        categoryIds: [first.id],
      });
      const response = await testApp.http
        .patch(`/v1/products/${product.id}`)
        .set(bearer(manager))
        .send({ name: 'New name', priceCents: 1_250, taxRateBps: product.taxRateBps, categoryIds: [second.id] })
        .expect(200);
      expect(response.body).toMatchObject({
        name: 'New name',
        priceCents: 1_250,
        categoryIds: [second.id],
        version: 2,
      });
      const [, updated] = await productEvents(product.id);
      expect(updated).toMatchObject({ action: 'product.updated', actorId: manager.id });
      expect(updated.changes).toEqual({
        before: { name: 'Old name', priceCents: 1_000, categoryIds: [first.id] },
        after: { name: 'New name', priceCents: 1_250, categoryIds: [second.id] },
      });
      // A category change alone is an edit too: the version counts it.
      const recategorized = await testApp.http
        .patch(`/v1/products/${product.id}`)
        .set(bearer(manager))
        .send({ categoryIds: [] })
        .expect(200);
      expect(recategorized.body).toMatchObject({ categoryIds: [], version: 3 });
    });

    it('changes nothing, and records nothing, for a PATCH that sends the current values', async () => {
      const product = await createProduct(testApp, admin);
      const response = await testApp.http
        .patch(`/v1/products/${product.id}`)
        .set(bearer(admin))
        .send({ name: product.name, priceCents: product.priceCents })
        .expect(200);
      expect(response.body.version).toBe(1);
      expect((await productEvents(product.id)).map((event) => event.action)).toEqual(['product.created']);
    });

    it.each([
      ['a null name', { name: null }],
      ['a null price', { priceCents: null }],
      ['a null SKU', { sku: null }],
      ['a null currency', { currency: null }],
      ['a null tax rate', { taxRateBps: null }],
      ['a null active flag', { active: null }],
      ['a null description', { description: null }],
      ['a bad currency', { currency: 'EURO' }],
      ['a tax rate out of range', { taxRateBps: 10_001 }],
      ['an unknown category', { categoryIds: [randomUUID()] }],
      ['stock, which moves only by adjustments', { stock: 5 }],
    ])('refuses %s with 400, changing nothing', async (_what, body) => {
      const product = await createProduct(testApp, admin, { description: 'Kept' });
      const response = await testApp.http.patch(`/v1/products/${product.id}`).set(bearer(admin)).send(body);
      expect({ status: response.status, type: response.headers['content-type'] }).toEqual({
        status: 400,
        type: expect.stringMatching(/^application\/problem\+json/),
      });
      expect(await stored(product.id)).toMatchObject({
        name: product.name,
        priceCents: product.priceCents,
        description: 'Kept',
        stock: 0,
        active: true,
        version: 1,
      });
    });
  });

  describe('optimistic concurrency', () => {
    it('returns the version as ETag and edits with the matching If-Match', async () => {
      const product = await createProduct(testApp, manager);
      const read = await get(product.id, manager).expect(200);
      expect(read.headers.etag).toEqual(etagAt(1));
      // Anonymous readers get it too.
      expect((await get(product.id, null).expect(200)).headers.etag).toBe(read.headers.etag);
      const edited = await testApp.http
        .patch(`/v1/products/${product.id}`)
        .set(bearer(manager))
        .set('If-Match', read.headers.etag)
        .send({ priceCents: 4_200 })
        .expect(200);
      expect(edited.body).toMatchObject({ priceCents: 4_200, version: 2 });
      expect(edited.headers.etag).toEqual(etagAt(2));
      expect((await get(product.id, manager).expect(200)).headers.etag).toBe(edited.headers.etag);
    });

    it('answers a stale If-Match with 412, changing nothing and recording no change', async () => {
      const product = await createProduct(testApp, manager, { name: 'Original' });
      await testApp.http
        .patch(`/v1/products/${product.id}`)
        .set(bearer(manager))
        .send({ name: 'First edit' })
        .expect(200);
      const stale = await testApp.http
        .patch(`/v1/products/${product.id}`)
        .set(bearer(manager))
        .set('If-Match', '"1"')
        .send({ name: 'Lost update', priceCents: 1 })
        .expect(412);
      expect(stale.body).toMatchObject({ status: 412, currentETag: '"2"' });
      expect(stale.headers['content-type']).toMatch(/^application\/problem\+json/);
      const archive = await testApp.http
        .delete(`/v1/products/${product.id}`)
        .set(bearer(manager))
        .set('If-Match', '"1"')
        .expect(412);
      expect(archive.body.currentETag).toBe('"2"');
      expect(await stored(product.id)).toMatchObject({
        name: 'First edit',
        priceCents: product.priceCents,
        active: true,
        version: 2,
      });
      expect((await productEvents(product.id)).map((event) => event.action)).toEqual([
        'product.created',
        'product.updated',
      ]);
    });

    it('refuses a malformed If-Match with 400', async () => {
      const product = await createProduct(testApp, manager);
      const response = await testApp.http
        .patch(`/v1/products/${product.id}`)
        .set(bearer(manager))
        .set('If-Match', '1')
        .send({ name: 'x' })
        .expect(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'If-Match' })]);
    });

    (onRealDatabase ? it : it.skip)(
      'lets exactly one of two concurrent edits made from the same read win (real server only)',
      async () => {
        const product = await createProduct(testApp, manager, { priceCents: 100 });
        const responses = await Promise.all(
          [
            { name: 'Edit A', priceCents: 111 },
            { name: 'Edit B', priceCents: 222 },
          ].map((body) =>
            testApp.http.patch(`/v1/products/${product.id}`).set(bearer(manager)).set('If-Match', '"1"').send(body),
          ),
        );
        expect(responses.map((response) => response.status).sort()).toEqual([200, 412]);
        const winner = responses.find((response) => response.status === 200)?.body as Record<string, unknown>;
        expect(await stored(product.id)).toMatchObject({
          name: winner.name,
          priceCents: winner.priceCents,
          version: 2,
        });
        const updates = (await productEvents(product.id)).filter((event) => event.action === 'product.updated');
        expect(updates.map((event) => event.changes?.after)).toEqual([
          { name: winner.name, priceCents: winner.priceCents },
        ]);
      },
    );

    (onRealDatabase ? it : it.skip)(
      'never loses stock moved while the product is edited (real server only)',
      async () => {
        const product = await createProduct(testApp, manager, { stock: 100 });
        const [edit, ...adjustments] = await Promise.all([
          testApp.http
            .patch(`/v1/products/${product.id}`)
            .set(bearer(manager))
            .set('If-Match', '"1"')
            .send({ name: 'Edited meanwhile', priceCents: 4_321 }),
          ...Array.from({ length: 10 }, () =>
            testApp.http
              .post(`/v1/products/${product.id}/stock-adjustments`)
              .set(bearer(fulfillment))
              .send({ delta: -3, reason: 'damaged' }),
          ),
        ]);
        expect(edit.status).toBe(200);
        expect(adjustments.map((response) => response.status)).toEqual(adjustments.map(() => 201));
        expect(await stored(product.id)).toMatchObject({
          name: 'Edited meanwhile',
          priceCents: 4_321,
          stock: 70,
          version: 2,
        });
      },
    );

    (onRealDatabase ? it : it.skip)(
      'creates exactly one of two concurrent products with the same SKU in different case (real server only)',
      async () => {
        const sku = uniqueSku('race');
        const responses = await Promise.all(
          [sku, sku.toLowerCase()].map((candidate) =>
            testApp.http
              .post('/v1/products')
              .set(bearer(manager))
              .send({ sku: candidate, name: 'Race', priceCents: 1, currency: 'EUR', taxRateBps: 0, stock: 5 }),
          ),
        );
        expect(responses.map((response) => response.status).sort()).toEqual([201, 409]);
        expect(await testApp.app.get(DataSource).getRepository(Product).countBy({ sku })).toBe(1);
      },
    );

    it('revalidates a read after a stock move with the new stock: the representation changed, so its ETag did', async () => {
      const product = await createProduct(testApp, manager, { stock: 3 });
      const read = await get(product.id, null).expect(200);
      await get(product.id, null).set('If-None-Match', read.headers.etag).expect(304);
      await testApp.http
        .post(`/v1/products/${product.id}/stock-adjustments`)
        .set(bearer(fulfillment))
        .send({ delta: 2, reason: 'received' })
        .expect(201);

      const revalidated = await get(product.id, null).set('If-None-Match', read.headers.etag).expect(200);
      expect(revalidated.body).toMatchObject({ stock: 5, version: 1 });
      expect(revalidated.headers.etag).not.toBe(read.headers.etag);
      await get(product.id, null).set('If-None-Match', revalidated.headers.etag).expect(304);
    });

    it('does not count stock moves as edits: the ETag read before an adjustment still matches', async () => {
      const product = await createProduct(testApp, manager, { stock: 3 });
      const read = await get(product.id, manager).expect(200);
      await testApp.http
        .post(`/v1/products/${product.id}/stock-adjustments`)
        .set(bearer(fulfillment))
        .send({ delta: 2, reason: 'received' })
        .expect(201);
      const edited = await testApp.http
        .patch(`/v1/products/${product.id}`)
        .set(bearer(manager))
        .set('If-Match', read.headers.etag)
        .send({ name: 'Renamed after a delivery' })
        .expect(200);
      expect(edited.body).toMatchObject({ stock: 5, version: 2 });
    });
  });

  describe('credentials on public reads', () => {
    it('answers an invalid bearer token with 401, even where anonymous callers are welcome', async () => {
      const product = await createProduct(testApp, admin);
      for (const path of ['/v1/products', `/v1/products/${product.id}`]) {
        await testApp.http.get(path).expect(200);
        const response = await testApp.http.get(path).set('Authorization', 'Bearer not-a-token').expect(401);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
    });
  });

  describe('search term of one test', () => {
    it('finds the product a unique word names, and nothing after it is archived', async () => {
      const word = uniqueWord();
      const product = await createProduct(testApp, admin, { name: `Lamp ${word}` });
      expect(idsOf((await list({ q: word }, null).expect(200)).body)).toEqual([product.id]);
      await testApp.http.delete(`/v1/products/${product.id}`).set(bearer(admin)).expect(204);
      expect(idsOf((await list({ q: word }, null).expect(200)).body)).toEqual([]);
      expect(idsOf((await list({ q: word }, auditor).expect(200)).body)).toEqual([product.id]);
    });
  });
});
