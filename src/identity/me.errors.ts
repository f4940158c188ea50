import { DomainError, type ProblemDeclaration } from '../platform/errors/domain-error';
import { FIELD_ERRORS } from '../platform/errors/invalid-request.error';

/** The current password given to confirm a credential change is wrong (or the account is locked). */
export class CurrentPasswordIncorrectError extends DomainError {
  static readonly problem: ProblemDeclaration = {
    code: 'CURRENT_PASSWORD_INCORRECT',
    kind: 'invalid_input',
    extensions: FIELD_ERRORS,
  };

  constructor() {
    super('The current password is incorrect (after repeated failures the account is locked for a while).', {
      errors: [{ field: 'currentPassword', message: 'is incorrect' }],
    });
  }
}

/** An API key acts for its user but may not change that user's password or second factor. */
export class UserSessionRequiredError extends DomainError {
  static readonly problem: ProblemDeclaration = { code: 'USER_SESSION_REQUIRED', kind: 'forbidden' };

  constructor() {
    super('Passwords and MFA are managed with a signed-in user session, not an API key.');
  }
}

/** Another request changed the password between this one's check and its write. */
export class ConcurrentPasswordChangeError extends DomainError {
  static readonly problem: ProblemDeclaration = { code: 'PASSWORD_CHANGED_CONCURRENTLY', kind: 'conflict' };

  constructor() {
    super('The password was changed by another request meanwhile; sign in again.');
  }
}
