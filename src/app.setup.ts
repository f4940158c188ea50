import type { IncomingMessage } from 'node:http';
import { type INestApplication, type ModuleMetadata, ValidationPipe, VersioningType } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { buildOpenApiDocument } from './app.openapi';
import { useRequestAuditScope } from './audit/audit-scope';
import { AppLifecycle } from './health/app-lifecycle';
import type { Environment } from './platform/config/environment';
import { InvalidRequestError } from './platform/errors/invalid-request.error';
import { useCors } from './platform/http/cors';
import { useCredentialedCaching } from './platform/http/credentialed-caching';
import { useETags } from './platform/http/etag.decorator';
import { useRequestContext } from './platform/context/request-context.module';
import { useJsonBodies } from './platform/http/json-body-parser';
import { useLocations } from './platform/http/location.decorator';
import { useMethodNotAllowed } from './platform/http/method-not-allowed';
import { REQUEST_ID_HEADER, requestIdFor } from './platform/http/request-id';
import { useSecurityHeaders } from './platform/http/security-headers';
import { useUnreadBodyDiscard } from './platform/http/unread-body';
import { useRequestLog } from './platform/logging/request-log';
import { answerClientError, answerRouterError } from './platform/http/transport-problems';
import { MetricsService } from './platform/metrics/metrics.service';

/**
 * Builds the application exactly as it serves: the same adapter options,
 * pipes, filters, headers and docs for `main.ts` and for every test.
 * `environment.DATABASE_URL` must be resolved before (see main.ts).
 * `extraModules` lets tests mount fixtures beside the real modules.
 */
export async function createApp(
  environment: Environment,
  extraModules: NonNullable<ModuleMetadata['imports']> = [],
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: environment.BODY_LIMIT_BYTES,
    // Trust exactly the configured number of proxy hops; with none, X-Forwarded-For is ignored.
    trustProxy: (_address: string, hop: number) => hop < environment.TRUST_PROXY,
    requestIdHeader: false,
    genReqId: (request: IncomingMessage) => requestIdFor(request.headers[REQUEST_ID_HEADER]),
    frameworkErrors: answerRouterError,
    clientErrorHandler: answerClientError,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(environment, extraModules), adapter, {
    bufferLogs: true,
    // JSON requests keep their bytes as received: payment webhooks are verified on them.
    rawBody: true,
    // Nest's JSON and form parsers: JSON has one of its own (useJsonBodies), forms are refused.
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.flushLogs();

  // First: every later hook, guard and handler runs in the request's context.
  useRequestContext(app);
  const fastify = app.getHttpAdapter().getInstance();
  const metrics = app.get(MetricsService);
  // Hooks in callback style: an async hook costs promises on every request, for nothing here.
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  // A response finished after shutdown began must not leave its keep-alive connection open: the
  // server waits for every connection before it can close, and the client had better reconnect
  // (through the balancer, to another instance).
  const lifecycle = app.get(AppLifecycle);
  fastify.addHook('preClose', (done) => {
    lifecycle.beginDraining();
    done();
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (lifecycle.draining) void reply.header('connection', 'close');
    done(null, payload);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.observeHttpRequest(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  await useRequestLog(app, environment);

  useSecurityHeaders(app);
  useCredentialedCaching(app);
  useMethodNotAllowed(app);
  useETags(app);
  useLocations(app);
  useRequestAuditScope(app);
  useJsonBodies(app, environment.BODY_LIMIT_BYTES);
  useUnreadBodyDiscard(app, environment.BODY_LIMIT_BYTES);
  useCors(app, environment.CORS_ORIGINS);
  useVersioning(app);
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) => InvalidRequestError.fromValidationErrors(errors),
    }),
  );

  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), { jsonDocumentUrl: 'docs-json' });
  return app;
}

/** Routes are `/v1/...`: part of how the app serves and of the document it publishes alike. */
export function useVersioning(app: INestApplication): void {
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
}
