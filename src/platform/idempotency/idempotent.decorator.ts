import {
  applyDecorators,
  type CallHandler,
  type ExecutionContext,
  HttpStatus,
  Injectable,
  type NestInterceptor,
  UseInterceptors,
} from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { ApiHeader } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, map, type Observable } from 'rxjs';
import { Throws } from '../errors/throws.decorator';
import { AnswersWithHeaders } from '../http/documented-answer';
import {
  IdempotencyKeyRequiredError,
  IdempotencyKeyReusedError,
  IdempotentRequestInFlightError,
} from './idempotency.errors';
import { IdempotencyService } from './idempotency.service';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'idempotent-replayed';
const SANE_KEY = /^[\x21-\x7e]{1,255}$/;

@Injectable()
class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly idempotency: IdempotencyService,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: { userId: string } | null }>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const key = request.headers[IDEMPOTENCY_KEY_HEADER];
    if (typeof key !== 'string' || !SANE_KEY.test(key)) throw new IdempotencyKeyRequiredError();
    // Runs behind the policy guard, so an idempotent endpoint always has an authenticated caller.
    const scope = request.user?.userId ?? 'anonymous';
    const status =
      this.reflector.get<number | undefined>(HTTP_CODE_METADATA, context.getHandler()) ?? HttpStatus.CREATED;
    const parts = [request.method, request.routeOptions.url, request.params, request.body];

    const run = this.idempotency.run({ scope, key, parts }, status, () =>
      lastValueFrom(next.handle(), { defaultValue: undefined }),
    );
    return from(run).pipe(
      map((response) => {
        // A replay goes through the route's hooks as the first answer did (Location among them).
        if (response.replayed) void reply.status(response.status).header(REPLAYED_HEADER, 'true');
        return response.body;
      }),
    );
  }
}

/**
 * Makes a POST safe to retry: it requires `Idempotency-Key`; the same key
 * and request within the retention replays the first response with
 * `Idempotent-Replayed: true`, another request with the key is 422, and a
 * duplicate while the first still runs is 409 with `Retry-After`. Keys are
 * the caller's own.
 */
export function Idempotent() {
  return applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: true,
      schema: { type: 'string', minLength: 1, maxLength: 255, pattern: SANE_KEY.source },
      description:
        'Unique per operation (1-255 printable characters, e.g. a UUID). Retrying with the same key and body returns ' +
        'the first response with `Idempotent-Replayed: true`; the same key with another body is 422.',
    }),
    Throws(IdempotencyKeyRequiredError, IdempotencyKeyReusedError, IdempotentRequestInFlightError),
    AnswersWithHeaders('Idempotent-Replayed'),
  );
}
