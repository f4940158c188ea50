import { QueryFailedError } from 'typeorm';
import { serializeError } from './error-serializer';

function queryFailed(): QueryFailedError {
  const driverError = Object.assign(new Error('duplicate key value violates unique constraint "users_email_key"'), {
    code: '23505',
    detail: 'Key (email)=(private@example.com) already exists.',
    constraint: 'users_email_key',
    table: 'users',
    severity: 'ERROR',
  });
  return new QueryFailedError('INSERT INTO "users"("email") VALUES ($1)', ['private@example.com'], driverError);
}

describe('serializeError', () => {
  it("keeps a database error's message, code and SQL, and nothing of the data it was given", () => {
    const serialized = serializeError(queryFailed());

    expect(serialized).toEqual({
      type: 'QueryFailedError',
      message: 'duplicate key value violates unique constraint "users_email_key"',
      stack: expect.any(String),
      code: '23505',
      query: 'INSERT INTO "users"("email") VALUES ($1)',
      table: 'users',
      constraint: 'users_email_key',
    });
    expect(JSON.stringify(serialized)).not.toContain('private@example.com');
  });

  it('finds a database error held by another', () => {
    const serialized = serializeError(Object.assign(new Error('signing up failed'), { failure: queryFailed() }));

    expect(serialized).toMatchObject({ message: 'signing up failed', failure: { code: '23505' } });
    expect(JSON.stringify(serialized)).not.toContain('private@example.com');
  });

  it('leaves other errors as pino writes them', () => {
    const error = Object.assign(new Error('broker unavailable'), { code: 'ECONNREFUSED', port: 4222 });

    expect(serializeError(error)).toMatchObject({ type: 'Error', message: 'broker unavailable', port: 4222 });
  });
});
