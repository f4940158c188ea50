import { type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { ThrottlerOptions } from '@nestjs/throttler';
import type { Environment } from '../platform/config/environment';

const AUTH_RATE_LIMITED = 'identity:auth-rate-limited';

/** Puts a controller's routes under the stricter auth limit, on top of the global one. */
export const AuthRateLimit = () => SetMetadata(AUTH_RATE_LIMITED, true);

/**
 * A second named throttler: AUTH_RATE_LIMIT_MAX requests per client IP (Fastify's
 * `req.ip`, which honours TRUST_PROXY) per RATE_LIMIT_TTL_MS window, one budget
 * for all the routes of controllers marked @AuthRateLimit() together, skipped
 * everywhere else.
 */
export function authThrottler(environment: Environment): ThrottlerOptions {
  return {
    name: 'auth',
    ttl: environment.RATE_LIMIT_TTL_MS,
    limit: environment.AUTH_RATE_LIMIT_MAX,
    skipIf: (context: ExecutionContext) => Reflect.getMetadata(AUTH_RATE_LIMITED, context.getClass()) !== true,
  };
}
