import type { IncomingMessage } from 'node:http';
import { Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { Environment } from '../config/environment';

/** Never written to a log, wherever they appear in a logged object. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  ...[
    'password',
    'currentPassword',
    'newPassword',
    'token',
    'accessToken',
    'refreshToken',
    'secret',
    'otp',
    'apiKey',
  ].flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
];

/** Under middie, middleware sees `url` relative to its mount point; `originalUrl` is the full path. */
type MiddlewareRequest = IncomingMessage & { originalUrl?: string };

const isHealthProbe = (request: MiddlewareRequest): boolean =>
  (request.originalUrl ?? request.url ?? '').startsWith('/health/');

@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [Environment],
      useFactory: (environment: Environment) => ({
        forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
        pinoHttp: {
          level: environment.LOG_LEVEL,
          // Fastify already chose the id (kept from a sane X-Request-Id, else new); log that one.
          genReqId: (request: IncomingMessage) => (request as IncomingMessage & { id: string }).id,
          customAttributeKeys: { reqId: 'requestId' },
          redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
          // Probes hit these every few seconds; their failures still show in the health checks' own logs.
          autoLogging: { ignore: (request: MiddlewareRequest) => isHealthProbe(request) },
          quietReqLogger: true,
        },
      }),
    }),
  ],
})
export class LoggingModule {}
