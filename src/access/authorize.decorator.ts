import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import type { DomainErrorClass } from '../platform/errors/domain-error';
import { Throws } from '../platform/errors/throws.decorator';
import { API_KEY_SECURITY, BEARER_SECURITY } from '../platform/http/openapi-security';
import { AccessDeniedError, AuthenticationRequiredError } from './access.errors';
import { ACCESS_RULE, type AccessRule } from './access-metadata';
import type { Action, SubjectType } from './policy';

const secured = (rule: AccessRule, ...refusals: DomainErrorClass[]) =>
  applyDecorators(
    SetMetadata(ACCESS_RULE, rule),
    ApiBearerAuth(BEARER_SECURITY),
    ApiSecurity(API_KEY_SECURITY),
    Throws(...refusals),
  );

/**
 * Declares what an endpoint needs: an authenticated caller whose role may
 * `action` some `subject` (403 otherwise). Objects are checked again in the
 * service once loaded. Documents the security schemes and the 401/403 answers.
 */
export function Authorize(action: Action, subject: SubjectType) {
  return secured({ kind: 'permission', action, subject }, AuthenticationRequiredError, AccessDeniedError);
}

/**
 * Any authenticated caller, whatever the role (their own profile, their own
 * API keys): the service scopes what they reach.
 */
export function Authenticated() {
  return secured({ kind: 'authenticated' }, AuthenticationRequiredError);
}

/**
 * Open to anonymous callers. A credential, if sent, is still checked, so the
 * endpoint can show more to a signed-in caller (staff see archived products).
 */
export function Public() {
  return SetMetadata(ACCESS_RULE, { kind: 'public' } satisfies AccessRule);
}

/**
 * `@Public()` for reads that show more to signed-in callers: documents the
 * anonymous requirement beside both schemes (a bad credential's 401 is documented for every operation).
 */
export function PublicShowingMoreWhenSignedIn() {
  return applyDecorators(Public(), ApiSecurity({}), ApiBearerAuth(BEARER_SECURITY), ApiSecurity(API_KEY_SECURITY));
}
