import { DomainError } from '../platform/errors/domain-error';

/** The current password given to confirm a credential change is wrong (or the account is locked). */
export class CurrentPasswordIncorrectError extends DomainError {
  readonly kind = 'invalid_input';
  constructor() {
    super(
      'CURRENT_PASSWORD_INCORRECT',
      'The current password is incorrect (after repeated failures the account is locked for a while).',
      {
        errors: [{ field: 'currentPassword', message: 'is incorrect' }],
      },
    );
  }
}

/** An API key acts for its user but may not change that user's password or second factor. */
export class UserSessionRequiredError extends DomainError {
  readonly kind = 'forbidden';
  constructor() {
    super('USER_SESSION_REQUIRED', 'Passwords and MFA are managed with a signed-in user session, not an API key.');
  }
}

/** Another request changed the password between this one's check and its write. */
export class ConcurrentPasswordChangeError extends DomainError {
  readonly kind = 'conflict';
  constructor() {
    super('PASSWORD_CHANGED_CONCURRENTLY', 'The password was changed by another request meanwhile; sign in again.');
  }
}
