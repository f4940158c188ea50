import type { IncomingMessage } from 'node:http';
import { Module } from '@nestjs/common';
import { ClsPluginTransactional } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';
import { ClsModule } from 'nestjs-cls';
import { REQUEST_CONTEXT, requestContextOf } from './request-context';

/**
 * Continuation-local storage for each request: its context (id, IP, user agent)
 * and the one transaction mechanism. A use case opens a transaction with
 * `@Transactional()`; every repository obtained through `TransactionHost#tx`
 * inside it joins that transaction (on the embedded database a query that
 * escapes it would wait forever).
 */
@Module({
  imports: [
    ClsModule.forRoot({
      global: true,
      middleware: {
        mount: true,
        setup: (cls, request: IncomingMessage) => cls.set(REQUEST_CONTEXT, requestContextOf(request)),
        // No proxy providers here; resolving them costs a dynamic require() on every request.
        resolveProxyProviders: false,
      },
      plugins: [
        new ClsPluginTransactional({
          adapter: new TransactionalAdapterTypeOrm({ dataSourceToken: getDataSourceToken() }),
        }),
      ],
    }),
  ],
})
export class RequestContextModule {}
