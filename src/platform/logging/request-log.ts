import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';
import type { Environment } from '../config/environment';
import { SECRET_KEYS } from './logging.module';

/** A request slower than this is logged whatever the sample rate. */
export const SLOW_REQUEST_MS = 1_000;

/** Probes hit these every few seconds; their failures still show in the health checks' own logs. */
const isHealthProbe = (request: FastifyRequest): boolean => request.url.startsWith('/health/');

/** Headers that carry credentials, or are named like a secret; their values are never written. */
const CREDENTIAL_HEADERS = new Set([
  'authorization',
  'cookie',
  'x-api-key',
  'set-cookie',
  ...SECRET_KEYS.map((key) => key.toLowerCase()),
]);

function withoutCredentials(headers: Record<string, unknown>): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    shown[name] = CREDENTIAL_HEADERS.has(name.toLowerCase()) ? '[REDACTED]' : value;
  }
  return shown;
}

function describe(request: FastifyRequest, withHeaders: boolean) {
  return {
    method: request.method,
    url: request.url,
    route: request.routeOptions.url,
    // Fastify's client address: X-Forwarded-For only through the TRUST_PROXY hops.
    remoteAddress: request.ip,
    userAgent: request.headers['user-agent'],
    ...(withHeaders ? { headers: withoutCredentials(request.headers) } : {}),
  };
}

/**
 * The access log: one line per request when it ends — id, method, URL, route,
 * client address, user agent, status and time; the request's and response's
 * headers too at LOG_LEVEL=debug, credentials removed.
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
