import type { DynamicModule, Provider } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ClsModule } from 'nestjs-cls';
import { withoutPassThroughEnhancers } from './request-context.module';

const tokens = (module: DynamicModule): unknown[] =>
  (module.imports ?? []).flatMap((imported) =>
    typeof imported === 'object' && 'providers' in imported
      ? (imported.providers ?? []).map((provider: Provider) =>
          typeof provider === 'object' ? provider.provide : provider,
        )
      : [],
  );

describe('request context module', () => {
  it("drops nestjs-cls's pass-through global guard and interceptor, and only them", () => {
    const built = ClsModule.forRoot({ middleware: { mount: true } });
    // What nestjs-cls registers today: if this changes, the filter below has nothing left to do.
    expect(tokens(built)).toEqual(expect.arrayContaining([APP_GUARD, APP_INTERCEPTOR]));
    const kept = tokens(withoutPassThroughEnhancers(built));
    expect(kept).not.toContain(APP_GUARD);
    expect(kept).not.toContain(APP_INTERCEPTOR);
    expect(kept).toEqual(tokens(built).filter((token) => token !== APP_GUARD && token !== APP_INTERCEPTOR));
  });
});
