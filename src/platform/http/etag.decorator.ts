import { applyDecorators, createParamDecorator, type ExecutionContext, type Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiHeader, ApiOkResponse, ApiResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Throws } from '../errors/throws.decorator';
import { carriesCredentials } from './credentialed-caching';
import { etagOf, type IfMatch, noneMatchNames, parseIfMatch, PreconditionFailedError, type Versioned } from './etag';
import {
  ANONYMOUS_CACHE_CONTROL,
  headerReferences,
  PRIVATE_CACHE_CONTROL,
  VARY_BY_CREDENTIALS,
} from './response-headers';
import { addRouteHook, type PayloadHook, RouteConfigEntry, routeConfigEntry } from './route-hooks';

/** The Fastify route config key of routes that answer with an ETag: a read or an edit. */
const ETAG_ROUTE = 'etagRoute';
type ETagRoute = 'read' | 'edit';

const isVersioned = (body: unknown): body is Versioned =>
  typeof body === 'object' && body !== null && typeof (body as Partial<Versioned>).version === 'number';

const READ_HEADERS = headerReferences('ETag', 'Cache-Control.revalidate', 'Vary');

/**
 * On a single-resource GET: answers with the ETag of the representation (etag.ts),
 * a Cache-Control that fits who may see it, and 304 without a body when
 * `If-None-Match` names it (RFC 9110 §13.1.2); documents
 * all of it.
 */
export function ReadsWithETag(type: Type<Versioned>) {
  return applyDecorators(
    RouteConfigEntry(ETAG_ROUTE, 'read' satisfies ETagRoute),
    ApiOkResponse({ type, headers: READ_HEADERS }),
    ApiHeader({
      name: 'If-None-Match',
      required: false,
      description: 'ETags you hold: when one is current (or `*`), the answer is 304 without a body.',
    }),
    ApiResponse({ status: 304, description: 'Not Modified: the ETag you sent is current.', headers: READ_HEADERS }),
  );
}

/** On an edit: answers with the ETag of the edited resource's representation, and documents it. */
export function ReturnsETag(type: Type<Versioned>) {
  return applyDecorators(
    RouteConfigEntry(ETAG_ROUTE, 'edit' satisfies ETagRoute),
    ApiOkResponse({ type, headers: headerReferences('ETag') }),
  );
}

const sendETag: PayloadHook = (_request, reply, payload, done) => {
  if (reply.statusCode < 300 && isVersioned(payload)) void reply.header('etag', etagOf(payload));
  done(null, payload);
};

/**
 * ETag, Cache-Control and Vary on a successful read, and 304 when
 * `If-None-Match` names it. The handler has run by then, so access is checked
 * exactly as for the full answer: only the body is spared.
 */
const answerConditionally: PayloadHook = (request, reply, payload, done) => {
  if (reply.statusCode < 300 && isVersioned(payload)) {
    const etag = etagOf(payload);
    const vary = reply.getHeader('vary');
    void reply
      .header('etag', etag)
      .header('cache-control', carriesCredentials(request) ? PRIVATE_CACHE_CONTROL : ANONYMOUS_CACHE_CONTROL)
      .header('vary', vary === undefined ? VARY_BY_CREDENTIALS : `${String(vary)}, ${VARY_BY_CREDENTIALS}`);
    if (noneMatchNames(request.headers['if-none-match'], etag)) void reply.code(304);
  }
  done(null, payload);
};

/** A 304 carries the headers of the answer it stands for, never its body. */
const withoutBodyWhenNotModified: PayloadHook = (_request, reply, payload, done) => {
  if (reply.statusCode !== 304) return done(null, payload);
  reply.removeHeader('content-type');
  done(null, null);
};

/**
 * Gives the routes marked `@ReadsWithETag()` or `@ReturnsETag()` their hooks
 * as route hooks, so every other route runs none of it. Hooks rather than an
 * interceptor: an interceptor puts every request of the route through Nest's
 * RxJS pipeline.
 */
export function useETags(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRoute', (route) => {
      const kind = routeConfigEntry<ETagRoute>(route, ETAG_ROUTE);
      if (kind === 'edit') addRouteHook(route, 'preSerialization', sendETag);
      if (kind === 'read') {
        addRouteHook(route, 'preSerialization', answerConditionally);
        addRouteHook(route, 'onSend', withoutBodyWhenNotModified);
      }
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
    Throws(PreconditionFailedError),
  );
}

/** The request's `If-Match`, parsed; a malformed header is a 400 problem. */
export const IfMatchHeader = createParamDecorator((_data: unknown, context: ExecutionContext): IfMatch =>
  parseIfMatch(context.switchToHttp().getRequest<FastifyRequest>().headers['if-match']),
);
