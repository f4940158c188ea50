import { DomainError } from './domain-error';

/** A client over one of its rate limits; `Retry-After` carries the same wait. */
export class RateLimitedError extends DomainError {
  readonly kind = 'rate_limited';

  constructor(retryAfterSeconds: number) {
    super(
      'RATE_LIMITED',
      `Too many requests from your address; try again in ${retryAfterSeconds} seconds (Retry-After).`,
    );
  }
}
