import type { Type } from '@nestjs/common';
import { ApiResponse, DECORATORS, type HeaderObject } from '@nestjs/swagger';

interface DocumentedResponse {
  headers?: Record<string, HeaderObject>;
}

/**
 * Documents an endpoint's answer of `status` with its body and `headers`,
 * keeping the headers other decorators documented for that status (swagger's
 * own `ApiResponse` replaces the whole entry), so that e.g. `@Creates` and
 * `@ReturnsCredentials` on one endpoint document both `Location` and
 * `Cache-Control`, in whichever order they are written.
 */
export function DocumentedAnswer(
  status: number,
  type: Type<unknown>,
  description: string,
  headers: Record<string, HeaderObject>,
): MethodDecorator {
  return (target, key, descriptor) => {
    const responses = (Reflect.getMetadata(DECORATORS.API_RESPONSE, descriptor.value as object) ?? {}) as Record<
      string,
      DocumentedResponse
    >;
    const earlier = responses[status]?.headers ?? {};
    return ApiResponse({ status, type, description, headers: { ...earlier, ...headers } })(target, key, descriptor);
  };
}
