import { DomainError } from '../platform/errors/domain-error';

const fieldError = (field: string, message: string) => ({ errors: [{ field, message }] });

export class MixedRolesError extends DomainError {
  readonly kind = 'invalid_input';
  constructor() {
    const message = 'roles must be all staff roles or all customer roles (org_admin, buyer), not both';
    super('MIXED_ROLES', `A user is staff or a customer: ${message}.`, fieldError('roles', message));
  }
}

export class RoleKindChangeError extends DomainError {
  readonly kind = 'invalid_input';
  constructor() {
    const message = 'a staff user keeps staff roles and a customer keeps customer roles';
    super(
      'ROLE_KIND_CHANGE',
      `Roles cannot turn staff into a customer or back: ${message}.`,
      fieldError('roles', message),
    );
  }
}

export class StaffOrganizationError extends DomainError {
  readonly kind = 'invalid_input';
  constructor() {
    const message = 'staff users belong to no organization: omit organizationId';
    super(
      'STAFF_HAVE_NO_ORGANIZATION',
      `Staff users belong to no organization.`,
      fieldError('organizationId', message),
    );
  }
}

export class OrganizationRequiredError extends DomainError {
  readonly kind = 'invalid_input';
  constructor() {
    const message = 'customer roles need the organizationId the user belongs to';
    super(
      'ORGANIZATION_REQUIRED',
      'A customer user belongs to exactly one organization.',
      fieldError('organizationId', message),
    );
  }
}

export class UnknownOrganizationError extends DomainError {
  readonly kind = 'invalid_input';
  constructor() {
    const message = 'no organization has this id';
    super('UNKNOWN_ORGANIZATION', 'The organization does not exist.', fieldError('organizationId', message));
  }
}

/** Nobody disables themselves or changes their own roles: that is how the last admin gets locked out. */
export class OwnAccessChangeError extends DomainError {
  readonly kind = 'conflict';
  constructor() {
    super('OWN_ACCESS_CHANGE', 'You cannot disable yourself or change your own roles; ask another administrator.');
  }
}
