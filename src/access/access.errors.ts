import { DomainError } from '../platform/errors/domain-error';

export class AuthenticationRequiredError extends DomainError {
  readonly kind = 'unauthenticated';
  constructor(message = 'Authentication is required: send a bearer token or an X-API-Key.') {
    super('AUTHENTICATION_REQUIRED', message);
  }
}

export class AccessDeniedError extends DomainError {
  readonly kind = 'forbidden';
  constructor() {
    super('FORBIDDEN', 'Your role does not allow this action.');
  }
}

/** Not there, or not visible to this caller: the two are deliberately indistinguishable. */
export class ResourceNotFoundError extends DomainError {
  readonly kind = 'not_found';
  constructor(resourceType: string) {
    super('NOT_FOUND', `${resourceType} not found.`);
  }
}
