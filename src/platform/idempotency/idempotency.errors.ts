import { DomainError, type ProblemDeclaration } from '../errors/domain-error';
import { FIELD_ERRORS } from '../errors/invalid-request.error';

export class IdempotencyKeyRequiredError extends DomainError {
  static readonly problem: ProblemDeclaration = {
    code: 'IDEMPOTENCY_KEY_REQUIRED',
    kind: 'invalid_input',
    extensions: FIELD_ERRORS,
  };

  constructor() {
    const message = 'send an Idempotency-Key header of 1 to 255 printable characters, unique per operation';
    super(`This operation must be safe to retry: ${message}.`, {
      errors: [{ field: 'Idempotency-Key', message }],
    });
  }
}

export class IdempotencyKeyReusedError extends DomainError {
  static readonly problem: ProblemDeclaration = { code: 'IDEMPOTENCY_KEY_REUSED', kind: 'unprocessable' };

  constructor() {
    super('This Idempotency-Key was used for a different request. Use a new key for a new operation.');
  }
}

/** Whole seconds, at least one: `Retry-After` counts seconds, and a zero invites a client to spin. */
const wholeSeconds = (seconds: number): number => Math.max(1, Math.ceil(seconds));

export class IdempotentRequestInFlightError extends DomainError {
  static readonly problem: ProblemDeclaration = {
    code: 'IDEMPOTENT_REQUEST_IN_FLIGHT',
    kind: 'conflict',
    headers: ['Retry-After'],
  };

  /** When to retry, in seconds (`Retry-After`). */
  override readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds = 1) {
    super(
      'A request with this Idempotency-Key is still being processed. Retry after Retry-After seconds to get its ' +
        'response.',
    );
    this.retryAfterSeconds = wholeSeconds(retryAfterSeconds);
  }

  /**
   * The wait for a duplicate of a request that has run `runningSeconds` and
   * whose claim holds for `leaseSeconds` more. The first request usually ends
   * within moments, and its end cannot be seen from here; the lease is the
   * upper bound, after which a retry takes the key over (its process died).
   * So: as long again as it has already run — a request that has run t
   * seconds needs about t more with fair odds — at least a second, never
   * past the lease. A client following Retry-After then asks a few times in
   * all (the waits double), waits at most about as long again as the first
   * request took, and comes back just as the lease of a dead one ends.
   */
  static waitFor(runningSeconds: number, leaseSeconds: number): IdempotentRequestInFlightError {
    return new IdempotentRequestInFlightError(Math.min(runningSeconds, leaseSeconds));
  }
}
