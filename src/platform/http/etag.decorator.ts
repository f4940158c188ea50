import { applyDecorators, createParamDecorator, type ExecutionContext, type Type } from '@nestjs/common';
import { type NestFastifyApplication, RouteConfig } from '@nestjs/platform-fastify';
import { ApiHeader, ApiOkResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiProblemResponses } from '../errors/api-problem-responses.decorator';
import { etagFor, type IfMatch, parseIfMatch } from './etag';

/** A resource whose representation carries its optimistic-concurrency version. */
interface Versioned {
  version: number;
}

/** The Fastify route config flag of routes that answer with an ETag. */
const RETURNS_ETAG = 'returnsETag';

const isVersioned = (body: unknown): body is Versioned =>
  typeof body === 'object' && body !== null && typeof (body as Partial<Versioned>).version === 'number';

/**
 * On a single-resource GET or an edit: answers with `ETag: "<version>"` of the
 * returned resource, and documents the 200 response with that header. The
 * header is set by a Fastify hook (`useETags`) rather than an interceptor: an
 * interceptor puts every request of the route through Nest's RxJS pipeline.
 */
export function ReturnsETag(type: Type<Versioned>) {
  return applyDecorators(
    RouteConfig({ [RETURNS_ETAG]: true }),
    ApiOkResponse({
      type,
      headers: {
        ETag: { description: 'The version of the resource, for If-Match on edits.', schema: { type: 'string' } },
      },
    }),
  );
}

/** Sends `ETag` with the successful answers of the routes marked `@ReturnsETag()`. */
export function useETags(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('preSerialization', (request, reply, payload: unknown, done) => {
      const config = request.routeOptions.config as { [RETURNS_ETAG]?: boolean } | undefined;
      if (config?.[RETURNS_ETAG] === true && reply.statusCode < 300 && isVersioned(payload)) {
        void reply.header('etag', etagFor(payload.version));
      }
      done(null, payload);
    });
}

/** On an edit: documents the optional `If-Match` header and the 412 it can cause. Read it with `@IfMatchHeader()`. */
export function AcceptsIfMatch() {
  return applyDecorators(
    ApiHeader({
      name: 'If-Match',
      required: false,
      description: 'The ETag you read; the edit is refused with 412, changing nothing, if the resource changed since.',
    }),
    ApiProblemResponses(412),
  );
}

/** The request's `If-Match`, parsed; a malformed header is a 400 problem. */
export const IfMatchHeader = createParamDecorator((_data: unknown, context: ExecutionContext): IfMatch =>
  parseIfMatch(context.switchToHttp().getRequest<FastifyRequest>().headers['if-match']),
);
