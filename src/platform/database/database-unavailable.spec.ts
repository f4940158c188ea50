import { type AddressInfo, createServer } from 'node:net';
import { Client, DatabaseError, Pool } from 'pg';
import { QueryFailedError } from 'typeorm';
import { QueryDeadlineError } from './bounded-client';
import { isDatabaseUnavailable } from './database-unavailable';

/** A PostgreSQL error as the driver builds it from the server's ErrorResponse. */
function serverError(code: string, message = 'from the server'): DatabaseError {
  const error = new DatabaseError(message, message.length, 'error');
  error.code = code;
  return error;
}

/** What TypeORM throws: the driver's error inside a QueryFailedError. */
function asTypeOrmWouldThrow(driverError: Error): QueryFailedError {
  return new QueryFailedError('SELECT 1', [], driverError);
}

/** An address nothing listens at. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('isDatabaseUnavailable', () => {
  it('knows a refused connection, as pg reports it', async () => {
    const client = new Client({ connectionString: `postgres://app@127.0.0.1:${await closedPort()}/app` });
    const refused = await client.connect().then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toMatchObject({ code: 'ECONNREFUSED' });
    expect(isDatabaseUnavailable(refused)).toBe(true);
  });

  it('knows a connection that could not be opened in time, as pg-pool reports it', async () => {
    // Accepts the connection, never says a word.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const pool = new Pool({ connectionString: `postgres://app@127.0.0.1:${port}/app`, connectionTimeoutMillis: 100 });
    try {
      const timedOut = await pool.query('SELECT 1').then(
        () => null,
        (error: unknown) => error,
      );
      expect(timedOut).toMatchObject({ message: 'Connection terminated due to connection timeout' });
      expect(isDatabaseUnavailable(timedOut)).toBe(true);
      expect(isDatabaseUnavailable(asTypeOrmWouldThrow(timedOut as Error))).toBe(true);
    } finally {
      await pool.end();
      silent.close();
    }
  });

  it.each([
    ['a query past its deadline', new QueryDeadlineError(100)],
    ['a connection lost under a query', new Error('Connection terminated unexpectedly')],
    ['no free connection in time', new Error('timeout exceeded when trying to connect')],
    ['a connection already broken', new Error('Client has encountered a connection error and is not queryable')],
    ['a reset connection', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['a server shutting down', serverError('57P01')],
    ['a server starting up', serverError('57P03')],
    ['a server out of connection slots', serverError('53300')],
    ['a connection failure (class 08)', serverError('08006')],
  ])('knows %s, also inside TypeORM’s QueryFailedError', (_case, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(isDatabaseUnavailable(asTypeOrmWouldThrow(error))).toBe(true);
  });

  it.each([
    ['a syntax error', serverError('42601')],
    ['a unique violation', serverError('23505')],
    ['a check violation', serverError('23514')],
    ['a statement cancelled at statement_timeout', serverError('57014')],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a domain error with a code of its own', Object.assign(new Error('short'), { code: 'INSUFFICIENT_STOCK' })],
  ])('calls %s a fault, not an outage', (_case, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
    expect(isDatabaseUnavailable(asTypeOrmWouldThrow(error))).toBe(false);
  });

  it.each([null, undefined, 'ECONNREFUSED', 503])('calls %j nothing', (value) => {
    expect(isDatabaseUnavailable(value)).toBe(false);
  });
});
