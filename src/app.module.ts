import { type DynamicModule, Module, type ModuleMetadata } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AccessModule } from './access/access.module';
import { AuditModule } from './audit/audit.module';
import { BillingModule } from './billing/billing.module';
import { CatalogModule } from './catalog/catalog.module';
import { PoliciesGuard } from './access/policies.guard';
import { StartupCompletion } from './health/app-lifecycle';
import { HealthModule } from './health/health.module';
import { authThrottler } from './identity/auth-rate-limit';
import { AuthenticationGuard } from './identity/authentication.guard';
import { IdentityModule } from './identity/identity.module';
import { OrdersModule } from './orders/orders.module';
import { ConfigModule } from './platform/config/config.module';
import { Environment } from './platform/config/environment';
import { RequestContextModule } from './platform/context/request-context.module';
import { DatabaseModule } from './platform/database/database.module';
import { IdempotencyModule } from './platform/idempotency/idempotency.module';
import { OutboxModule } from './platform/outbox/outbox.module';
import { ProblemDetailsFilter } from './platform/errors/problem-details.filter';
import { RateLimitGuard } from './platform/http/rate-limit.guard';
import { RateLimitStore } from './platform/http/rate-limit-store';
import { RedisRateLimitStore } from './platform/http/redis-rate-limit-store';
import { LoggingModule } from './platform/logging/logging.module';
import { MetricsModule } from './platform/metrics/metrics.module';

/** Counters in Redis, shared by the replicas, when REDIS_URL is set; else in this process. */
function rateLimitStore(environment: Environment): RateLimitStore | RedisRateLimitStore {
  const local = new RateLimitStore();
  return environment.REDIS_URL
    ? new RedisRateLimitStore(environment.REDIS_URL, environment.RATE_LIMIT_KEY_PREFIX, local)
    : local;
}

@Module({})
export class AppModule {
  static forRoot(environment: Environment, extraModules: NonNullable<ModuleMetadata['imports']> = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(environment),
        LoggingModule,
        DatabaseModule,
        RequestContextModule,
        IdempotencyModule,
        OutboxModule.forEnvironment(environment),
        ThrottlerModule.forRoot({
          throttlers: [
            { ttl: environment.RATE_LIMIT_TTL_MS, limit: environment.RATE_LIMIT_MAX },
            authThrottler(environment),
          ],
          storage: rateLimitStore(environment),
        }),
        MetricsModule,
        AuditModule,
        AccessModule,
        IdentityModule,
        CatalogModule,
        OrdersModule,
        BillingModule,
        HealthModule,
        ...extraModules,
      ],
      providers: [
        // Guards run in this order: rate limit, authentication, then the access policy.
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_GUARD, useExisting: AuthenticationGuard },
        { provide: APP_GUARD, useExisting: PoliciesGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        // Here, in the root module, whose bootstrap hooks run after every other module's.
        StartupCompletion,
      ],
    };
  }
}
