import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

/**
 * Starts, on `runner`'s connection, a transaction whose every read sees one
 * snapshot of the database (REPEATABLE READ) and that can write nothing
 * (READ ONLY): what a reader needs whose reads must agree with one another
 * while writers go on. A read-only transaction takes no transaction id, so it
 * holds back no one (the audit sealer's horizon included).
 */
export async function startReadOnlySnapshot(runner: QueryRunner): Promise<void> {
  await runner.startTransaction('REPEATABLE READ');
  await runner.query('SET TRANSACTION READ ONLY');
}

/** Ends what `startReadOnlySnapshot` started (a rollback: nothing was written) and frees the connection. */
export async function endReadOnlySnapshot(runner: QueryRunner): Promise<void> {
  try {
    // A broken connection cannot roll back; releasing it is all there is left to do.
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
  } finally {
    await runner.release();
  }
}

/** Runs `read` in a read-only snapshot of its own (see `startReadOnlySnapshot`). */
export async function inReadOnlySnapshot<T>(
  dataSource: DataSource,
  read: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  const runner = dataSource.createQueryRunner();
  try {
    await startReadOnlySnapshot(runner);
    return await read(runner.manager);
  } finally {
    await endReadOnlySnapshot(runner);
  }
}
