import { applyDecorators } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';

/** The operation extension marking a route no rate limit applies to, until the document is built (app.openapi.ts). */
export const UNTHROTTLED_EXTENSION = 'x-unthrottled';

/**
 * Exempts a controller or route from every rate limit, and tells the document:
 * its operations answer no 429 and carry no rate-limit fields.
 */
export function Unthrottled(): ClassDecorator & MethodDecorator {
  return applyDecorators(SkipThrottle(), ApiExtension(UNTHROTTLED_EXTENSION, true));
}
