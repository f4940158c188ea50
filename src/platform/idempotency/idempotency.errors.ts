import { DomainError } from '../errors/domain-error';

export class IdempotencyKeyRequiredError extends DomainError {
  readonly kind = 'invalid_input';
  constructor() {
    const message = 'send an Idempotency-Key header of 1 to 255 printable characters, unique per operation';
    super('IDEMPOTENCY_KEY_REQUIRED', `This operation must be safe to retry: ${message}.`, {
      errors: [{ field: 'Idempotency-Key', message }],
    });
  }
}

export class IdempotencyKeyReusedError extends DomainError {
  readonly kind = 'unprocessable';
  constructor() {
    super(
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was used for a different request. Use a new key for a new operation.',
    );
  }
}

export class IdempotentRequestInFlightError extends DomainError {
  readonly kind = 'conflict';
  constructor() {
    super(
      'IDEMPOTENT_REQUEST_IN_FLIGHT',
      'A request with this Idempotency-Key is still being processed. Retry after it completes to get its response.',
    );
  }
}
