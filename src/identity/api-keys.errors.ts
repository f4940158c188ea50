import type { Role } from '../access/roles';
import { DomainError, type ProblemDeclaration } from '../platform/errors/domain-error';
import { FIELD_ERRORS } from '../platform/errors/invalid-request.error';

export class ApiKeyRolesExceedCreatorError extends DomainError {
  static readonly problem: ProblemDeclaration = { code: 'API_KEY_ROLES_EXCEED_CREATOR', kind: 'forbidden' };

  constructor(roles: Role[]) {
    super(`An API key can only have roles you hold; you do not hold: ${roles.join(', ')}.`);
  }
}

export class ApiKeyMintedByApiKeyError extends DomainError {
  static readonly problem: ProblemDeclaration = { code: 'API_KEY_CANNOT_CREATE_API_KEYS', kind: 'forbidden' };

  constructor() {
    super('API keys are created by a signed-in user, not by another API key.');
  }
}

export class ExpiryInThePastError extends DomainError {
  static readonly problem: ProblemDeclaration = {
    code: 'EXPIRY_IN_THE_PAST',
    kind: 'invalid_input',
    extensions: FIELD_ERRORS,
  };

  constructor() {
    super('expiresAt must be in the future.', {
      errors: [{ field: 'expiresAt', message: 'expiresAt must be in the future' }],
    });
  }
}
