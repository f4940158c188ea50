import {
  applyDecorators,
  type CallHandler,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  type Type,
  UseInterceptors,
} from '@nestjs/common';
import { ApiHeader, ApiOkResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Observable, tap } from 'rxjs';
import { ApiProblemResponses } from '../errors/api-problem-responses.decorator';
import { etagFor, type IfMatch, parseIfMatch } from './etag';

/** A resource whose representation carries its optimistic-concurrency version. */
interface Versioned {
  version: number;
}

@Injectable()
class ETagInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler<Versioned>): Observable<Versioned> {
    return next
      .handle()
      .pipe(
        tap((body) => void context.switchToHttp().getResponse<FastifyReply>().header('etag', etagFor(body.version))),
      );
  }
}

/**
 * On a single-resource GET or an edit: answers with `ETag: "<version>"` of the
 * returned resource, and documents the 200 response with that header.
 */
export function ReturnsETag(type: Type<Versioned>) {
  return applyDecorators(
    UseInterceptors(ETagInterceptor),
    ApiOkResponse({
      type,
      headers: {
        ETag: { description: 'The version of the resource, for If-Match on edits.', schema: { type: 'string' } },
      },
    }),
  );
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
