import type { IncomingMessage } from 'node:http';
import { Logger, Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ClsPluginTransactional } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';
import { ClsMiddleware, ClsModule } from 'nestjs-cls';
import { withoutPassThroughEnhancers } from '../library-internals/nestjs-cls';
import { REQUEST_CONTEXT, requestContextOf } from './request-context';

/**
 * Opens each request's context (nestjs-cls's own middleware) from the first
 * Fastify onRequest hook, so everything after it — hooks, guards, handler —
 * runs inside. Mounted through Nest's middleware instead, it ran through
 * @fastify/middie and Nest's path matching on every request, some 10 µs of a
 * product read; the context is the same. The hook copies Fastify's request id
 * and client address onto the raw request, as middie did, for
 * `requestContextOf`.
 */
export function useRequestContext(app: NestFastifyApplication): void {
  const middleware = new ClsMiddleware({
    setup: (cls, request: IncomingMessage) => cls.set(REQUEST_CONTEXT, requestContextOf(request)),
    // No proxy providers here; resolving them costs a dynamic require() on every request.
    resolveProxyProviders: false,
  });
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      Object.assign(request.raw, { id: request.id, ip: request.ip });
      void middleware.use(request.raw, reply.raw, done);
    });
  // What nestjs-cls logged when it mounted its middleware itself.
  new Logger('ClsModule').debug('Mounting ClsMiddleware as the first onRequest hook');
}

/**
 * Continuation-local storage for each request (opened by `useRequestContext`):
 * its context (id, IP, user agent) and the one transaction mechanism. A use case opens a transaction with
 * `@Transactional()`; every repository obtained through `TransactionHost#tx`
 * inside it joins that transaction (on the embedded database a query that
 * escapes it would wait forever).
 */
@Module({
  imports: [
    withoutPassThroughEnhancers(
      ClsModule.forRoot({
        global: true,
        // The context is set up by nestjs-cls's middleware, mounted as a Fastify hook by useRequestContext
        // (so the guard and interceptor above pass through).
        middleware: { mount: false },
        guard: { mount: false },
        interceptor: { mount: false },
        plugins: [
          new ClsPluginTransactional({
            adapter: new TransactionalAdapterTypeOrm({ dataSourceToken: getDataSourceToken() }),
          }),
        ],
      }),
    ),
  ],
})
export class RequestContextModule {}
