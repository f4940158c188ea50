import { DomainError, type ProblemDeclaration } from '../platform/errors/domain-error';

export class AuthenticationRequiredError extends DomainError {
  static readonly problem: ProblemDeclaration = { code: 'AUTHENTICATION_REQUIRED', kind: 'unauthenticated' };

  constructor(message = 'Authentication is required: send a bearer token or an X-API-Key.') {
    super(message);
  }
}

export class AccessDeniedError extends DomainError {
  static readonly problem: ProblemDeclaration = { code: 'FORBIDDEN', kind: 'forbidden' };

  constructor() {
    super('Your role does not allow this action.');
  }
}

/** Not there, or not visible to this caller: the two are deliberately indistinguishable. */
export class ResourceNotFoundError extends DomainError {
  static readonly problem: ProblemDeclaration = { code: 'NOT_FOUND', kind: 'not_found' };

  constructor(resourceType: string) {
    super(`${resourceType} not found.`);
  }
}
