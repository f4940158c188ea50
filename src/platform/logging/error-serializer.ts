import { stdSerializers } from 'pino';

type Serialized = Record<string, unknown>;

/**
 * What a logged database error keeps: what failed and where in our SQL. The
 * rest of a driver's error may quote the data the statement was given: the
 * query's `parameters` (password hashes, tokens, personal data), and fields
 * such as `detail` ("Key (email)=(…) already exists") or `where`.
 */
const DATABASE_ERROR_FIELDS = ['type', 'message', 'stack', 'code', 'query', 'table', 'column', 'constraint'];

/** TypeORM's QueryFailedError (query, parameters, driverError) or pg's own DatabaseError (severity). */
function isDatabaseError(error: Serialized): boolean {
  return 'parameters' in error || 'driverError' in error || 'query' in error || 'severity' in error;
}

function withoutQueryData(error: Serialized): Serialized {
  if (isDatabaseError(error)) {
    const kept = Object.fromEntries(DATABASE_ERROR_FIELDS.filter((field) => field in error).map((f) => [f, error[f]]));
    const driverError = error.driverError as Serialized | undefined;
    return { ...kept, code: error.code ?? driverError?.code };
  }
  const shown: Serialized = {};
  for (const [key, value] of Object.entries(error)) {
    const nested = typeof value === 'object' && value !== null && 'message' in value && 'stack' in value;
    shown[key] = nested ? withoutQueryData(value) : value;
  }
  return shown;
}

/**
 * The `err` serializer of every log line: pino's, minus the data a database
 * error carries (above), at any depth (an error held in another's field;
 * pino folds a `cause` into the message and stack).
 */
export function serializeError(error: unknown): unknown {
  const serialized: unknown = stdSerializers.err(error as Error);
  return typeof serialized === 'object' && serialized !== null
    ? withoutQueryData(serialized as Serialized)
    : serialized;
}
