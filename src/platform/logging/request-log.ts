import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';
import type { Environment } from '../config/environment';
import { pathOf } from '../http/request-path';
import { CREDENTIAL_HEADERS, SECRET_KEYS } from './logging.module';

/** A request slower than this is logged whatever the sample rate. */
export const SLOW_REQUEST_MS = 1_000;

/** Probes hit these every few seconds; their failures still show in the health checks' own logs. */
const isHealthProbe = (request: FastifyRequest): boolean => request.url.startsWith('/health/');

const REDACTED = '[REDACTED]';

/**
 * Headers that carry credentials (named, or named like one: a client may send
 * its token in a header of its own invention), or named like a secret field.
 */
const REDACTED_HEADER_NAMES = new Set([...CREDENTIAL_HEADERS, ...SECRET_KEYS.map((key) => key.toLowerCase())]);
const CREDENTIAL_LIKE = /auth|token|secret|passw|signature|cookie|session|credential|api-?key/i;

function withoutCredentials(headers: Record<string, unknown>): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lowerName = name.toLowerCase();
    shown[name] = REDACTED_HEADER_NAMES.has(lowerName) || CREDENTIAL_LIKE.test(lowerName) ? REDACTED : value;
  }
  return shown;
}

/** A query parameter's name as sent; a bare `?word` is a value, not a name. */
const PARAMETER_NAME = /^([A-Za-z0-9_.~%[\]-]{1,64})=/;

/**
 * The names of the query's parameters, never their values: a client that
 * wrongly sends a token as `?access_token=` must not have it written to the
 * log. Anything not shaped like a name is written as redacted.
 */
function queryNamesOf(url: string): string[] | undefined {
  const start = url.indexOf('?');
  if (start === -1) return undefined;
  return url
    .slice(start + 1)
    .split('&')
    .filter((parameter) => parameter.length > 0)
    .map((parameter) => PARAMETER_NAME.exec(parameter)?.[1] ?? REDACTED);
}

function describe(request: FastifyRequest, withHeaders: boolean) {
  return {
    method: request.method,
    url: pathOf(request.url),
    query: queryNamesOf(request.url),
    route: request.routeOptions.url,
    // Fastify's client address: X-Forwarded-For only through the TRUST_PROXY hops.
    remoteAddress: request.ip,
    userAgent: request.headers['user-agent'],
    ...(withHeaders ? { headers: withoutCredentials(request.headers) } : {}),
  };
}

/**
 * The access log: one line per request when it ends — id, method, path (and
 * the names of query parameters), route, client address, user agent, status
 * and time; the request's and response's headers too at LOG_LEVEL=debug,
 * credentials removed.
 * Written from Fastify hooks rather than by pino-http, which built two child
 * loggers per request and serialised and redacted every header of both sides:
 * about 15% of the CPU of a catalog read.
 *
 * REQUEST_LOG_SAMPLE_RATE below 1 keeps only that share of successful, fast
 * requests; errors (status 400 and above), requests slower than
 * SLOW_REQUEST_MS and aborted ones are always logged. The metrics count every
 * request either way.
 */
export async function useRequestLog(app: NestFastifyApplication, environment: Environment): Promise<void> {
  const root = await app.resolve(PinoLogger);
  // The line's shape is known and its only credentials are in the headers written at debug, removed
  // above; pino's redaction (the application-wide paths, or even a few exact ones) costs tens of
  // microseconds a line, more than everything else the access log does.
  let accessLogger: Logger<string> | undefined;
  const logger = () => (accessLogger ??= root.logger.child({}, { redact: [] }));
  const sampleRate = environment.REQUEST_LOG_SAMPLE_RATE;
  const fastify = app.getHttpAdapter().getInstance();

  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const status = reply.statusCode;
    const responseTime = Math.round(reply.elapsedTime);
    const logged =
      status >= 400 || responseTime >= SLOW_REQUEST_MS || (sampleRate >= 1 ? true : Math.random() < sampleRate);
    if (logged && !isHealthProbe(request)) {
      const debug = logger().isLevelEnabled('debug');
      const line = {
        requestId: request.id,
        req: describe(request, debug),
        res: { statusCode: status, ...(debug ? { headers: withoutCredentials(reply.getHeaders()) } : {}) },
        responseTime,
      };
      if (status >= 500) logger().error(line, 'request errored');
      else logger().info(line, 'request completed');
    }
    done();
  });

  fastify.addHook('onRequestAbort', (request: FastifyRequest, done: () => void) => {
    logger().info({ requestId: request.id, req: describe(request, false) }, 'request aborted');
    done();
  });
}
