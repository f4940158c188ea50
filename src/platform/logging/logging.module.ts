import { Module } from '@nestjs/common';
import { ClsService } from 'nestjs-cls';
import { LoggerModule } from 'nestjs-pino';
import { Environment } from '../config/environment';
import { REQUEST_CONTEXT, type RequestContext } from '../context/request-context';
import { serializeError } from './error-serializer';

/**
 * Request and response headers that carry credentials. `Payment-Signature` is
 * one: within its five minutes, a signature and its body are a webhook anyone
 * could deliver again.
 */
export const CREDENTIAL_HEADERS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'payment-signature',
];

const REDACTED_HEADERS = CREDENTIAL_HEADERS.flatMap((name) => [`req.headers["${name}"]`, `res.headers["${name}"]`]);

/** Keys whose values are secrets, wherever they appear. */
export const SECRET_KEYS = [
  'password',
  'currentPassword',
  'newPassword',
  'token',
  'accessToken',
  'refreshToken',
  'secret',
  'otp',
  'apiKey',
];

/** Never written to a log, wherever they appear in a logged object. */
export const REDACTED_PATHS = [...REDACTED_HEADERS, ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`])];

const asIs = (value: unknown): unknown => value;

/**
 * pino behind Nest's Logger, JSON lines on stdout. Requests are logged by the
 * access log (request-log.ts), so nestjs-pino's per-request middleware
 * (pino-http, and a second async context) is not mounted: a line written
 * while serving a request takes its request id from the request context.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [Environment, ClsService],
      useFactory: (environment: Environment, cls: ClsService) => ({
        forRoutes: [],
        pinoHttp: {
          level: environment.LOG_LEVEL,
          // The access log writes `req` and `res` as plain summaries (pino-http would expect raw objects).
          wrapSerializers: false,
          serializers: { req: asIs, res: asIs, err: serializeError },
          redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
          mixin: () => {
            const context = cls.isActive() ? cls.get<RequestContext | undefined>(REQUEST_CONTEXT) : undefined;
            return context ? { requestId: context.requestId } : {};
          },
        },
      }),
    }),
  ],
})
export class LoggingModule {}
