import type { DynamicModule, Provider } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ClsModule } from 'nestjs-cls';
import { withoutPassThroughEnhancers } from './nestjs-cls';

const tokens = (module: DynamicModule): unknown[] =>
  (module.imports ?? []).flatMap((imported) =>
    typeof imported === 'object' && 'providers' in imported
      ? (imported.providers ?? []).map((provider: Provider) =>
          typeof provider === 'object' ? provider.provide : provider,
        )
      : [],
  );

describe('nestjs-cls internals', () => {
  it('ClsModule.forRoot still has the shape relied on: drops its pass-through global guard and interceptor, and only them', () => {
    const built = ClsModule.forRoot({
      middleware: { mount: false },
      guard: { mount: false },
      interceptor: { mount: false },
    });
    const kept = tokens(withoutPassThroughEnhancers(built));
    expect(kept).not.toContain(APP_GUARD);
    expect(kept).not.toContain(APP_INTERCEPTOR);
    expect(kept).toEqual(tokens(built).filter((token) => token !== APP_GUARD && token !== APP_INTERCEPTOR));
  });

  it('fails loudly when the module it is given has another shape', () => {
    const reshaped: DynamicModule = { module: class Reshaped {}, imports: [{ module: class Root {}, providers: [] }] };
    expect(() => withoutPassThroughEnhancers(reshaped)).toThrow(/nestjs-cls changed the shape of ClsModule.forRoot/);
  });
});
