import { DomainError } from '../platform/errors/domain-error';

/** Login of an account with MFA on, without a code. */
export class MfaRequiredError extends DomainError {
  readonly kind = 'unauthenticated';
  constructor() {
    super(
      'MFA_REQUIRED',
      'This account has multi-factor authentication on: send the current code of your authenticator app, or a recovery code, as otp.',
    );
  }
}

/**
 * A TOTP or recovery code that is wrong, outside the ±1 step window, or
 * already used. 401 at login; 400 where an already signed-in user confirms a
 * change, so that a typo does not read as a lost session.
 */
export class InvalidOtpError extends DomainError {
  constructor(readonly kind: 'unauthenticated' | 'invalid_input' = 'unauthenticated') {
    super('INVALID_OTP', 'The one-time code is wrong, expired or already used.');
  }
}

export class MfaAlreadyEnabledError extends DomainError {
  readonly kind = 'conflict';
  constructor() {
    super('MFA_ALREADY_ENABLED', 'Multi-factor authentication is already on; disable it first to set up a new secret.');
  }
}

export class MfaSetupRequiredError extends DomainError {
  readonly kind = 'conflict';
  constructor() {
    super('MFA_SETUP_REQUIRED', 'Start with POST /v1/me/mfa/setup, then confirm a code from the new secret.');
  }
}

export class MfaNotEnabledError extends DomainError {
  readonly kind = 'conflict';
  constructor() {
    super('MFA_NOT_ENABLED', 'Multi-factor authentication is not on for this account.');
  }
}
