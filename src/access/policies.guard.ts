import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ACCESS_RULE, type AccessRule } from './access-metadata';
import { AccessDenials } from './access-denials';
import { AccessDeniedError, AuthenticationRequiredError } from './access.errors';
import type { RequestWithPrincipal } from './principal.decorator';
import { abilityFor } from './policy';

/**
 * Route-level gate, after authentication: may this caller's role do this
 * action on this kind of subject at all? CASL's `can(action, type)` ignores
 * conditions, so this check is coarse; services check each loaded object.
 * An endpoint that declares no rule is refused: access is denied by default.
 */
@Injectable()
export class PoliciesGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly denials: AccessDenials,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (rule?.kind === 'public') return true;

    const principal = context.switchToHttp().getRequest<RequestWithPrincipal>().user ?? null;
    if (!principal) {
      this.denials.record({ principal, status: 401, reason: 'no credential' });
      throw new AuthenticationRequiredError();
    }
    if (rule?.kind === 'authenticated') return true;
    if (rule?.kind === 'permission' && abilityFor(principal).can(rule.action, rule.subject)) return true;

    this.denials.record({
      principal,
      status: 403,
      action: rule?.action,
      subjectType: rule?.subject,
      reason: rule ? 'role not permitted' : 'endpoint declares no access rule',
    });
    throw new AccessDeniedError();
  }
}
