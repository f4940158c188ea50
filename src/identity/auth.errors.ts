import { DomainError } from '../platform/errors/domain-error';

/**
 * Unknown email, wrong password, locked or disabled account: one answer for
 * all, so a caller learns nothing about which accounts exist.
 */
export class InvalidCredentialsError extends DomainError {
  readonly kind = 'unauthenticated';
  constructor() {
    super('INVALID_CREDENTIALS', 'The email or password is incorrect.');
  }
}

/** Unknown, expired, revoked or already used: the client must sign in again. */
export class InvalidRefreshTokenError extends DomainError {
  readonly kind = 'unauthenticated';
  constructor() {
    super('INVALID_REFRESH_TOKEN', 'The refresh token is invalid, expired or already used; sign in again.');
  }
}

/** A bearer token or API key was sent but is not valid (tampered, expired, revoked, disabled user). */
export class InvalidCredentialError extends DomainError {
  readonly kind = 'unauthenticated';
  constructor(detail = 'The bearer token or API key is invalid or expired.') {
    super('INVALID_CREDENTIAL', detail);
  }
}

export class WeakPasswordError extends DomainError {
  readonly kind = 'invalid_input';
  constructor(reason: string, field = 'password') {
    super('WEAK_PASSWORD', `The password is not acceptable: ${reason}`, { errors: [{ field, message: reason }] });
  }
}

export class EmailTakenError extends DomainError {
  readonly kind = 'conflict';
  constructor() {
    super('EMAIL_TAKEN', 'An account with this email already exists.');
  }
}

export class SignupDisabledError extends DomainError {
  readonly kind = 'not_found';
  constructor() {
    super('SIGNUP_DISABLED', 'Self-service registration is disabled on this service.');
  }
}
