import { types } from 'node:util';
import { type ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { AccessDenials } from '../access/access-denials';
import type { Actor } from '../access/actor';
import type { RequestWithPrincipal } from '../access/principal.decorator';
import { DomainError } from '../platform/errors/domain-error';
import { InvalidCredentialError } from './auth.errors';

const API_KEY_HEADER = 'x-api-key';

/**
 * Global, between the rate limit and the PoliciesGuard: turns the credential
 * of a request into `request.user` (an Actor). No credential: the principal
 * is null, and the PoliciesGuard decides (401 unless the route is @Public).
 * A credential that does not verify: 401, on public routes too.
 */
@Injectable()
export class AuthenticationGuard extends AuthGuard(['jwt', 'api-key']) {
  constructor(private readonly denials: AccessDenials) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RequestWithPrincipal>();
    const hasBearer = request.headers.authorization !== undefined;
    const hasApiKey = request.headers[API_KEY_HEADER] !== undefined;
    if (!hasBearer && !hasApiKey) {
      request.user = null;
      return true;
    }
    if (hasBearer && hasApiKey) throw this.refuse('Send either a bearer token or an X-API-Key, not both.');
    return (await super.canActivate(context)) as boolean;
  }

  override handleRequest<TUser = Actor>(error: unknown, actor: TUser | false, info: unknown): TUser {
    if (actor) return actor;
    // A fault while checking (the database down: 503) is not a bad credential. Not `instanceof Error`,
    // which misses errors of another realm (Node's own, under Jest's module sandbox).
    if (types.isNativeError(error) && !(error instanceof DomainError)) throw error;
    throw this.refuse(isExpiry(info) ? 'The access token has expired; refresh it.' : undefined);
  }

  private refuse(detail?: string): InvalidCredentialError {
    this.denials.record({ principal: null, status: 401, reason: detail ?? 'invalid credential' });
    return new InvalidCredentialError(detail);
  }
}

/** passport reports each strategy's failure; jsonwebtoken's expiry is the one worth telling the client. */
function isExpiry(info: unknown): boolean {
  const failures = Array.isArray(info) ? info : [info];
  return failures.some((failure) => failure instanceof Error && failure.name === 'TokenExpiredError');
}
