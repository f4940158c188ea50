/**
 * Depends on the private shape of nestjs-cls 6.3: the module `ClsModule.forRoot`
 * builds imports a root module whose providers include one APP_GUARD and one
 * APP_INTERCEPTOR. `withoutPassThroughEnhancers` checks that shape and throws at
 * start-up when an upgrade has changed it (nestjs-cls.spec.ts fails first).
 */
import type { DynamicModule, Provider } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';

const ENHANCERS: readonly unknown[] = [APP_GUARD, APP_INTERCEPTOR];

const isGlobalEnhancer = (provider: Provider): boolean =>
  typeof provider === 'object' && ENHANCERS.includes(provider.provide);

/**
 * nestjs-cls registers a global guard and a global interceptor whatever its
 * options (7.0 still does); not mounted, as here (the context comes from its
 * middleware), they only pass each request on. A global interceptor is not free,
 * though: Nest then runs every request of every route through its RxJS pipeline.
 * So they are left out of the module nestjs-cls builds. No public option does it.
 */
export function withoutPassThroughEnhancers(module: DynamicModule): DynamicModule {
  let removed = 0;
  const imports = module.imports?.map((imported) => {
    if (!(typeof imported === 'object' && 'module' in imported && Array.isArray(imported.providers))) return imported;
    const providers = imported.providers.filter((provider) => !isGlobalEnhancer(provider));
    removed += imported.providers.length - providers.length;
    return { ...imported, providers };
  });
  if (removed !== ENHANCERS.length) {
    throw new Error(
      `nestjs-cls changed the shape of ClsModule.forRoot: expected its root module to provide one APP_GUARD and one APP_INTERCEPTOR, found ${removed} of them. ` +
        'Revisit src/platform/library-internals/nestjs-cls.ts (perhaps a public option now does its job).',
    );
  }
  return { ...module, imports };
}
