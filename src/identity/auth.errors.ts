import { DomainError, type ProblemDeclaration } from '../platform/errors/domain-error';
import { FIELD_ERRORS } from '../platform/errors/invalid-request.error';

/**
 * Unknown email, wrong password, locked or disabled account: one answer for
 * all, so a caller learns nothing about which accounts exist.
 */
export class InvalidCredentialsError extends DomainError {
  static readonly problem: ProblemDeclaration = { code: 'INVALID_CREDENTIALS', kind: 'unauthenticated' };

  constructor() {
    super('The email or password is incorrect.');
  }
}

/** Unknown, expired, revoked or already used: the client must sign in again. */
export class InvalidRefreshTokenError extends DomainError {
  static readonly problem: ProblemDeclaration = { code: 'INVALID_REFRESH_TOKEN', kind: 'unauthenticated' };

  constructor() {
    super('The refresh token is invalid, expired or already used; sign in again.');
  }
}

/** A bearer token or API key was sent but is not valid (tampered, expired, revoked, disabled user). */
export class InvalidCredentialError extends DomainError {
  static readonly problem: ProblemDeclaration = { code: 'INVALID_CREDENTIAL', kind: 'unauthenticated' };

  constructor(detail = 'The bearer token or API key is invalid or expired.') {
    super(detail);
  }
}

export class WeakPasswordError extends DomainError {
  static readonly problem: ProblemDeclaration = {
    code: 'WEAK_PASSWORD',
    kind: 'invalid_input',
    extensions: FIELD_ERRORS,
  };

  constructor(reason: string, field = 'password') {
    super(`The password is not acceptable: ${reason}`, { errors: [{ field, message: reason }] });
  }
}

export class EmailTakenError extends DomainError {
  static readonly problem: ProblemDeclaration = { code: 'EMAIL_TAKEN', kind: 'conflict' };

  constructor() {
    super('An account with this email already exists.');
  }
}

export class SignupDisabledError extends DomainError {
  static readonly problem: ProblemDeclaration = { code: 'SIGNUP_DISABLED', kind: 'not_found' };

  constructor() {
    super('Self-service registration is disabled on this service.');
  }
}
