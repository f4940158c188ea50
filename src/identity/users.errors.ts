import { DomainError, type ProblemDeclaration } from '../platform/errors/domain-error';
import { FIELD_ERRORS } from '../platform/errors/invalid-request.error';

const fieldError = (field: string, message: string) => ({ errors: [{ field, message }] });

export class MixedRolesError extends DomainError {
  static readonly problem: ProblemDeclaration = {
    code: 'MIXED_ROLES',
    kind: 'invalid_input',
    extensions: FIELD_ERRORS,
  };

  constructor() {
    const message = 'roles must be all staff roles or all customer roles (org_admin, buyer), not both';
    super(`A user is staff or a customer: ${message}.`, fieldError('roles', message));
  }
}

export class RoleKindChangeError extends DomainError {
  static readonly problem: ProblemDeclaration = {
    code: 'ROLE_KIND_CHANGE',
    kind: 'invalid_input',
    extensions: FIELD_ERRORS,
  };

  constructor() {
    const message = 'a staff user keeps staff roles and a customer keeps customer roles';
    super(`Roles cannot turn staff into a customer or back: ${message}.`, fieldError('roles', message));
  }
}

export class StaffOrganizationError extends DomainError {
  static readonly problem: ProblemDeclaration = {
    code: 'STAFF_HAVE_NO_ORGANIZATION',
    kind: 'invalid_input',
    extensions: FIELD_ERRORS,
  };

  constructor() {
    const message = 'staff users belong to no organization: omit organizationId';
    super(`Staff users belong to no organization.`, fieldError('organizationId', message));
  }
}

export class OrganizationRequiredError extends DomainError {
  static readonly problem: ProblemDeclaration = {
    code: 'ORGANIZATION_REQUIRED',
    kind: 'invalid_input',
    extensions: FIELD_ERRORS,
  };

  constructor() {
    const message = 'customer roles need the organizationId the user belongs to';
    super('A customer user belongs to exactly one organization.', fieldError('organizationId', message));
  }
}

export class UnknownOrganizationError extends DomainError {
  static readonly problem: ProblemDeclaration = {
    code: 'UNKNOWN_ORGANIZATION',
    kind: 'invalid_input',
    extensions: FIELD_ERRORS,
  };

  constructor() {
    const message = 'no organization has this id';
    super('The organization does not exist.', fieldError('organizationId', message));
  }
}

/** Nobody disables themselves or changes their own roles: that is how the last admin gets locked out. */
export class OwnAccessChangeError extends DomainError {
  static readonly problem: ProblemDeclaration = { code: 'OWN_ACCESS_CHANGE', kind: 'conflict' };

  constructor() {
    super('You cannot disable yourself or change your own roles; ask another administrator.');
  }
}
