import { randomUUID } from 'node:crypto';
import { DataSource, type Repository } from 'typeorm';
import { Organization } from '../src/identity/entities/organization.entity';
import { InvalidCursorError } from '../src/platform/http/cursor';
import { findPage, NEWEST_FIRST, type SortOrder } from '../src/platform/http/keyset-pagination';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * The keyset helper against PostgreSQL itself: ties on the sort key, keys
 * that differ by a microsecond (finer than a JavaScript Date), both
 * directions, and each supported column type.
 */
describe('keyset pagination', () => {
  let testApp: TestApp;
  let organizations: Repository<Organization>;
  let label: string;

  /** Every page of the rows of this test, `limit` at a time; their ids in page order. */
  async function walk(order: SortOrder, limit: number): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 100; pages += 1) {
      const query = organizations.createQueryBuilder('organization').where('organization.name LIKE :label', {
        label: `${label}%`,
      });
      const page = await findPage(query, { limit, cursor }, order);
      expect(page.items.length).toBeLessThanOrEqual(limit);
      ids.push(...page.items.map((organization) => organization.id));
      if (!page.nextCursor) return ids;
      cursor = page.nextCursor;
    }
    throw new Error('pagination did not end');
  }

  /** The same rows in the order the database sorts them, ties by id. */
  async function expected(column: string, direction: 'ASC' | 'DESC'): Promise<string[]> {
    const rows: { id: string }[] = await organizations.query(
      `SELECT id FROM organizations WHERE name LIKE $1 ORDER BY ${column} ${direction}, id ${direction}`,
      [`${label}%`],
    );
    return rows.map((row) => row.id);
  }

  beforeAll(async () => {
    testApp = await startTestApp();
    organizations = testApp.app.get(DataSource).getRepository(Organization);
  });
  afterAll(() => testApp.close());

  beforeEach(async () => {
    label = `keyset ${randomUUID()} `;
    // Five rows in one transaction share now(): a tie on created_at, broken by id.
    await testApp.app.get(DataSource).transaction(async (manager) => {
      for (let index = 0; index < 5; index += 1) await manager.save(Organization, { name: `${label}tie ${index}` });
    });
    // Three rows in the same millisecond, a microsecond apart.
    for (const micros of ['000001', '000002', '000003']) {
      await organizations
        .createQueryBuilder()
        .insert()
        .values({ name: `${label}micro ${micros}`, createdAt: () => `'2030-01-01T00:00:00.123${micros}Z'` })
        .execute();
    }
  });

  it.each([1, 2, 3, 8, 9])(
    'walks ties and microsecond neighbours exactly once, newest first, %i per page',
    async (limit) => {
      expect(await walk(NEWEST_FIRST, limit)).toEqual(await expected('created_at', 'DESC'));
    },
  );

  it('walks oldest first too', async () => {
    expect(await walk({ property: 'createdAt', direction: 'ASC' }, 2)).toEqual(await expected('created_at', 'ASC'));
  });

  it('pages by a text column and by an integer column', async () => {
    expect(await walk({ property: 'name', direction: 'ASC' }, 3)).toEqual(await expected('name', 'ASC'));
    expect(await walk({ property: 'version', direction: 'DESC' }, 3)).toEqual(await expected('version', 'DESC'));
  });

  it('keeps its place while rows are added before it', async () => {
    const query = () =>
      organizations.createQueryBuilder('organization').where('organization.name LIKE :label', { label: `${label}%` });
    const before = await expected('created_at', 'DESC');
    const first = await findPage(query(), { limit: 4 });
    // Newer than the cursor's row: it belongs on a page already read.
    await organizations.save({ name: `${label}newcomer` });
    const second = await findPage(query(), { limit: 100, cursor: first.nextCursor ?? undefined });
    expect([...first.items, ...second.items].map((row) => row.id)).toEqual(before);
  });

  it('refuses a cursor of one sort used with another', async () => {
    const query = () => organizations.createQueryBuilder('organization');
    const page = await findPage(query(), { limit: 1 }, { property: 'name', direction: 'ASC' });
    await expect(findPage(query(), { limit: 1, cursor: page.nextCursor ?? undefined })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
  });

  it.each([
    ['a date out of the calendar', ['-createdAt', '2026-02-30T00:00:00.000000Z']],
    ['a date without microseconds', ['-createdAt', '2026-02-03T00:00:00.000Z']],
    ['a number for a timestamp', ['-createdAt', 12]],
    ['a text key with a NUL', ['name', 'a\u0000']],
    ['an integer beyond int4', ['-version', 2 ** 40]],
    ['a fractional integer', ['-version', 1.5]],
  ])('refuses a forged cursor with %s before any query', async (_what, [sort, key]) => {
    const cursor = Buffer.from(JSON.stringify([sort, key, randomUUID()])).toString('base64url');
    const orders: Record<string, SortOrder> = {
      '-createdAt': NEWEST_FIRST,
      name: { property: 'name', direction: 'ASC' },
      '-version': { property: 'version', direction: 'DESC' },
    };
    await expect(
      findPage(organizations.createQueryBuilder('organization'), { limit: 1, cursor }, orders[sort as string]),
    ).rejects.toBeInstanceOf(InvalidCursorError);
  });
});
