import { DomainError, type ProblemDeclaration } from '../platform/errors/domain-error';

/** Login of an account with MFA on, without a code. */
export class MfaRequiredError extends DomainError {
  static readonly problem: ProblemDeclaration = { code: 'MFA_REQUIRED', kind: 'unauthenticated' };

  constructor() {
    super(
      'This account has multi-factor authentication on: send the current code of your authenticator app, or a recovery code, as otp.',
    );
  }
}

/** A TOTP or recovery code that is wrong, outside the ±1 step window, or already used, at login. */
export class InvalidOtpError extends DomainError {
  static readonly problem: ProblemDeclaration = { code: 'INVALID_OTP', kind: 'unauthenticated' };

  constructor() {
    super('The one-time code is wrong, expired or already used.');
  }
}

/**
 * The same, where an already signed-in user confirms a change: 400, so that a
 * typo does not read as a lost session.
 */
export class InvalidConfirmationOtpError extends InvalidOtpError {
  static override readonly problem: ProblemDeclaration = { code: 'INVALID_OTP', kind: 'invalid_input' };
}

export class MfaAlreadyEnabledError extends DomainError {
  static readonly problem: ProblemDeclaration = { code: 'MFA_ALREADY_ENABLED', kind: 'conflict' };

  constructor() {
    super('Multi-factor authentication is already on; disable it first to set up a new secret.');
  }
}

export class MfaSetupRequiredError extends DomainError {
  static readonly problem: ProblemDeclaration = { code: 'MFA_SETUP_REQUIRED', kind: 'conflict' };

  constructor() {
    super('Start with POST /v1/me/mfa/setup, then confirm a code from the new secret.');
  }
}

export class MfaNotEnabledError extends DomainError {
  static readonly problem: ProblemDeclaration = { code: 'MFA_NOT_ENABLED', kind: 'conflict' };

  constructor() {
    super('Multi-factor authentication is not on for this account.');
  }
}
