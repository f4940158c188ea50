import { DomainError, type ProblemDeclaration } from './domain-error';

/** A client over one of its rate limits; `Retry-After` carries the same wait. */
export class RateLimitedError extends DomainError {
  static readonly problem: ProblemDeclaration = {
    code: 'RATE_LIMITED',
    kind: 'rate_limited',
    headers: ['Retry-After', 'RateLimit', 'RateLimit-Policy'],
  };

  constructor(override readonly retryAfterSeconds: number) {
    super(`Too many requests from your address; try again in ${retryAfterSeconds} seconds (Retry-After).`);
  }
}
