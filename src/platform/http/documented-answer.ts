import type { Type } from '@nestjs/common';
import { ApiResponse, DECORATORS, type HeadersObject } from '@nestjs/swagger';
import { type DocumentedHeader, headerReferences } from './response-headers';

interface DocumentedResponse {
  headers?: HeadersObject;
}

/**
 * Documents an endpoint's answer of `status` with its body and `headers`
 * (references to the shared definitions), keeping the headers other
 * decorators documented for that status (swagger's own `ApiResponse` replaces
 * the whole entry), so that e.g. `@Creates` and `@ReturnsCredentials` on one
 * endpoint document both `Location` and `Cache-Control`, in whichever order
 * they are written.
 */
export function DocumentedAnswer(
  status: number,
  type: Type<unknown>,
  description: string,
  ...headers: DocumentedHeader[]
): MethodDecorator {
  return (target, key, descriptor) => {
    const responses = (Reflect.getMetadata(DECORATORS.API_RESPONSE, descriptor.value as object) ?? {}) as Record<
      string,
      DocumentedResponse
    >;
    const earlier = responses[status]?.headers ?? {};
    return ApiResponse({ status, type, description, headers: { ...earlier, ...headerReferences(...headers) } })(
      target,
      key,
      descriptor,
    );
  };
}

/** The operation extension listing headers every successful answer of an endpoint carries, until the document is built. */
export const SUCCESS_HEADERS_EXTENSION = 'x-success-headers';

/**
 * Documents headers on every successful answer of an endpoint, whatever its
 * status (`@Idempotent` cannot know whether its endpoint answers 200 or 201);
 * app.openapi.ts writes them into the 2xx responses.
 */
export function AnswersWithHeaders(...headers: DocumentedHeader[]): MethodDecorator {
  return (_target, _key, descriptor) => {
    const handler = descriptor.value as object;
    const extensions = (Reflect.getMetadata(DECORATORS.API_EXTENSION, handler) ?? {}) as Record<string, unknown>;
    const earlier = (extensions[SUCCESS_HEADERS_EXTENSION] ?? []) as DocumentedHeader[];
    Reflect.defineMetadata(
      DECORATORS.API_EXTENSION,
      { ...extensions, [SUCCESS_HEADERS_EXTENSION]: [...earlier, ...headers] },
      handler,
    );
    return descriptor;
  };
}
