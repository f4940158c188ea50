import type { IncomingMessage } from 'node:http';
import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ClsPluginTransactional } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';
import { ClsModule } from 'nestjs-cls';
import { REQUEST_CONTEXT, requestContextOf } from './request-context';

const isGlobalEnhancer = (provider: Provider): boolean =>
  typeof provider === 'object' && (provider.provide === APP_GUARD || provider.provide === APP_INTERCEPTOR);

/**
 * nestjs-cls registers a global guard and a global interceptor whatever its
 * options; not mounted, as here (the context comes from its middleware), they
 * only pass each request on. A global interceptor is not free, though: Nest
 * then runs every request of every route through its RxJS pipeline (about 30 µs
 * of CPU of a product read). So they are left out of the module nestjs-cls
 * builds. Should its shape change, nothing is removed: only the cost returns.
 */
export function withoutPassThroughEnhancers(module: DynamicModule): DynamicModule {
  return {
    ...module,
    imports: module.imports?.map((imported) =>
      typeof imported === 'object' && 'module' in imported && Array.isArray(imported.providers)
        ? { ...imported, providers: imported.providers.filter((provider) => !isGlobalEnhancer(provider)) }
        : imported,
    ),
  };
}

/**
 * Continuation-local storage for each request: its context (id, IP, user agent)
 * and the one transaction mechanism. A use case opens a transaction with
 * `@Transactional()`; every repository obtained through `TransactionHost#tx`
 * inside it joins that transaction (on the embedded database a query that
 * escapes it would wait forever).
 */
@Module({
  imports: [
    withoutPassThroughEnhancers(
      ClsModule.forRoot({
        global: true,
        middleware: {
          mount: true,
          setup: (cls, request: IncomingMessage) => cls.set(REQUEST_CONTEXT, requestContextOf(request)),
          // No proxy providers here; resolving them costs a dynamic require() on every request.
          resolveProxyProviders: false,
        },
        // The context is set up by the middleware only (so the guard and interceptor above pass through).
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
