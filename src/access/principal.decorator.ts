import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AuthenticationRequiredError } from './access.errors';
import type { Actor, Principal } from './actor';

/** Fastify request as the authentication guard leaves it: `user` is the actor, or null for anonymous. */
export type RequestWithPrincipal = FastifyRequest & { user?: Principal };

/** The authenticated actor; use on endpoints marked @Authorize or @Authenticated. */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor => {
  const actor = context.switchToHttp().getRequest<RequestWithPrincipal>().user;
  if (!actor) throw new AuthenticationRequiredError();
  return actor;
});

/** The caller on a @Public endpoint: an actor if a credential was sent, else null. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal =>
    context.switchToHttp().getRequest<RequestWithPrincipal>().user ?? null,
);
