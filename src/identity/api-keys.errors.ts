import type { Role } from '../access/roles';
import { DomainError } from '../platform/errors/domain-error';

export class ApiKeyRolesExceedCreatorError extends DomainError {
  readonly kind = 'forbidden';
  constructor(roles: Role[]) {
    super(
      'API_KEY_ROLES_EXCEED_CREATOR',
      `An API key can only have roles you hold; you do not hold: ${roles.join(', ')}.`,
    );
  }
}

export class ApiKeyMintedByApiKeyError extends DomainError {
  readonly kind = 'forbidden';
  constructor() {
    super('API_KEY_CANNOT_CREATE_API_KEYS', 'API keys are created by a signed-in user, not by another API key.');
  }
}

export class ExpiryInThePastError extends DomainError {
  readonly kind = 'invalid_input';
  constructor() {
    super('EXPIRY_IN_THE_PAST', 'expiresAt must be in the future.', {
      errors: [{ field: 'expiresAt', message: 'expiresAt must be in the future' }],
    });
  }
}
