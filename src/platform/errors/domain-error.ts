/**
 * What kind of failure a domain error is. The problem filter maps each kind to
 * one HTTP status; services speak in kinds, never in status codes.
 */
export type DomainErrorKind =
  | 'invalid_input'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'precondition_failed'
  | 'unprocessable'
  | 'payment_required'
  | 'rate_limited';

/**
 * Base of every error a module throws on purpose. `code` is stable
 * (`INSUFFICIENT_STOCK`) and becomes the problem `type`; `extensions` are extra
 * members of the problem body a client can act on.
 */
export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;

  protected constructor(
    readonly code: string,
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}
