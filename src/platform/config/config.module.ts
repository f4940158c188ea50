import { type DynamicModule, Global, Module } from '@nestjs/common';
import { Environment } from './environment';

/** Makes the validated environment injectable by its class everywhere. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(environment: Environment): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: Environment, useValue: environment }],
      exports: [Environment],
    };
  }
}
