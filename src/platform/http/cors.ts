import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** Every method a route of the API answers; a browser preflights all but GET, HEAD and simple POSTs. */
const METHODS = ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'];

/** The request headers clients send, beyond the ones browsers always allow. */
const REQUEST_HEADERS = [
  'Authorization',
  'Content-Type',
  'If-Match',
  'If-None-Match',
  'Idempotency-Key',
  'X-API-Key',
  'X-Request-Id',
];

/** The response headers a client acts on; a browser hides from scripts any not listed. */
const EXPOSED_HEADERS = [
  'ETag',
  'Location',
  'Retry-After',
  'X-Request-Id',
  'Idempotent-Replayed',
  'RateLimit',
  'RateLimit-Policy',
];

/**
 * How long, in seconds, a browser may reuse a preflight: two hours, the most
 * Chromium keeps one (Firefox keeps 24 h). Every request with Authorization
 * or X-API-Key needs a preflight, so a short one would double the round trips.
 */
const PREFLIGHT_MAX_AGE_S = 7_200;

/**
 * CORS for the browser origins in CORS_ORIGINS: a preflight from one of them
 * is granted every method the API uses and the headers clients send, and its
 * requests may read the response headers clients need. Any other origin gets
 * no CORS header at all (its preflight is a 404), so a browser keeps its
 * scripts out. With no origin configured, CORS is off.
 */
export function useCors(app: NestFastifyApplication, origins: readonly string[]): void {
  const allowed = new Set(origins);
  app.enableCors({
    origin:
      allowed.size === 0
        ? false
        : (origin, grant) => grant(null, origin !== undefined && allowed.has(origin) ? origin : false),
    methods: METHODS,
    allowedHeaders: REQUEST_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: PREFLIGHT_MAX_AGE_S,
  });
}
