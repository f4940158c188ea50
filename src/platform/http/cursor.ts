import { DomainError, type ProblemDeclaration } from '../errors/domain-error';
import { FIELD_ERRORS } from '../errors/invalid-request.error';

/** Where a page ended: the sort it belongs to, the last row's sort key and its id (the tie-breaker). */
export interface CursorPosition {
  /** The sort the cursor was issued for, e.g. `-createdAt`; a cursor is refused under another. */
  sort: string;
  key: string | number;
  id: string;
}

/** Longest cursor accepted, in characters: far above any real one, short enough to reject junk early. */
export const MAX_CURSOR_LENGTH = 512;

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A `cursor` the service did not issue for this list and sort, or one altered since. */
export class InvalidCursorError extends DomainError {
  static readonly problem: ProblemDeclaration = {
    code: 'INVALID_CURSOR',
    kind: 'invalid_input',
    extensions: FIELD_ERRORS,
  };

  constructor(reason: string) {
    super(`The cursor is not valid for this list: ${reason}. Start again without a cursor.`, {
      errors: [{ field: 'cursor', message: reason }],
    });
  }
}

/** Opaque to clients: base64url of a small JSON array. Not a secret; scoping never depends on it. */
export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.sort, position.key, position.id]), 'utf8').toString('base64url');
}

/**
 * The position `cursor` names, for a list sorted by `sort`. Anything else —
 * not base64url, not JSON, the wrong shape, an id that is not a UUID, a cursor
 * of another sort — is an `InvalidCursorError` (400), never a query.
 */
export function decodeCursor(cursor: string, sort: string): CursorPosition {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !BASE64URL.test(cursor)) {
    throw new InvalidCursorError('not a cursor this service issued');
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('not a cursor this service issued');
  }
  if (
    !Array.isArray(decoded) ||
    decoded.length !== 3 ||
    typeof decoded[0] !== 'string' ||
    !(typeof decoded[1] === 'string' || (typeof decoded[1] === 'number' && Number.isFinite(decoded[1]))) ||
    typeof decoded[2] !== 'string' ||
    !UUID.test(decoded[2])
  ) {
    throw new InvalidCursorError('not a cursor this service issued');
  }
  const [cursorSort, key, id] = decoded as [string, string | number, string];
  if (cursorSort !== sort) throw new InvalidCursorError('it was issued for another sort order');
  return { sort: cursorSort, key, id };
}
