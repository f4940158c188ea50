import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { postgresPool } from './typeorm';

/**
 * Without a database the driver makes no pool (it connects as it makes one), so
 * this gives it one by hand; that TypeORM still declares `driver.master` is
 * checked by the compiler (typeorm.ts), and that it holds the pool it made, by
 * SqlReads at every start-up, end-to-end tests included.
 */
describe('TypeORM internals', () => {
  const unconnected = () => new DataSource({ type: 'postgres', url: 'postgres://nobody@127.0.0.1:1/none' });

  it("reads the pg Pool kept as a PostgreSQL driver's `master`", () => {
    const dataSource = unconnected();
    const pool = new Pool();
    Object.assign(dataSource.driver, { master: pool });
    expect(postgresPool(dataSource)).toBe(pool);
  });

  it.each([
    ['no pool at all', undefined],
    ['something else in its place', { query: () => undefined }],
  ])('fails loudly when the driver holds %s', (_case, master) => {
    const dataSource = unconnected();
    Object.assign(dataSource.driver, { master });
    expect(() => postgresPool(dataSource)).toThrow(/TypeORM no longer keeps a pg Pool as driver.master/);
  });
});
