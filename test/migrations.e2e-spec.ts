import { DataSource } from 'typeorm';
import { validateEnvironment } from '../src/platform/config/environment';
import { dataSourceOptions } from '../src/platform/database/data-source-options';
import { serverOf } from './support/audit';
import { onRealDatabase } from './support/test-app';
import { createTestDatabase, type TestDatabase } from './support/test-database';

/** Columns, indexes, constraints and triggers of the public schema, as the catalogs describe them. */
const SCHEMA_SQL = `
  SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable
         || ' ' || coalesce(column_default, '') || ' ' || coalesce(generation_expression, '') AS item
    FROM information_schema.columns WHERE table_schema = 'public'
  UNION ALL
  SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
  UNION ALL
  SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
    FROM pg_constraint WHERE connamespace = 'public'::regnamespace
  UNION ALL
  SELECT 'trigger ' || tgrelid::regclass || ' ' || tgname FROM pg_trigger WHERE NOT tgisinternal
  ORDER BY 1`;

/**
 * The migrations are the schema (synchronize is off everywhere), and each
 * must undo what it did: an operator rolling back a release relies on it.
 * This file has a database of its own: it takes the schema down and up again.
 */
describe('Migrations', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase(onRealDatabase ? serverOf(process.env.DATABASE_URL ?? '') : undefined);
    dataSource = new DataSource(dataSourceOptions(validateEnvironment({ DATABASE_URL: database.url }), database.url));
    await dataSource.initialize();
  }, 60_000);

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  const schema = async () => (await dataSource.query<{ item: string }[]>(SCHEMA_SQL)).map(({ item }) => item);

  it('revert one by one, newest first, to an empty schema, and apply again to the same schema as before', async () => {
    const migrated = await schema();
    const applied = dataSource.migrations.length;
    expect(applied).toBeGreaterThan(0);
    expect(migrated.length).toBeGreaterThan(100);

    for (let left = applied; left > 0; left--) await dataSource.undoLastMigration();
    expect((await schema()).filter((item) => !item.includes('migrations'))).toEqual([]);

    expect(await dataSource.runMigrations()).toHaveLength(applied);
    expect(await schema()).toEqual(migrated);
  }, 60_000);

  it('build the seal-order index again when an interrupted build left it invalid, and only then drop the old one', async () => {
    const migrated = await schema();
    const position = dataSource.migrations.findIndex(({ name }) => name === 'AuditSealOrderIndex1795730000000');
    expect(position).toBeGreaterThanOrEqual(0);
    // It and the migrations after it are reverted, newest first.
    const reverted = dataSource.migrations.length - position;
    for (let left = reverted; left > 0; left--) await dataSource.undoLastMigration();
    // What a concurrent build killed half way leaves: the index is there, marked invalid.
    await dataSource.query(`CREATE INDEX "audit_events_seal_order" ON "audit_events" ("tx_id", "occurred_at", "id")`);
    await dataSource.query(
      `UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'public.audit_events_seal_order'::regclass`,
    );

    expect(await dataSource.runMigrations()).toHaveLength(reverted);
    const [{ valid }] = await dataSource.query<{ valid: boolean }[]>(
      `SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 'public.audit_events_seal_order'::regclass`,
    );
    expect(valid).toBe(true);
    expect(await schema()).toEqual(migrated);
  }, 60_000);
});
