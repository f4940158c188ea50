import { decodeCursor, encodeCursor, InvalidCursorError, MAX_CURSOR_LENGTH } from './cursor';

const ID = '6f1c2b0e-3d4a-4e8b-9c55-1d2e3f4a5b6c';
const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

describe('cursor', () => {
  it.each([
    { sort: '-createdAt', key: '2026-11-26T10:00:00.123456Z', id: ID },
    { sort: 'priceCents', key: 1999, id: ID },
    { sort: 'name', key: 'Ünïcode, "quotes" and _-/+= signs', id: ID },
  ])('round-trips %j', (position) => {
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, position.sort)).toEqual(position);
  });

  it('is opaque: no key or id readable in it', () => {
    const cursor = encodeCursor({ sort: '-createdAt', key: '2026-11-26T10:00:00.123456Z', id: ID });
    expect(cursor).not.toContain(ID);
    expect(cursor).not.toContain('2026');
  });

  it('refuses a cursor issued for another sort', () => {
    const cursor = encodeCursor({ sort: 'priceCents', key: 10, id: ID });
    expect(() => decodeCursor(cursor, '-priceCents')).toThrow(/another sort order/);
  });

  it.each([
    ['empty', ''],
    ['too long', 'A'.repeat(MAX_CURSOR_LENGTH + 1)],
    ['not base64url', 'abc+/=='],
    ['not JSON', base64url('{nope')],
    ['JSON, not an array', base64url('{"sort":"-createdAt"}')],
    ['too few parts', base64url('["-createdAt","2026-11-26T10:00:00.000000Z"]')],
    ['too many parts', base64url(`["-createdAt","x","${ID}","extra"]`)],
    ['id not a UUID', base64url('["-createdAt","2026-11-26T10:00:00.000000Z","1 OR 1=1"]')],
    ['key an object', base64url(`["-createdAt",{"$gt":""},"${ID}"]`)],
    ['key null', base64url(`["-createdAt",null,"${ID}"]`)],
    ['sort not a string', base64url(`[1,"x","${ID}"]`)],
    ['a truncated valid cursor', encodeCursor({ sort: '-createdAt', key: 'x', id: ID }).slice(0, -3)],
    ['JSON numbers that overflow', base64url(`["-createdAt",1e999,"${ID}"]`)],
  ])('refuses a cursor that is %s with an InvalidCursorError', (_what, cursor) => {
    let thrown: unknown;
    try {
      decodeCursor(cursor, '-createdAt');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidCursorError);
    expect(thrown).toMatchObject({ kind: 'invalid_input', code: 'INVALID_CURSOR' });
  });

  it('names the cursor field in the problem, for clients that map errors to inputs', () => {
    expect(() => decodeCursor('!!', '-createdAt')).toThrow(
      expect.objectContaining({ extensions: { errors: [{ field: 'cursor', message: expect.any(String) }] } }),
    );
  });
});
