import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '../database/database-unavailable';
import { pathOf, problemInstanceOf } from '../http/request-path';
import { DomainError } from './domain-error';
import {
  DATABASE_UNAVAILABLE,
  INVALID_CONTENT_LENGTH,
  MALFORMED_JSON,
  PAYLOAD_TOO_LARGE,
  UNSUPPORTED_MEDIA_TYPE,
} from './platform-problems';
import { PROBLEM_CONTENT_TYPE, type ProblemParts, problemOf, STATUS_BY_KIND, statusTitle } from './problem';

type ErrorParts = Omit<ProblemParts, 'instance' | 'requestId'> & { retryAfterSeconds?: number };

/** Errors Fastify raises before a route runs (body parsing, limits), by their code. */
const FASTIFY_ERRORS: Record<string, ErrorParts> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { ...MALFORMED_JSON, detail: 'The request body is not valid JSON.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    ...MALFORMED_JSON,
    detail: "The request body is empty but Content-Type says 'application/json'.",
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    ...PAYLOAD_TOO_LARGE,
    detail: 'The request body is larger than this service accepts.',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    ...UNSUPPORTED_MEDIA_TYPE,
    detail: 'The request body has a Content-Type this service does not accept; send application/json.',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    ...INVALID_CONTENT_LENGTH,
    detail: 'The Content-Length header does not match the body.',
  },
};

/** Codes for framework exceptions that carry only a status. */
const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

interface FastifyLikeError {
  code: string;
  statusCode: number;
}

function isFastifyClientError(error: unknown): error is FastifyLikeError {
  if (typeof error !== 'object' || error === null) return false;
  const { code, statusCode } = error as Partial<FastifyLikeError>;
  return typeof code === 'string' && typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500;
}

function httpExceptionDetail(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : statusTitle(exception.getStatus());
}

/**
 * The one place errors leave the service: every failure, from a domain rule
 * to a body Fastify could not parse, becomes RFC 9457 problem+json. Nothing
 * internal (stack, SQL, driver message) reaches a client; 500s are logged with
 * the request id instead.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const parts = this.describe(exception, request);
    const problem = problemOf({ ...parts, instance: problemInstanceOf(request.url), requestId: request.id });
    if (parts.status === 429 && !reply.hasHeader('retry-after')) {
      reply.header('retry-after', '1');
    }
    if (parts.retryAfterSeconds !== undefined) reply.header('retry-after', String(parts.retryAfterSeconds));
    void reply.status(parts.status).header('content-type', PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }

  private describe(exception: unknown, request: FastifyRequest): ErrorParts {
    if (exception instanceof DomainError) {
      return {
        status: STATUS_BY_KIND[exception.kind],
        code: exception.code,
        detail: exception.message,
        extensions: exception.extensions,
        retryAfterSeconds: exception.retryAfterSeconds,
      };
    }
    // The Fastify adapter wraps Fastify's own errors in an HttpException; the cause keeps the code.
    const fastifyError = exception instanceof HttpException ? exception.cause : exception;
    if (isFastifyClientError(fastifyError) && FASTIFY_ERRORS[fastifyError.code]) {
      return FASTIFY_ERRORS[fastifyError.code];
    }
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      const status = exception.getStatus();
      const detail =
        status === 404 && /^Cannot \w+ /.test(httpExceptionDetail(exception))
          ? `No route matches ${request.method} ${pathOf(request.url)}.`
          : httpExceptionDetail(exception);
      return { status, code: CODE_BY_STATUS[status] ?? 'CLIENT_ERROR', detail };
    }
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn(
        { event: 'database.unavailable', err: exception, requestId: request.id },
        'Database unavailable',
      );
      return {
        ...DATABASE_UNAVAILABLE,
        detail: 'The database cannot be reached just now. Retry after the number of seconds in Retry-After.',
        retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
      };
    }
    this.logger.error(
      { err: exception, requestId: request.id, method: request.method, url: pathOf(request.url) },
      'Unhandled error',
    );
    const status = exception instanceof HttpException ? exception.getStatus() : 500;
    return {
      status,
      code: status === 500 ? 'INTERNAL_ERROR' : 'SERVER_ERROR',
      detail: 'The service could not complete the request. Quote the requestId when reporting it.',
    };
  }
}
