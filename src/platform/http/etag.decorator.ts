import { applyDecorators, createParamDecorator, type ExecutionContext, type Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiHeader, ApiOkResponse, ApiResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Throws } from '../errors/throws.decorator';
import { etagOf, type IfMatch, noneMatchNames, parseIfMatch, PreconditionFailedError, type Versioned } from './etag';
import { addRouteHook, type PayloadHook, RouteConfigEntry, routeConfigEntry } from './route-hooks';

/** The Fastify route config key of routes that answer with an ETag: a read or an edit. */
const ETAG_ROUTE = 'etagRoute';
type ETagRoute = 'read' | 'edit';

const isVersioned = (body: unknown): body is Versioned =>
  typeof body === 'object' && body !== null && typeof (body as Partial<Versioned>).version === 'number';

const ETAG_HEADER = {
  description:
    'The representation\'s tag, `"<version>-<digest>"`: for If-None-Match on reads (it changes whenever the body ' +
    'does), and for If-Match on edits (which compares the version it carries).',
  schema: { type: 'string' },
};

/** What anyone may see: shared caches may keep it, but must ask each time whether it is still current. */
const ANONYMOUS_CACHE_CONTROL = 'public, no-cache';
/** What a credential was shown for: for the caller's own cache only, revalidated each time. */
const PRIVATE_CACHE_CONTROL = 'private, no-cache';
/** A read answers by who asks (an archived product is 404 to a customer): caches key it by the credentials too. */
const VARY_BY_CREDENTIALS = 'Authorization, X-API-Key';

const READ_HEADERS = {
  ETag: ETAG_HEADER,
  'Cache-Control': {
    description:
      `\`${ANONYMOUS_CACHE_CONTROL}\` when the request carried no credentials (anyone may see the answer; caches ` +
      `revalidate it each time), else \`${PRIVATE_CACHE_CONTROL}\`.`,
    schema: { type: 'string' },
  },
  Vary: { description: `Includes \`${VARY_BY_CREDENTIALS}\`.`, schema: { type: 'string' } },
};

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
    ApiOkResponse({ type, headers: { ETag: ETAG_HEADER } }),
  );
}

const carriesCredentials = (request: FastifyRequest): boolean =>
  request.headers.authorization !== undefined || request.headers['x-api-key'] !== undefined;

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
