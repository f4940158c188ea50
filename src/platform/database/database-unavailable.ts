import { QueryDeadlineError } from './bounded-client';

/** Node's socket errors: the database's address cannot be reached, or the connection broke. */
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs of a server that cannot serve now (besides class 08, connection
 * exception): shutting down, crashed, starting up, out of connection slots.
 */
const SERVER_UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300']);

/**
 * What pg 8 and pg-pool 3 say, with no code, when a connection ends under a
 * query or cannot be had in time. Exact texts: the versions are pinned, and
 * the end-to-end outage tests fail should they change.
 */
const DRIVER_MESSAGES = new Set([
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'timeout exceeded when trying to connect',
  'timeout expired',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
]);

/**
 * What a 503 for an unreachable database tells the client to wait, in seconds:
 * long enough not to add to a database that is struggling back, short enough
 * to find it again soon after a blip.
 */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** How deep to follow `driverError` (TypeORM) and `cause` (pg-pool) to the error underneath. */
const MAX_DEPTH = 5;

/**
 * Whether `error` means the database cannot be reached now (refused, reset,
 * terminated, no answer within the client's bounds, no free connection in
 * time, a server that cannot take us) rather than a fault of ours: the one
 * place that tells an outage, answered 503 and retried later, from a bug.
 * A statement the server cancelled at `statement_timeout` is not among them:
 * it answered, about a query too slow for its bound.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  let current = error;
  for (let depth = 0; depth < MAX_DEPTH && typeof current === 'object' && current !== null; depth++) {
    if (current instanceof QueryDeadlineError) return true;
    const { code, message, driverError, cause } = current as {
      code?: unknown;
      message?: unknown;
      driverError?: unknown;
      cause?: unknown;
    };
    if (typeof code === 'string' && (NETWORK_ERROR_CODES.has(code) || isServerUnavailableState(code))) return true;
    if (typeof message === 'string' && DRIVER_MESSAGES.has(message)) return true;
    current = driverError ?? cause;
  }
  return false;
}

function isServerUnavailableState(code: string): boolean {
  return /^08[0-9A-Z]{3}$/.test(code) || SERVER_UNAVAILABLE_STATES.has(code);
}
