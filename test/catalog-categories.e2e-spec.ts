import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Category } from '../src/catalog/entities/category.entity';
import { auditEventsAbout } from './support/audit-trail';
import { createCategory, createProduct, type TestCategory, uniqueSku, uniqueWord } from './support/catalog';
import { adminSession, bearer, createUser, type TestUser } from './support/identity';
import { onRealDatabase, startTestApp, type TestApp } from './support/test-app';
import { etagAt } from './support/etags';

/**
 * The category tree: slugs, parents, moves that would make a loop, deletion
 * of empty categories only, ETag/If-Match edits, and the audit event of
 * every change with its before and after.
 */
describe('catalog: categories', () => {
  let testApp: TestApp;
  let admin: TestUser;
  let manager: TestUser;
  let buyer: TestUser;

  const categoryEvents = async (id: string) =>
    (await auditEventsAbout(testApp, id)).filter((event) => event.action.startsWith('category.'));
  const stored = (id: string) => testApp.app.get(DataSource).getRepository(Category).findOneBy({ id });
  const patch = (id: string, body: object) =>
    testApp.http.patch(`/v1/categories/${id}`).set(bearer(manager)).send(body);

  beforeAll(async () => {
    testApp = await startTestApp();
    admin = await adminSession(testApp);
    manager = await createUser(testApp, { roles: ['catalog_manager'] });
    buyer = await createUser(testApp, { roles: ['buyer'] });
  });
  afterAll(() => testApp.close());

  describe('creation', () => {
    it('derives the slug from the name, dropping accents and punctuation, and records the creation', async () => {
      const word = uniqueWord();
      const response = await testApp.http
        .post('/v1/categories')
        .set(bearer(manager))
        .send({ name: `Power Tools & Drills — Café ${word}!` })
        .expect(201);
      expect(response.body).toEqual({
        id: expect.any(String),
        name: `Power Tools & Drills — Café ${word}!`,
        slug: `power-tools-drills-cafe-${word}`,
        parentId: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        version: 1,
      });
      const events = await categoryEvents(response.body.id);
      expect(events.map((event) => event.action)).toEqual(['category.created']);
      expect(events[0]).toMatchObject({ actorId: manager.id, resourceType: 'Category', outcome: 'success' });
      expect(events[0].changes).toEqual({
        before: {},
        after: { name: `Power Tools & Drills — Café ${word}!`, slug: `power-tools-drills-cafe-${word}` },
      });
    });

    it('takes an explicit slug and a parent', async () => {
      const parent = await createCategory(testApp, manager);
      const slug = `garden-${uniqueWord()}`;
      const child = await createCategory(testApp, manager, { name: 'Anything', slug, parentId: parent.id });
      expect(child).toMatchObject({ slug, parentId: parent.id });
      const [event] = await categoryEvents(child.id);
      expect(event.changes?.after).toEqual({ name: 'Anything', slug, parentId: parent.id });
    });

    it('refuses a slug that is taken with 409, whether derived or sent, creating nothing', async () => {
      const word = uniqueWord();
      const first = await createCategory(testApp, manager, { name: `Hand tools ${word}` });
      for (const body of [{ name: `Hand  Tools ${word}` }, { name: 'Other', slug: first.slug }]) {
        const response = await testApp.http.post('/v1/categories').set(bearer(manager)).send(body).expect(409);
        expect(response.body).toMatchObject({
          type: expect.stringMatching(/slug-taken$/),
          errors: [{ field: 'slug' }],
        });
      }
      expect(await testApp.app.get(DataSource).getRepository(Category).countBy({ slug: first.slug })).toBe(1);
    });

    it('refuses an unknown parent with 400, creating nothing', async () => {
      const name = `Orphan ${uniqueWord()}`;
      const response = await testApp.http
        .post('/v1/categories')
        .set(bearer(manager))
        .send({ name, parentId: randomUUID() })
        .expect(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'parentId' })]);
      expect(await testApp.app.get(DataSource).getRepository(Category).countBy({ name })).toBe(0);
    });

    it.each([
      ['a name from which no slug can be derived', { name: '!!! ???' }, 'slug'],
      ['a slug with capitals', { name: 'Ok', slug: 'Garden' }, 'slug'],
      ['a slug with a double hyphen', { name: 'Ok', slug: 'a--b' }, 'slug'],
      ['a blank name', { name: ' ' }, 'name'],
      ['no name', { slug: 'no-name' }, 'name'],
      ['a parent that is not a UUID', { name: 'Ok', parentId: 'tools' }, 'parentId'],
    ])('refuses %s with a 400 problem naming the field', async (_what, body, field) => {
      const response = await testApp.http.post('/v1/categories').set(bearer(manager)).send(body).expect(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    });

    it('lets no one but catalog editors create one', async () => {
      await testApp.http.post('/v1/categories').set(bearer(buyer)).send({ name: 'Mine' }).expect(403);
      await testApp.http.post('/v1/categories').send({ name: 'Mine' }).expect(401);
    });
  });

  describe('reading', () => {
    it('lets anyone read a category and the list, sorted by name, a page at a time', async () => {
      const word = uniqueWord();
      const category = await createCategory(testApp, manager, { name: `Shelving ${word}` });
      const read = await testApp.http.get(`/v1/categories/${category.id}`).expect(200);
      expect(read.body).toEqual(category);
      expect(read.headers.etag).toEqual(etagAt(1));
      await testApp.http.get(`/v1/categories/${randomUUID()}`).expect(404);
      await testApp.http.get(`/v1/categories/${category.id}`).set('Authorization', 'Bearer nonsense').expect(401);

      const names: string[] = [];
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const response: { body: { items: TestCategory[]; nextCursor: string | null } } = await testApp.http
          .get('/v1/categories')
          .query(cursor ? { limit: 50, cursor } : { limit: 50 })
          .expect(200);
        names.push(...response.body.items.map((item) => item.name));
        ids.push(...response.body.items.map((item) => item.id));
        cursor = response.body.nextCursor;
      } while (cursor);
      expect(ids).toContain(category.id);
      expect(new Set(ids).size).toBe(ids.length);
      // Sorted by the database's collation: compare the names this file chose, which sort the same in any.
      const ours = names.filter((name) => name.startsWith('Shelving '));
      expect(ours).toEqual([...ours].sort());
      await testApp.http.get('/v1/categories').query({ limit: 101 }).expect(400);
    });
  });

  describe('editing', () => {
    it('renames, changes the slug and moves a category with If-Match, recording before and after', async () => {
      const [from, to] = [await createCategory(testApp, manager), await createCategory(testApp, manager)];
      const category = await createCategory(testApp, manager, { parentId: from.id });
      const read = await testApp.http.get(`/v1/categories/${category.id}`).expect(200);
      const slug = `renamed-${uniqueWord()}`;
      const response = await patch(category.id, { name: 'Renamed', slug, parentId: to.id })
        .set('If-Match', read.headers.etag)
        .expect(200);
      expect(response.body).toMatchObject({ name: 'Renamed', slug, parentId: to.id, version: 2 });
      expect(response.headers.etag).toEqual(etagAt(2));
      const [, updated] = await categoryEvents(category.id);
      expect(updated).toMatchObject({ action: 'category.updated', actorId: manager.id });
      expect(updated.changes).toEqual({
        before: { name: category.name, slug: category.slug, parentId: from.id },
        after: { name: 'Renamed', slug, parentId: to.id },
      });
      // parentId null moves it to the top; the slug is not derived again from a new name.
      const top = await patch(category.id, { parentId: null, name: 'Top level now' }).expect(200);
      expect(top.body).toMatchObject({ parentId: null, slug, name: 'Top level now', version: 3 });
    });

    it('answers a stale If-Match with 412, changing nothing and recording nothing', async () => {
      const category = await createCategory(testApp, manager, { name: `Original ${uniqueWord()}` });
      await patch(category.id, { name: 'First edit' }).expect(200);
      const stale = await patch(category.id, { name: 'Lost update' }).set('If-Match', '"1"').expect(412);
      expect(stale.body).toMatchObject({ status: 412, currentETag: '"2"' });
      await testApp.http
        .delete(`/v1/categories/${category.id}`)
        .set(bearer(manager))
        .set('If-Match', '"1"')
        .expect(412);
      expect(await stored(category.id)).toMatchObject({ name: 'First edit', version: 2 });
      expect((await categoryEvents(category.id)).map((event) => event.action)).toEqual([
        'category.created',
        'category.updated',
      ]);
    });

    (onRealDatabase ? it : it.skip)(
      'lets exactly one of two concurrent edits made from the same read win (real server only)',
      async () => {
        const category = await createCategory(testApp, manager);
        const responses = await Promise.all(
          ['Edit A', 'Edit B'].map((name) => patch(category.id, { name }).set('If-Match', '"1"')),
        );
        expect(responses.map((response) => response.status).sort()).toEqual([200, 412]);
        const winner = responses.find((response) => response.status === 200)?.body as TestCategory;
        expect(await stored(category.id)).toMatchObject({ name: winner.name, version: 2 });
        const updates = (await categoryEvents(category.id)).filter((event) => event.action === 'category.updated');
        expect(updates).toHaveLength(1);
      },
    );

    it('refuses a slug that is taken with 409, changing nothing', async () => {
      const [one, two] = [await createCategory(testApp, manager), await createCategory(testApp, manager)];
      const response = await patch(two.id, { slug: one.slug, name: 'Would be renamed' }).expect(409);
      expect(response.body.type).toMatch(/slug-taken$/);
      expect(await stored(two.id)).toMatchObject({ slug: two.slug, name: two.name, version: 1 });
    });

    it('refuses an unknown parent with 400, changing nothing', async () => {
      const category = await createCategory(testApp, manager);
      const response = await patch(category.id, { parentId: randomUUID() }).expect(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'parentId' })]);
      expect(await stored(category.id)).toMatchObject({ parentId: null, version: 1 });
    });

    it('refuses moving a category under itself or anything below it with 409, changing nothing', async () => {
      const root = await createCategory(testApp, manager);
      const child = await createCategory(testApp, manager, { parentId: root.id });
      const grandchild = await createCategory(testApp, manager, { parentId: child.id });
      for (const parentId of [root.id, child.id, grandchild.id]) {
        const response = await patch(root.id, { parentId }).expect(409);
        expect(response.body).toMatchObject({
          type: expect.stringMatching(/category-cycle$/),
          errors: [{ field: 'parentId' }],
        });
      }
      await patch(child.id, { parentId: grandchild.id }).expect(409);
      expect(await stored(root.id)).toMatchObject({ parentId: null, version: 1 });
      expect(await stored(child.id)).toMatchObject({ parentId: root.id, version: 1 });
      // Moving it under a sibling's subtree is fine.
      const elsewhere = await createCategory(testApp, manager);
      await patch(grandchild.id, { parentId: elsewhere.id }).expect(200);
    });

    (onRealDatabase ? it : it.skip)(
      'never lets two concurrent moves make a loop together (real server only)',
      async () => {
        const a = await createCategory(testApp, manager);
        const b = await createCategory(testApp, manager);
        const responses = await Promise.all([patch(a.id, { parentId: b.id }), patch(b.id, { parentId: a.id })]);
        expect(responses.map((response) => response.status).sort()).toEqual([200, 409]);
        const [storedA, storedB] = [await stored(a.id), await stored(b.id)];
        expect([storedA?.parentId, storedB?.parentId].filter((parentId) => parentId !== null)).toHaveLength(1);
      },
    );

    it.each([
      ['a null name', { name: null }],
      ['a blank name', { name: '' }],
      ['a slug that is not one', { slug: 'Not A Slug' }],
    ])('refuses %s with 400, changing nothing', async (_what, body) => {
      const category = await createCategory(testApp, manager);
      await patch(category.id, body).expect(400);
      expect(await stored(category.id)).toMatchObject({ name: category.name, slug: category.slug, version: 1 });
    });

    it('changes nothing, and records nothing, for a PATCH that sends the current values', async () => {
      const category = await createCategory(testApp, manager);
      const response = await patch(category.id, { name: category.name, slug: category.slug }).expect(200);
      expect(response.body.version).toBe(1);
      expect(await categoryEvents(category.id)).toHaveLength(1);
    });
  });

  describe('deletion', () => {
    it('deletes an empty category (204), recorded with what it was; then it is gone (404)', async () => {
      const parent = await createCategory(testApp, manager);
      const category = await createCategory(testApp, manager, { parentId: parent.id });
      await testApp.http.delete(`/v1/categories/${category.id}`).set(bearer(admin)).expect(204);
      await testApp.http.get(`/v1/categories/${category.id}`).expect(404);
      await testApp.http.delete(`/v1/categories/${category.id}`).set(bearer(manager)).expect(404);
      await patch(category.id, { name: 'Ghost' }).expect(404);
      expect(await stored(category.id)).toBeNull();
      const events = await categoryEvents(category.id);
      expect(events.map((event) => event.action)).toEqual(['category.created', 'category.deleted']);
      expect(events[1]).toMatchObject({ actorId: admin.id });
      expect(events[1].changes).toEqual({
        before: { name: category.name, slug: category.slug, parentId: parent.id },
        after: {},
      });
      // Its slug is free again.
      await createCategory(testApp, manager, { name: 'Reborn', slug: category.slug });
    });

    it('refuses deleting a category with a subcategory or a product with 409, deleting nothing', async () => {
      const withChild = await createCategory(testApp, manager);
      await createCategory(testApp, manager, { parentId: withChild.id });
      const withProduct = await createCategory(testApp, manager);
      const product = await createProduct(testApp, manager, { categoryIds: [withProduct.id] });
      const withArchivedProduct = await createCategory(testApp, manager);
      const archived = await createProduct(testApp, manager, { categoryIds: [withArchivedProduct.id] });
      await testApp.http.delete(`/v1/products/${archived.id}`).set(bearer(manager)).expect(204);

      for (const [category, subcategories, products] of [
        [withChild, 1, 0],
        [withProduct, 0, 1],
        [withArchivedProduct, 0, 1],
      ] as const) {
        const response = await testApp.http.delete(`/v1/categories/${category.id}`).set(bearer(manager)).expect(409);
        expect(response.body).toMatchObject({
          type: expect.stringMatching(/category-in-use$/),
          subcategories,
          products,
        });
        expect(await stored(category.id)).not.toBeNull();
        expect((await categoryEvents(category.id)).map((event) => event.action)).toEqual(['category.created']);
      }

      // Emptied, it can go.
      await testApp.http.patch(`/v1/products/${product.id}`).set(bearer(manager)).send({ categoryIds: [] }).expect(200);
      await testApp.http.delete(`/v1/categories/${withProduct.id}`).set(bearer(manager)).expect(204);
    });

    (onRealDatabase ? it : it.skip)(
      'never orphans what is added to a category while it is deleted: one of the two is refused (real server only)',
      async () => {
        const additions: [string, (parentId: string) => Promise<{ status: number }>][] = [
          [
            'a subcategory created',
            async (parentId) =>
              testApp.http
                .post('/v1/categories')
                .set(bearer(manager))
                .send({ name: `Child ${uniqueWord()}`, parentId }),
          ],
          ['a category moved', async (parentId) => patch((await createCategory(testApp, manager)).id, { parentId })],
          [
            'a product created',
            async (parentId) =>
              testApp.http
                .post('/v1/products')
                .set(bearer(manager))
                .send({
                  sku: uniqueSku('RACE'),
                  name: 'Race',
                  priceCents: 1,
                  currency: 'EUR',
                  taxRateBps: 0,
                  categoryIds: [parentId],
                }),
          ],
        ];
        for (let round = 0; round < 12; round += 1) {
          const [addition, add] = additions[round % additions.length];
          const parent = await createCategory(testApp, manager);
          const [deleted, added] = await Promise.all([
            testApp.http.delete(`/v1/categories/${parent.id}`).set(bearer(manager)),
            add(parent.id),
          ]);
          // Either the addition came first (the delete is refused) or the delete did (the parent is unknown).
          expect({ addition, outcome: `${deleted.status}/${added.status}` }).toEqual({
            addition,
            outcome: expect.stringMatching(/^(409\/20[01]|204\/400)$/),
          });
          expect((await stored(parent.id)) === null).toBe(deleted.status === 204);
        }
      },
    );
  });
});
